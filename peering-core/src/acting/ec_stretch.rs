//! Erasure-coded stretch pools: `calc_ec_acting_stretch`.
//!
//! # What Ceph does
//!
//! Ceph's `PeeringState::calc_ec_acting_stretch` replaces `calc_ec_acting` for an
//! erasure-coded stretch pool. Such a pool is split into `num_zones` *zone
//! blocks* of consecutive positions, block `b` covering
//! `[b * zs, (b + 1) * zs)` with `zs = size / num_zones`; every block holds a
//! full stripe (`k + m` per zone), so position `i` carries *relative shard*
//! `i % zs`, and the same relative shard in two blocks is the same chunk kept in
//! two sites. CRUSH puts each block in one bucket of the barrier type (a
//! datacenter), and peering must keep it that way: a block is served from one
//! bucket, a bucket serves one block and gives at most
//! `bucket_max = size / peering_crush_bucket_target` OSDs, so losing a site loses
//! one copy of each chunk, never two.
//!
//! # The rule, step by step
//!
//! 1. **Usable.** An OSD may serve position `i` only with an info for shard `i`
//!    that is complete and whose `last_update` reaches `auth_log_tail` (the
//!    authoritative shard's `log_tail`). An absent info is simply unusable: the
//!    OSD may have been down and never answered.
//! 2. **Candidate buckets.** For each block, the buckets of its up and acting
//!    entries, in order of first appearance (up positions, then acting
//!    positions). Only a block with no up or acting entry at all takes the
//!    buckets of the strays holding a usable shard of it (never under
//!    `restrict_to_up_acting`): a block with current holders stays with the
//!    layouts it has, rather than moving to strays of an older layout.
//! 3. **Filling a block from a bucket.** Within the bucket, capped at
//!    `bucket_max`, no OSD twice: first each up OSD at its position when usable,
//!    then each acting OSD at its position when usable, then (unless
//!    `restrict_to_up_acting`) the first usable holder of the shard in
//!    `pg_shard_t` order. This is `calc_ec_acting`'s per-position preference,
//!    made by passes so an up OSD is never taken elsewhere in its block before
//!    its own position.
//! 4. **Choosing the layout.** Every assignment of distinct candidate buckets to
//!    blocks (or none) is scored, and the greatest score wins:
//!    1. distinct relative shards served — whether the data can be rebuilt,
//!       which a shard held twice does not help;
//!    2. positions served;
//!    3. positions served by their up OSD — the layout CRUSH asks for;
//!    4. positions served by their acting OSD — the layout serving now;
//!    5. on a full tie, the first assignment in enumeration order: blocks in
//!       order, each trying its candidates in order of first appearance, then
//!       no bucket.
//! 5. **Backfill.** The same choice is made again as if every up OSD held its
//!    shard: that *target* layout is where the PG is heading. Each up OSD the
//!    target places at its up position, but `want` does not, is a backfill
//!    target — an up OSD without the data, and also an up OSD whose block is
//!    served from elsewhere for now (it would receive no writes otherwise, and
//!    the targets must not change when the log is trimmed past it). Up OSDs
//!    the target leaves out (a lone cross-zone entry) are not backfilled: they
//!    would be skipped even once complete. So `want == up` leaves no backfill.
//! 6. `acting_backfill` is every filled position of `want` with its shard, and
//!    the backfill targets.
//!
//! A pool with `num_zones` (or `bucket_count`, when `num_zones` is zero) below
//! two, or a size that the zones do not divide, has no zone blocks (Ceph logs
//! and continues): the whole vector is filled as one block by step 3 from any
//! bucket, each bucket still capped at `bucket_max`. A single-zone pool whose
//! rule spreads shards over several sites keeps them all.
//!
//! OSDs in no barrier bucket share the pseudo-bucket 0, as Ceph's
//! `get_parent_of_type` answers 0 for them. Vector entries that name no OSD
//! (holes, negative ids) are holes, and positions past `size` are ignored (an
//! acting vector of the pool's previous size). The mandatory member is not
//! consulted here: `stretch_set_can_peer` judges the result.
//!
//! # Bounds
//!
//! Filling costs O(`zs` × holders of a shard) per candidate bucket of a block,
//! and a block has at most `2 × zs` candidates from up and acting (or one per
//! bucket of its strays). The layout search scores at most `LAYOUT_BUDGET` (4096)
//! assignments, each in O(1) from running sums, reached in at most `num_zones`
//! steps; it runs twice (current and target). The search is exhaustive for any
//! realistic pool (three zones with three candidates each make 64 assignments);
//! past the budget the best assignment seen so far is kept.
//!
//! # Deviation / derivation
//!
//! This rule is re-derived from the cases of Ceph's 2026
//! `src/test/osd/TestECActingStretch.cc`, because the implementation behind them
//! is not public in the sources we have: the only one indexed (an early version
//! in a fork) fills position by position from up, acting and strays of the
//! expected zone, and does not satisfy the later cases (a lone cross-zone up
//! entry, recoverability, strays of an older layout). The zone-block contract,
//! the score and its order, and the target layout for backfill are our reading
//! of what those cases require together. Two copies of the test file
//! disagree on one case: the ceph/ceph copy has
//! `UpZoneBlockOntoServingZone_KeepsActing` (keep acting, backfill nothing,
//! with or without `restrict_to_up_acting`) where the other has
//! `BackfilledUpZoneBlock_JoinsWant` (same inputs, backfill up's block); we
//! follow ceph/ceph, which also alone has `ReturningEmptyUpShard_KeepsUpActingZones`
//! and `ReturningZone_CurrentShardsKeepTheirZone`.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::ops::Range;

use super::error::ActingError;
use super::placement::pg_shard_at;
use super::stretch::StretchBuckets;
use super::validate::MAX_SHARDS;
use super::want::{WantSets, is_usable};
use crate::map::PoolInfo;
use crate::types::{EVersion, OsdId, OsdVec, PgInfo, PgShard};

/// The most assignments of buckets to zone blocks one layout search scores.
/// Enough for every pool a stretch cluster runs; it only bounds the work a
/// pathological pool (dozens of zones) can ask for.
const LAYOUT_BUDGET: usize = 4096;

/// A layout's score, compared as a tuple, greater is better: distinct relative
/// shards, positions served, positions on their up OSD, positions on their
/// acting OSD.
type Score = (u32, u32, u32, u32);

/// What one call reads, shared by every fill.
struct Ctx<'a> {
    up: &'a [OsdId],
    acting: &'a [OsdId],
    all_info: &'a BTreeMap<PgShard, PgInfo>,
    auth_log_tail: EVersion,
    /// For each position, the OSDs with a usable info for its shard, in
    /// `pg_shard_t` order; empty under `restrict_to_up_acting`, where no stray
    /// may serve.
    holders: Vec<Vec<OsdId>>,
    buckets: &'a StretchBuckets,
    bucket_max: usize,
    /// Positions per zone block: relative shard `i % zone_size`.
    zone_size: usize,
}

impl Ctx<'_> {
    /// The barrier bucket of `osd`; 0 (Ceph's answer) when it is in none.
    fn bucket(&self, osd: OsdId) -> i32 {
        self.buckets.bucket_of(osd).unwrap_or(0)
    }

    /// Whether `osd` has a usable info for the shard of position `i`.
    fn usable_at(&self, osd: OsdId, i: usize) -> bool {
        self.all_info
            .get(&pg_shard_at(osd, i, true))
            .is_some_and(|info| is_usable(info, self.auth_log_tail))
    }

    /// The entry at position `i` of `v`, if it names an OSD.
    fn entry(v: &[OsdId], i: usize) -> Option<OsdId> {
        v.get(i).copied().filter(|o| o.is_valid())
    }

    /// Fills the positions of `block` from `bucket` (any bucket when `None`),
    /// by step 3 of the module rule. With `assume_up`, every up OSD counts as
    /// holding its shard: the target layout.
    fn fill(&self, block: Range<usize>, bucket: Option<i32>, assume_up: bool) -> Fill {
        let mut picker = Picker {
            ctx: self,
            start: block.start,
            bucket,
            slots: alloc::vec![OsdId::NONE; block.len()],
            taken: BTreeSet::new(),
            per_bucket: BTreeMap::new(),
        };
        for i in block.clone() {
            if let Some(osd) = Self::entry(self.up, i) {
                if assume_up || self.usable_at(osd, i) {
                    picker.take(i, osd);
                }
            }
        }
        for i in block.clone() {
            if let Some(osd) = Self::entry(self.acting, i) {
                if self.usable_at(osd, i) {
                    picker.take(i, osd);
                }
            }
        }
        for i in block.clone() {
            for &osd in self.holders.get(i).map_or(&[][..], Vec::as_slice) {
                if picker.take(i, osd) {
                    break;
                }
            }
        }
        self.summarize(block, picker.slots)
    }

    /// The picks of a filled block and their contribution to a [`Score`].
    fn summarize(&self, block: Range<usize>, slots: Vec<OsdId>) -> Fill {
        let mut fill = Fill::default();
        for (i, osd) in block.zip(slots) {
            if osd.is_none() {
                continue;
            }
            let relative = i.checked_rem(self.zone_size).unwrap_or(i);
            let bit = u32::try_from(relative)
                .ok()
                .and_then(|r| 1u128.checked_shl(r))
                .unwrap_or(0);
            fill.relative |= bit;
            fill.served += 1;
            fill.on_up += u32::from(Self::entry(self.up, i) == Some(osd));
            fill.on_acting += u32::from(Self::entry(self.acting, i) == Some(osd));
            fill.picks.push((i, osd));
        }
        fill
    }

    /// Step 2: the candidate buckets of `block`, in order of first appearance.
    fn candidates(&self, block: Range<usize>) -> Vec<i32> {
        let mut out: Vec<i32> = Vec::new();
        for v in [self.up, self.acting] {
            for i in block.clone() {
                if let Some(osd) = Self::entry(v, i) {
                    self.add_bucket(&mut out, osd);
                }
            }
        }
        if out.is_empty() {
            for i in block {
                for &osd in self.holders.get(i).map_or(&[][..], Vec::as_slice) {
                    self.add_bucket(&mut out, osd);
                }
            }
        }
        out
    }

    /// Appends the bucket of `osd` to `out` unless it is there already.
    fn add_bucket(&self, out: &mut Vec<i32>, osd: OsdId) {
        let bucket = self.bucket(osd);
        if !out.contains(&bucket) {
            out.push(bucket);
        }
    }
}

/// One block being filled from one bucket.
struct Picker<'c, 'a> {
    ctx: &'c Ctx<'a>,
    start: usize,
    bucket: Option<i32>,
    slots: Vec<OsdId>,
    taken: BTreeSet<OsdId>,
    per_bucket: BTreeMap<i32, usize>,
}

impl Picker<'_, '_> {
    /// Puts `osd` at position `i` if the position is open, `osd` is not used
    /// yet, sits in the block's bucket, and that bucket is below `bucket_max`.
    fn take(&mut self, i: usize, osd: OsdId) -> bool {
        let Some(slot) = i
            .checked_sub(self.start)
            .and_then(|k| self.slots.get_mut(k))
        else {
            return false;
        };
        if !slot.is_none() || !osd.is_valid() || self.taken.contains(&osd) {
            return false;
        }
        let bucket = self.ctx.bucket(osd);
        if self.bucket.is_some_and(|b| b != bucket) {
            return false;
        }
        let count = self.per_bucket.entry(bucket).or_default();
        if *count >= self.ctx.bucket_max {
            return false;
        }
        *count += 1;
        *slot = osd;
        self.taken.insert(osd);
        true
    }
}

/// What one block gives when served from one bucket.
#[derive(Default)]
struct Fill {
    picks: Vec<(usize, OsdId)>,
    /// Relative shards served, one bit each (`zs` is at most 127).
    relative: u128,
    served: u32,
    on_up: u32,
    on_acting: u32,
}

/// A candidate bucket of a block, filled now and in the target layout.
struct Candidate {
    bucket: i32,
    current: Fill,
    target: Fill,
}

/// The running sums of a partial assignment.
#[derive(Clone, Copy, Default)]
struct Partial {
    relative: u128,
    served: u32,
    on_up: u32,
    on_acting: u32,
}

impl Partial {
    fn with(self, fill: &Fill) -> Partial {
        Partial {
            relative: self.relative | fill.relative,
            served: self.served.saturating_add(fill.served),
            on_up: self.on_up.saturating_add(fill.on_up),
            on_acting: self.on_acting.saturating_add(fill.on_acting),
        }
    }

    fn score(&self) -> Score {
        (
            self.relative.count_ones(),
            self.served,
            self.on_up,
            self.on_acting,
        )
    }
}

/// Step 4: the depth-first enumeration of bucket assignments.
struct Search<'s> {
    blocks: &'s [Vec<Candidate>],
    target: bool,
    choice: Vec<Option<usize>>,
    in_use: BTreeSet<i32>,
    best: Option<(Score, Vec<Option<usize>>)>,
    leaves: usize,
}

impl Search<'_> {
    fn run(blocks: &[Vec<Candidate>], target: bool) -> Vec<Option<usize>> {
        let mut search = Search {
            blocks,
            target,
            choice: alloc::vec![None; blocks.len()],
            in_use: BTreeSet::new(),
            best: None,
            leaves: 0,
        };
        search.visit(0, Partial::default());
        search.best.map(|(_, choice)| choice).unwrap_or_default()
    }

    fn visit(&mut self, b: usize, partial: Partial) {
        if self.leaves >= LAYOUT_BUDGET {
            return;
        }
        let Some(candidates) = self.blocks.get(b) else {
            self.leaves += 1;
            let score = partial.score();
            // Strictly greater: a tie keeps the assignment enumerated first.
            if self.best.as_ref().is_none_or(|(best, _)| score > *best) {
                self.best = Some((score, self.choice.clone()));
            }
            return;
        };
        for (c, candidate) in candidates.iter().enumerate() {
            if !self.in_use.insert(candidate.bucket) {
                continue;
            }
            let fill = if self.target {
                &candidate.target
            } else {
                &candidate.current
            };
            self.set(b, Some(c));
            self.visit(b + 1, partial.with(fill));
            self.in_use.remove(&candidate.bucket);
        }
        self.set(b, None);
        self.visit(b + 1, partial);
    }

    fn set(&mut self, b: usize, c: Option<usize>) {
        if let Some(slot) = self.choice.get_mut(b) {
            *slot = c;
        }
    }
}

/// Ceph's `PeeringState::calc_ec_acting_stretch`: the wanted acting vector of an
/// erasure-coded stretch pool, one position per shard, holes `OsdId::NONE`.
///
/// Each zone block of `size / num_zones` positions is served from one barrier
/// bucket, a bucket serves at most one block and `size /
/// peering_crush_bucket_target` OSDs, and within a block each position takes its
/// up OSD, else its acting OSD, else (unless `restrict_to_up_acting`) a stray of
/// that bucket, always with a usable info for that very shard (complete, and
/// `last_update` at or past `auth_log_tail`). The buckets are chosen among the
/// up and acting layouts to serve the most distinct relative shards, then the
/// most positions, then keep up, then keep acting. The choice is made again as
/// if every up OSD held its shard; each up OSD that this target layout puts at
/// its up position while `want` does not is a backfill target, so `want == up`
/// leaves none. `acting_backfill` is `want`'s shards and the backfill targets.
///
/// Remaining ties go to the assignment met first: blocks in order, each trying
/// its buckets in order of first appearance in up, then acting (then strays, for
/// a block with neither), then no bucket. A pool of fewer than two zones, or
/// whose size the zones do not divide, has no zone blocks: positions are filled
/// as above from any bucket, each still capped. At most 4096 assignments are
/// scored per layout, so the work per call stays bounded whatever the pool.
///
/// Absent infos are unusable, never an error. A `size` beyond what `shard_id_t`
/// can name is refused with [`ActingError::InvalidPoolSize`], a zero
/// `peering_crush_bucket_target` with [`ActingError::StretchTargetZero`].
pub fn calc_ec_acting_stretch(
    auth_log_tail: EVersion,
    pool: &PoolInfo,
    acting: &[OsdId],
    up: &[OsdId],
    all_info: &BTreeMap<PgShard, PgInfo>,
    restrict_to_up_acting: bool,
    buckets: &StretchBuckets,
) -> Result<WantSets, ActingError> {
    // A zero size would make every zone block empty and their count unbounded.
    if pool.size == 0 || pool.size > MAX_SHARDS {
        return Err(ActingError::InvalidPoolSize { size: pool.size });
    }
    let rule = pool.stretch.unwrap_or_default();
    if rule.bucket_target == 0 {
        return Err(ActingError::StretchTargetZero);
    }
    let size = usize::try_from(pool.size).unwrap_or(0);
    let zones = usize::try_from(rule.zones()).unwrap_or(0);
    let blocked = zones >= 2 && size.checked_rem(zones) == Some(0);
    let zone_size = if blocked {
        size.checked_div(zones).unwrap_or(size)
    } else {
        size
    };

    let mut holders: Vec<Vec<OsdId>> = alloc::vec![Vec::new(); size];
    if !restrict_to_up_acting {
        for (shard, info) in all_info {
            let position = usize::try_from(shard.shard.0).ok();
            if let Some(list) = position.and_then(|p| holders.get_mut(p)) {
                if shard.osd.is_valid() && is_usable(info, auth_log_tail) {
                    list.push(shard.osd);
                }
            }
        }
    }
    let ctx = Ctx {
        up,
        acting,
        all_info,
        auth_log_tail,
        holders,
        buckets,
        bucket_max: usize::try_from(pool.size / rule.bucket_target).unwrap_or(0),
        zone_size,
    };

    let mut want = OsdVec::from_elem(OsdId::NONE, size);
    let mut target = OsdVec::from_elem(OsdId::NONE, size);
    let place = |v: &mut OsdVec, fill: &Fill| {
        for &(i, osd) in &fill.picks {
            if let Some(slot) = v.get_mut(i) {
                *slot = osd;
            }
        }
    };
    if blocked {
        let blocks: Vec<Vec<Candidate>> = (0..zones)
            .map(|b| {
                let block = b * zone_size..(b + 1) * zone_size;
                ctx.candidates(block.clone())
                    .into_iter()
                    .map(|bucket| Candidate {
                        bucket,
                        current: ctx.fill(block.clone(), Some(bucket), false),
                        target: ctx.fill(block.clone(), Some(bucket), true),
                    })
                    .collect()
            })
            .collect();
        for (is_target, v) in [(false, &mut want), (true, &mut target)] {
            let choice = Search::run(&blocks, is_target);
            for (candidates, c) in blocks.iter().zip(choice) {
                if let Some(candidate) = c.and_then(|c| candidates.get(c)) {
                    let fill = if is_target {
                        &candidate.target
                    } else {
                        &candidate.current
                    };
                    place(v, fill);
                }
            }
        }
    } else {
        place(&mut want, &ctx.fill(0..size, None, false));
        place(&mut target, &ctx.fill(0..size, None, true));
    }

    let mut sets = WantSets::default();
    for (i, (&now, &then)) in want.iter().zip(target.iter()).enumerate() {
        if let Some(osd) = Ctx::entry(up, i) {
            if then == osd && now != osd {
                sets.backfill.insert(pg_shard_at(osd, i, true));
            }
        }
    }
    for (i, &osd) in want.iter().enumerate() {
        if !osd.is_none() {
            sets.acting_backfill.insert(pg_shard_at(osd, i, true));
        }
    }
    sets.acting_backfill.extend(sets.backfill.iter().copied());
    sets.want = want;
    Ok(sets)
}
