//! Replicated stretch pools: `calc_replicated_acting_stretch`.
//!
//! After the primary and the usable up OSDs, the remaining slots are filled so
//! that as many barrier buckets (sites) as possible are represented, and no
//! bucket gives more than `bucket_max = ceil(size / peering_crush_bucket_target)`
//! OSDs: after losing a site, a size-4 pool over two sites stays at 2 + 0
//! (undersized) rather than crowding four copies into the survivor.

use alloc::collections::BTreeMap;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

use super::error::ActingError;
use super::replicated::info_of;
use super::stretch::StretchBuckets;
use super::want::{WantSets, is_usable};
use crate::map::PoolInfo;
use crate::types::{EVersion, OsdId, PgInfo, PgShard};

/// Ceph's `osd_ord_t`: `(not in acting, last_update)`, compared as a tuple.
type OsdOrd = (bool, EVersion);

/// Ceph's `bucket_candidates_t`: the candidates of one barrier bucket, in
/// ascending [`OsdOrd`], and how many OSDs the bucket already gives `want`.
#[derive(Default)]
struct BucketCandidates {
    osds: VecDeque<(OsdOrd, OsdId)>,
    selected: u32,
}

impl BucketCandidates {
    /// `get_ord`: the front candidate's order, `(false, 0'0)` when empty.
    fn ord(&self) -> OsdOrd {
        self.osds
            .front()
            .map_or((false, EVersion::ZERO), |&(ord, _)| ord)
    }

    /// The heap key of `bucket_candidates_t::operator<`: fewer selected is
    /// greater, then the greater front order.
    fn key(&self) -> (i64, OsdOrd) {
        (-i64::from(self.selected), self.ord())
    }
}

/// Ceph's `calc_replicated_acting_stretch`: the wanted acting vector of a
/// replicated stretch pool.
///
/// 1. The primary, then every up OSD that is complete and reaches
///    `oldest_auth_log_entry`, join `want` (each counted against its bucket);
///    the other up OSDs become backfill targets. Enough when `want` reaches the
///    pool size.
/// 2. Candidates: acting OSDs not yet wanted, then (unless
///    `restrict_to_up_acting`) every other usable shard with an info, ordered by
///    (not in acting, `last_update`, osd) ascending — as Ceph sorts them, so the
///    oldest usable `last_update` comes first within each group — and queued by
///    bucket.
/// 3. A mandatory bucket not yet represented gives its first candidate.
/// 4. Buckets below `bucket_max` go into a max-heap keyed by (fewest selected,
///    greatest front order); each pop gives one OSD, and the bucket returns
///    while below `bucket_max`, until `want` reaches the pool size or no
///    bucket has candidates. The heap is libstdc++'s (`std::push_heap`,
///    `std::pop_heap`), so buckets with equal keys come out in Ceph's order.
///
/// Step 4 follows current Ceph: a bucket already at `bucket_max` after step 1
/// never enters the heap. Earlier releases (the Quincy/Reef code) pushed every
/// non-empty bucket and checked the cap only after a pop, so a site that
/// reached its cap in step 1 could still give one more OSD (size 4, target 2,
/// up `[0, 1]` in one site: `[0, 1, 2]` there, `[0, 1]` here).
///
/// OSDs in no barrier bucket share the pseudo-bucket 0, as Ceph's
/// `get_parent_of_type` answers 0 for them. `want` may end short of the size
/// (undersized) when the buckets' caps leave no candidate.
#[allow(clippy::too_many_arguments)]
pub fn calc_replicated_acting_stretch(
    primary: PgShard,
    oldest_auth_log_entry: EVersion,
    pool: &PoolInfo,
    acting: &[OsdId],
    up: &[OsdId],
    all_info: &BTreeMap<PgShard, PgInfo>,
    restrict_to_up_acting: bool,
    buckets: &StretchBuckets,
) -> Result<WantSets, ActingError> {
    let rule = pool.stretch.unwrap_or_default();
    if rule.bucket_target == 0 {
        return Err(ActingError::StretchTargetZero);
    }
    let size = usize::try_from(pool.size).unwrap_or(usize::MAX);
    let bucket_max = pool.size.div_ceil(rule.bucket_target);
    let usable = |info: &PgInfo| is_usable(info, oldest_auth_log_entry);
    let bucket_key = |osd: OsdId| buckets.bucket_of(osd).unwrap_or(0);
    let mut ancestors: BTreeMap<i32, BucketCandidates> = BTreeMap::new();
    let mut sets = WantSets::default();

    // 1) The primary and the usable up OSDs.
    let mut add_required = |sets: &mut WantSets, osd: OsdId| {
        if !sets.want.contains(&osd) {
            sets.want.push(osd);
            sets.acting_backfill.insert(PgShard::replica(osd.0));
            ancestors.entry(bucket_key(osd)).or_default().selected += 1;
        }
    };
    info_of(all_info, primary)?;
    add_required(&mut sets, primary.osd);
    for &osd in up {
        let shard = PgShard::replica(osd.0);
        if usable(info_of(all_info, shard)?) {
            add_required(&mut sets, osd);
        } else {
            sets.backfill.insert(shard);
            sets.acting_backfill.insert(shard);
        }
    }
    if sets.want.len() >= size {
        return Ok(sets);
    }

    // 2) The candidates, queued by bucket in ascending order.
    let mut candidates: Vec<(OsdOrd, OsdId)> = Vec::new();
    for &osd in acting {
        let info = info_of(all_info, PgShard::replica(osd.0))?;
        if !sets.want.contains(&osd) && usable(info) {
            candidates.push(((false, info.last_update), osd));
        }
    }
    if !restrict_to_up_acting {
        for (shard, info) in all_info {
            if !sets.want.contains(&shard.osd) && usable(info) && !acting.contains(&shard.osd) {
                candidates.push(((true, info.last_update), shard.osd));
            }
        }
    }
    candidates.sort_unstable();
    // An OSD named twice in acting is one candidate (Ceph asserts it never is).
    candidates.dedup();
    for (ord, osd) in candidates {
        ancestors
            .entry(bucket_key(osd))
            .or_default()
            .osds
            .push_back((ord, osd));
    }

    // 3) The mandatory bucket, if it is not represented yet.
    if let Some(member) = rule.mandatory_bucket() {
        if let Some(bucket) = ancestors.get_mut(&member) {
            if bucket.selected == 0 {
                pop_candidate(&mut sets, bucket);
            }
        }
    }

    // 4) The rest from the heap of buckets.
    let mut slots: Vec<BucketCandidates> = ancestors.into_values().collect();
    let mut heap: Vec<usize> = Vec::new();
    for (i, bucket) in slots.iter().enumerate() {
        if bucket.selected < bucket_max && !bucket.osds.is_empty() {
            push_heap(&mut heap, i, &slots);
        }
    }
    while sets.want.len() < size {
        let Some(i) = pop_heap(&mut heap, &slots) else {
            break;
        };
        let Some(bucket) = slots.get_mut(i) else {
            break;
        };
        pop_candidate(&mut sets, bucket);
        if bucket.selected < bucket_max && !bucket.osds.is_empty() {
            push_heap(&mut heap, i, &slots);
        }
    }
    Ok(sets)
}

/// `pop_ancestor`: the bucket's front candidate joins `want`.
fn pop_candidate(sets: &mut WantSets, bucket: &mut BucketCandidates) {
    if let Some((_, osd)) = bucket.osds.pop_front() {
        sets.want.push(osd);
        sets.acting_backfill.insert(PgShard::replica(osd.0));
        bucket.selected += 1;
    }
}

/// `a < b` for the heap of bucket indices.
fn less(slots: &[BucketCandidates], a: usize, b: usize) -> bool {
    match (slots.get(a), slots.get(b)) {
        (Some(a), Some(b)) => a.key() < b.key(),
        _ => false,
    }
}

/// libstdc++'s `__push_heap`: sift `value` up from `hole` towards `top`.
fn sift_up(
    heap: &mut [usize],
    mut hole: usize,
    top: usize,
    value: usize,
    slots: &[BucketCandidates],
) {
    while hole > top {
        let parent = (hole - 1) / 2;
        let Some(&p) = heap.get(parent) else {
            break;
        };
        if !less(slots, p, value) {
            break;
        }
        if let Some(h) = heap.get_mut(hole) {
            *h = p;
        }
        hole = parent;
    }
    if let Some(h) = heap.get_mut(hole) {
        *h = value;
    }
}

/// `std::push_heap` after appending `value`.
fn push_heap(heap: &mut Vec<usize>, value: usize, slots: &[BucketCandidates]) {
    heap.push(value);
    let hole = heap.len() - 1;
    sift_up(heap, hole, 0, value, slots);
}

/// `std::pop_heap` then `pop_back`: the greatest element, removed as libstdc++'s
/// `__adjust_heap` does it (move the larger child up to the root's hole, then
/// sift the former last element up from the leaf the hole reached).
fn pop_heap(heap: &mut Vec<usize>, slots: &[BucketCandidates]) -> Option<usize> {
    let len = heap.len();
    if len <= 1 {
        return heap.pop();
    }
    let top = *heap.first()?;
    let value = heap.pop()?;
    let len = len - 1;
    let mut hole = 0;
    let mut child = 0;
    while child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if less(slots, *heap.get(child)?, *heap.get(child - 1)?) {
            child -= 1;
        }
        *heap.get_mut(hole)? = *heap.get(child)?;
        hole = child;
    }
    if len % 2 == 0 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        *heap.get_mut(hole)? = *heap.get(child - 1)?;
        hole = child - 1;
    }
    sift_up(heap, hole, 0, value, slots);
    Some(top)
}
