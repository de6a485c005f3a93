//! `calc_ec_acting_stretch`: every case of Ceph's 2026
//! `src/test/osd/TestECActingStretch.cc` (the ceph/ceph copy), re-derived as one
//! test each, named after the Ceph test.
//!
//! Two fixtures, as in Ceph: two zones (dc0 = {0, 1, 2, 6}, dc1 = {3, 4, 5, 7};
//! size 6, `num_zones` 2, target 2, so `bucket_max` 3) and three zones (dc0 =
//! {0, 1, 2, 9}, dc1 = {3, 4, 5, 10}, dc2 = {6, 7, 8, 11}; size 9, target 3).
//! Ceph's pools are 2+1 stripes mirrored per zone; ours are built with
//! `k + m = size` since `PoolInfo::erasure` derives the size from them, which
//! the function does not read. Besides each case's own assertions, every call
//! checks the contract all cases rely on (`Fixture::calc`).

// Positions index up, acting and old layouts side by side, as Ceph's cases do.
#![allow(clippy::needless_range_loop)]

mod acting_support;

use std::collections::{BTreeMap, BTreeSet};

use acting_support::{InfoExt, ec, info, vec_of};
use peering_core::acting::ActingError;
use peering_core::acting::{StretchBuckets, WantSets, calc_ec_acting_stretch};
use peering_core::map::{PoolInfo, PoolKind, StretchRule};
use peering_core::types::{EVersion, OsdId, PgInfo, PgShard};

/// A hole (`CRUSH_ITEM_NONE`) in a `vec_of` literal.
const N: i32 = -1;
/// `CRUSH_ITEM_NONE` as a mandatory member: no mandatory bucket.
const NO_MEMBER: i32 = i32::MAX;
/// The barrier type, datacenter.
const DATACENTER: u32 = 9;
const DC0: i32 = -10;
const DC1: i32 = -11;
const DC2: i32 = -12;

type Infos = BTreeMap<PgShard, PgInfo>;

/// Ceph's `add_info`: shard `shard` on `osd`, complete, `last_update` (and
/// `last_complete`) `lu`, `log_tail` `lt`.
fn add(all: &mut Infos, osd: i32, shard: i8, lu: (u32, u64), lt: (u32, u64)) {
    all.insert(ec(osd, shard), info(lu.0, lu.1).tail(lt.0, lt.1));
}

/// The info an OSD returns for a shard it does not hold: `0'0`, complete.
fn add_empty(all: &mut Infos, osd: i32, shard: i8) {
    add(all, osd, shard, (0, 0), (0, 0));
}

/// The usual current shard of the later cases: `1'10`, log from `1'5`.
fn add_current(all: &mut Infos, osd: i32, shard: i8) {
    add(all, osd, shard, (1, 10), (1, 5));
}

fn set(shards: &[PgShard]) -> BTreeSet<PgShard> {
    shards.iter().copied().collect()
}

fn stretch_pool(size: u32, min_size: u32, zones: u32) -> PoolInfo {
    // k + m = size: a 2+1 stripe per zone.
    let mut pool = PoolInfo::erasure(1, 2 * zones, zones, 8);
    assert_eq!(pool.size, size);
    pool.min_size = min_size;
    pool.stretch = Some(StretchRule {
        bucket_count: zones,
        bucket_target: zones,
        bucket_barrier: DATACENTER,
        mandatory_member: NO_MEMBER,
        num_zones: zones,
    });
    pool
}

struct Fixture {
    pool: PoolInfo,
    buckets: StretchBuckets,
}

impl Fixture {
    /// `TestECActingStretch`: dc0 = {0, 1, 2, 6}, dc1 = {3, 4, 5, 7}.
    fn two_zone() -> Self {
        let mut buckets = StretchBuckets::new();
        for osd in [0, 1, 2, 6] {
            buckets.insert(OsdId(osd), DC0);
        }
        for osd in [3, 4, 5, 7] {
            buckets.insert(OsdId(osd), DC1);
        }
        Fixture {
            pool: stretch_pool(6, 5, 2),
            buckets,
        }
    }

    /// `TestECActingStretch3Zone`: dc0 = {0, 1, 2, 9}, dc1 = {3, 4, 5, 10},
    /// dc2 = {6, 7, 8, 11}.
    fn three_zone() -> Self {
        let mut buckets = StretchBuckets::new();
        for (dc, osds) in [
            (DC0, [0, 1, 2, 9]),
            (DC1, [3, 4, 5, 10]),
            (DC2, [6, 7, 8, 11]),
        ] {
            for osd in osds {
                buckets.insert(OsdId(osd), dc);
            }
        }
        Fixture {
            pool: stretch_pool(9, 7, 3),
            buckets,
        }
    }

    fn dc_of(&self, osd: OsdId) -> i32 {
        self.buckets.bucket_of(osd).unwrap()
    }

    fn calc(
        &self,
        up: &[i32],
        acting: &[i32],
        all: &Infos,
        auth: PgShard,
        restrict: bool,
    ) -> WantSets {
        self.calc_in(&self.pool, up, acting, all, auth, restrict)
    }

    /// The call of Ceph's `calc` helper (the bound is the authoritative shard's
    /// `log_tail`), then the contract every case relies on.
    fn calc_in(
        &self,
        pool: &PoolInfo,
        up: &[i32],
        acting: &[i32],
        all: &Infos,
        auth: PgShard,
        restrict: bool,
    ) -> WantSets {
        let tail = all[&auth].log_tail;
        let (up, acting) = (vec_of(up), vec_of(acting));
        let sets =
            calc_ec_acting_stretch(tail, pool, &acting, &up, all, restrict, &self.buckets).unwrap();
        self.check_contract(pool, &up, all, tail, &sets);
        sets
    }

    fn check_contract(
        &self,
        pool: &PoolInfo,
        up: &[OsdId],
        all: &Infos,
        tail: EVersion,
        s: &WantSets,
    ) {
        let size = pool.size as usize;
        assert_eq!(s.want.len(), size, "{s:?}");
        let filled: Vec<(usize, OsdId)> = s
            .want
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, o)| !o.is_none())
            .collect();
        // An OSD appears once, and serves only a shard it holds, usable.
        let osds: BTreeSet<OsdId> = filled.iter().map(|&(_, o)| o).collect();
        assert_eq!(osds.len(), filled.len(), "an OSD twice in {s:?}");
        for &(i, osd) in &filled {
            let shard = ec(osd.0, i as i8);
            let usable = all
                .get(&shard)
                .is_some_and(|inf| !inf.is_incomplete() && inf.last_update >= tail);
            assert!(usable, "want[{i}] = {osd:?} cannot serve {shard:?}: {s:?}");
        }
        // acting_backfill = want's shards and the backfill targets.
        let mut expected: BTreeSet<PgShard> =
            filled.iter().map(|&(i, o)| ec(o.0, i as i8)).collect();
        expected.extend(s.backfill.iter().copied());
        assert_eq!(s.acting_backfill, expected);
        // choose_acting asserts that want == up leaves no backfill.
        if s.want.as_slice() == up {
            assert!(s.backfill.is_empty(), "want == up with backfill: {s:?}");
        }
        // No bucket gives more than bucket_max OSDs.
        let rule = pool.stretch.unwrap();
        let mut per_dc: BTreeMap<i32, u32> = BTreeMap::new();
        for &(_, osd) in &filled {
            *per_dc.entry(self.dc_of(osd)).or_default() += 1;
        }
        assert!(
            per_dc
                .values()
                .all(|&n| n <= pool.size / rule.bucket_target),
            "{per_dc:?}"
        );
        // With zone blocks, a block is served from one bucket, a bucket serves
        // one block.
        let zones = rule.zones() as usize;
        if zones >= 2 && size % zones == 0 {
            let zs = size / zones;
            let mut owner: BTreeMap<i32, usize> = BTreeMap::new();
            for &(i, osd) in &filled {
                let block = *owner.entry(self.dc_of(osd)).or_insert(i / zs);
                assert_eq!(block, i / zs, "a bucket serves two blocks: {s:?}");
            }
        }
    }
}

/// The cases of `TestECActingStretch` (two zones).
mod two_zone {
    use super::*;

    /// `CRUSH_ITEM_NONE`, as `want` holds it.
    const NONE: OsdId = OsdId::NONE;

    fn want_at(s: &WantSets, i: usize) -> OsdId {
        s.want[i]
    }

    fn assert_unchanged_except(s: &WantSets, except: usize) {
        for i in (0..6).filter(|&i| i != except) {
            assert_eq!(want_at(s, i), OsdId(i as i32), "position {i}: {s:?}");
        }
    }

    fn assert_absent(s: &WantSets, osd: i32) {
        assert!(!s.want.contains(&OsdId(osd)), "osd.{osd} in {s:?}");
    }

    /// The fixture's two blocks sit in different datacenters.
    fn assert_fixture_zones(f: &Fixture) {
        for i in 0..3 {
            assert_ne!(f.dc_of(OsdId(i)), f.dc_of(OsdId(i + 3)));
        }
    }

    // A healthy up set that already follows the zone blocks is taken as is.
    #[test]
    fn zone_isolation_all_up() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let up = [0, 1, 2, 3, 4, 5];
        let s = f.calc(&up, &up, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
        assert_fixture_zones(&f);
    }

    // An up OSD remapped within its block's datacenter serves its position.
    #[test]
    fn zone_isolation_single_osd_down() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        add(&mut all, 6, 1, (1, 1), (0, 0));
        let s = f.calc(
            &[0, 6, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 1), OsdId(6));
        assert_eq!(f.dc_of(want_at(&s, 1)), f.dc_of(OsdId(0)));
        assert_unchanged_except(&s, 1);
    }

    // Up swaps the blocks onto OSDs without those shards: acting stays, all of up is backfilled.
    #[test]
    fn crush_rehash() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let acting = [0, 1, 2, 3, 4, 5];
        let s = f.calc(&[3, 4, 5, 0, 1, 2], &acting, &all, ec(0, 0), false);
        assert_fixture_zones(&f);
        assert_eq!(s.want, vec_of(&acting));
        assert_eq!(
            s.backfill,
            set(&[ec(3, 0), ec(4, 1), ec(5, 2), ec(0, 3), ec(1, 4), ec(2, 5)])
        );
    }

    // The surviving zone keeps serving the block it holds and is backfilled for up's block.
    #[test]
    fn crush_rehash_degraded() {
        let f = Fixture::two_zone();
        let acting = [5, 4, 3, N, N, N];
        let mut all = Infos::new();
        for (i, osd) in acting.iter().take(3).enumerate() {
            add(&mut all, *osd, i as i8, (1, i as u64), (0, 0));
        }
        let s = f.calc(&[N, N, N, 5, 4, 3], &acting, &all, ec(5, 0), false);
        assert_fixture_zones(&f);
        assert_eq!(s.want, vec_of(&acting));
        assert_eq!(s.backfill, set(&[ec(5, 3), ec(4, 4), ec(3, 5)]));
    }

    // A stray fills a hole only from the datacenter serving the block.
    #[test]
    fn stray_search_correct_zone_only() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, 1), (0, 0));
        }
        add(&mut all, 6, 1, (1, 1), (0, 0));
        add(&mut all, 7, 4, (1, 1), (0, 0));
        let s = f.calc(
            &[0, N, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 1), OsdId(6));
        assert_absent(&s, 7);
        assert_unchanged_except(&s, 1);
    }

    // An up OSD behind the log tail is backfilled and its acting OSD keeps the position.
    #[test]
    fn up_behind_log_acting_fallback_wins() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, 5), (0, 0));
        }
        add(&mut all, 6, 1, (1, 2), (0, 0));
        add(&mut all, 1, 1, (1, 5), (0, 0));
        all.get_mut(&ec(0, 0)).unwrap().log_tail = EVersion::new(1, 5);
        let s = f.calc(
            &[0, 6, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 1), OsdId(1));
        assert!(s.backfill.contains(&ec(6, 1)));
        assert_ne!(want_at(&s, 1), OsdId(6));
        assert_unchanged_except(&s, 1);
    }

    // Up behind, acting gone and only a wrong-zone stray: the position stays a hole.
    #[test]
    fn up_behind_log_acting_absent_stray_wrong_zone_no_fill() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, 5), (0, 0));
        }
        add(&mut all, 6, 1, (1, 2), (0, 0));
        add(&mut all, 7, 4, (1, 5), (0, 0));
        all.get_mut(&ec(0, 0)).unwrap().log_tail = EVersion::new(1, 5);
        let s = f.calc(
            &[0, 6, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 1), NONE);
        assert!(s.backfill.contains(&ec(6, 1)));
        assert_absent(&s, 7);
        assert_unchanged_except(&s, 1);
    }

    // A same-zone stray fills a hole of up whose acting OSD is gone, without backfill.
    #[test]
    fn up_none_acting_absent_stray_fills() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, 1), (0, 0));
        }
        add(&mut all, 6, 1, (1, 1), (0, 0));
        add(&mut all, 7, 4, (1, 1), (0, 0));
        let s = f.calc(
            &[0, N, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 1), OsdId(6));
        assert_absent(&s, 7);
        assert!(!s.backfill.contains(&ec(6, 1)));
        assert_unchanged_except(&s, 1);
    }

    // A hole in up takes its zone from the rest of the block, not from up[i].
    #[test]
    fn zone_from_block_up_position_none() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 1..6 {
            add(&mut all, i, i as i8, (1, 1), (0, 0));
        }
        add(&mut all, 6, 0, (1, 1), (0, 0));
        add(&mut all, 7, 3, (1, 1), (0, 0));
        let s = f.calc(
            &[N, 1, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(1, 1),
            false,
        );
        assert_eq!(want_at(&s, 0), OsdId(6));
        assert_absent(&s, 7);
    }

    // An acting vector shorter than the pool (old size) is read safely.
    #[test]
    fn acting_size_less_num_zones_transition() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add(&mut all, i, i as i8, (1, 1), (0, 0));
        }
        let s = f.calc(&[0, 1, 2, 3, 4, 5], &[0, 1, 2], &all, ec(0, 0), false);
        for i in 0..6 {
            assert_eq!(want_at(&s, i), OsdId(i as i32));
        }
        assert!(s.backfill.is_empty());
        assert_ne!(f.dc_of(want_at(&s, 0)), f.dc_of(want_at(&s, 3)));
    }

    // An up OSD behind the tail is backfilled; the current acting OSD of that shard serves.
    #[test]
    fn acting_fallback_relative_shard_stride() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 1, 3, 4, 5] {
            add(&mut all, i, i as i8, (2, 10), (0, 0));
        }
        add(&mut all, 6, 2, (1, 1), (1, 1));
        add(&mut all, 2, 2, (2, 10), (0, 0));
        all.get_mut(&ec(0, 0)).unwrap().log_tail = EVersion::new(1, 5);
        let s = f.calc(
            &[0, 1, 6, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(want_at(&s, 2), OsdId(2));
        assert!(s.backfill.contains(&ec(6, 2)));
        assert_unchanged_except(&s, 2);
    }

    // A datacenter at bucket_max serving one block gives nothing to the other.
    #[test]
    fn bucket_max_zone_cap_enforced() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..3 {
            add(&mut all, i, i as i8, (1, 1), (0, 0));
        }
        add(&mut all, 6, 0, (1, 1), (0, 0));
        let v = [0, 1, 2, N, N, N];
        let s = f.calc(&v, &v, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&v));
    }

    // Up swaps the blocks onto OSDs without data: each block stays in the zone holding it, no backfill.
    #[test]
    fn rehash_all_three_paths() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 2..6 {
            add(&mut all, i, i as i8, (1, 5), (0, 0));
        }
        add(&mut all, 6, 0, (1, 5), (0, 0));
        all.get_mut(&ec(3, 3)).unwrap().log_tail = EVersion::new(1, 5);
        let s = f.calc(
            &[3, 4, 5, N, N, 2],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(3, 3),
            false,
        );
        assert_eq!(s.want, vec_of(&[6, N, 2, 3, 4, 5]));
        assert!(s.backfill.is_empty());
    }

    // A stray may not serve a block from the datacenter already serving the other.
    #[test]
    fn stray_from_wrong_zone_rejected_when_zone_block_down() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for (osd, shard) in [(0, 0), (1, 1), (2, 2), (6, 3)] {
            add(&mut all, osd, shard, (1, shard as u64), (0, 0));
        }
        let v = [0, 1, 2, N, N, N];
        let s = f.calc(&v, &v, &all, ec(0, 0), false);
        if want_at(&s, 3) != NONE {
            assert_ne!(f.dc_of(want_at(&s, 3)), f.dc_of(want_at(&s, 0)));
        }
        assert_ne!(want_at(&s, 3), OsdId(6));
    }

    // An OSD holding a relative shard in one block is not reused for another block.
    #[test]
    fn no_osd_appears_twice_in_want() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 1] {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let v = [0, 1, N, N, N, N];
        let s = f.calc(&v, &v, &all, ec(0, 0), false);
        let filled: Vec<OsdId> = s.want.iter().copied().filter(|o| !o.is_none()).collect();
        let distinct: BTreeSet<OsdId> = filled.iter().copied().collect();
        assert_eq!(filled.len(), distinct.len(), "{s:?}");
    }

    // restrict_to_up_acting keeps a current same-zone stray out; unrestricted, it fills.
    #[test]
    fn restrict_to_up_acting_no_strays() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 2, 3, 4, 5] {
            add(&mut all, i, i as i8, (1, 10), (0, 0));
        }
        add(&mut all, 6, 1, (1, 10), (0, 0));
        let v = [0, N, 2, 3, 4, 5];
        let s = f.calc(&v, &v, &all, ec(0, 0), true);
        assert_eq!(s.want, vec_of(&[0, N, 2, 3, 4, 5]));
        assert!(s.backfill.is_empty());
        assert!(!s.acting_backfill.contains(&ec(6, 1)));
        let s = f.calc(&v, &v, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&[0, 6, 2, 3, 4, 5]));
    }

    // restrict_to_up_acting still falls back to acting[i] when up[i] is behind.
    #[test]
    fn restrict_to_up_acting_acting_fallback_still_used() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        add(&mut all, 6, 1, (1, 2), (0, 0));
        let s = f.calc(
            &[0, 6, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            true,
        );
        assert_eq!(s.want, vec_of(&[0, 1, 2, 3, 4, 5]));
        assert_eq!(s.backfill, set(&[ec(6, 1)]));
        assert!(s.acting_backfill.contains(&ec(6, 1)));
    }

    // A block entirely behind the tail is refilled only by same-zone strays of the same shard.
    #[test]
    fn zone1_auth_zone0_behind_log_tail() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in [0, 1, 2] {
            add(&mut all, i, i as i8, (1, 5), (0, 0));
        }
        for i in [3, 4, 5] {
            add(&mut all, i, i as i8, (1, 12), (1, 10));
        }
        add(&mut all, 6, 0, (1, 12), (0, 0));
        add(&mut all, 7, 3, (1, 12), (0, 0));
        let v = [0, 1, 2, 3, 4, 5];
        let s = f.calc(&v, &v, &all, ec(4, 4), false);
        assert_eq!(s.want, vec_of(&[6, N, N, 3, 4, 5]));
        assert_eq!(s.backfill, set(&[ec(0, 0), ec(1, 1), ec(2, 2)]));
        let mut expected = s.backfill.clone();
        for (i, osd) in s.want.iter().enumerate() {
            if !osd.is_none() {
                expected.insert(ec(osd.0, i as i8));
            }
        }
        assert_eq!(s.acting_backfill, expected);
    }

    // Swapped blocks whose up OSDs hold only empty infos never give want == up with backfill.
    #[test]
    fn zone_block_swap_want_equals_up_implies_no_backfill() {
        let f = Fixture::two_zone();
        let up = [3, 4, 5, 0, 1, 2];
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i as i32, i as i8);
            add_empty(&mut all, up[i], i as i8);
        }
        let s = f.calc(&up, &[0, 1, 2, 3, 4, 5], &all, ec(0, 0), false);
        // Not (want == up with backfill targets).
        assert!(s.want != vec_of(&up) || s.backfill.is_empty(), "{s:?}");
    }

    // A block with no up entries keeps its current acting zone.
    #[test]
    fn up_zone_block_all_none_current_acting_zone_kept() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        let s = f.calc(
            &[0, 1, 2, N, N, N],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(s.want, vec_of(&[0, 1, 2, 3, 4, 5]));
    }

    // An OSD serves a position only with a usable info for that absolute shard (or is backfilled).
    #[test]
    fn other_absolute_shard_pick_is_backfilled() {
        let f = Fixture::two_zone();
        let check = |up: &[i32], acting: &[i32], all: &Infos, restrict: bool| {
            let s = f.calc(up, acting, all, ec(0, 0), restrict);
            let tail = all[&ec(0, 0)].log_tail;
            for (i, osd) in s.want.iter().enumerate() {
                if osd.is_none() {
                    continue;
                }
                let shard = ec(osd.0, i as i8);
                let usable = all
                    .get(&shard)
                    .is_some_and(|inf| !inf.is_incomplete() && inf.last_update >= tail);
                assert!(usable || s.backfill.contains(&shard), "{shard:?}: {s:?}");
            }
        };
        let mut all = Infos::new();
        for i in [0, 1, 2, 3, 5] {
            add_current(&mut all, i, i as i8);
        }
        add(&mut all, 7, 1, (1, 10), (0, 0));
        let up = [0, 1, 2, 3, N, 5];
        // Stray path: osd.7 (dc1) holds shard 1, not shard 4.
        check(&up, &up, &all, false);
        // Acting path: osd.7 sits at acting[1].
        check(&up, &[0, 7, 2, 3, N, 5], &all, true);
    }

    // Strays picked for a block count toward their datacenter's bucket_max.
    #[test]
    fn stray_pick_counts_toward_zone_bucket_max() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for (osd, shard) in [(0, 0), (1, 1), (2, 2), (6, 3)] {
            add(&mut all, osd, shard, (1, 10), (0, 0));
        }
        let v = [0, N, N, 6, N, N];
        let s = f.calc(&v, &v, &all, ec(0, 0), false);
        let mut per_dc: BTreeMap<i32, u32> = BTreeMap::new();
        for osd in s.want.iter().filter(|o| !o.is_none()) {
            *per_dc.entry(f.dc_of(*osd)).or_default() += 1;
        }
        assert!(per_dc.values().all(|&n| n <= 3), "{per_dc:?} from {s:?}");
    }

    // A lone cross-zone up entry neither costs the rest of its block nor is backfilled.
    #[test]
    fn single_cross_zone_up_entry_keeps_rest_of_zone_block() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        add_empty(&mut all, 6, 3);
        let s = f.calc(
            &[0, 1, 2, 6, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(&s.want[3..6], &[OsdId(3), OsdId(4), OsdId(5)][..]);
        assert!(s.backfill.is_empty());
    }

    // Keep the complete acting layout and backfill all of up, even its usable OSDs; then follow up.
    #[test]
    fn partial_zone_block_swap_keeps_complete_acting() {
        let f = Fixture::two_zone();
        let up = [3, 4, 5, 0, 1, 2];
        let acting = [0, 1, 2, 3, 4, 5];
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        for i in 0..3 {
            add_current(&mut all, up[i], i as i8);
        }
        let s = f.calc(&up, &acting, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&acting));
        assert_eq!(
            s.backfill,
            set(&[ec(3, 0), ec(4, 1), ec(5, 2), ec(0, 3), ec(1, 4), ec(2, 5)])
        );
        add(&mut all, 3, 0, (1, 4), (0, 0));
        for t in &s.backfill {
            add_current(&mut all, t.osd.0, t.shard.0);
        }
        let s = f.calc(&up, &acting, &all, ec(0, 0), true);
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
    }

    // With no up and both zones holding every shard, acting is kept rather than strays.
    #[test]
    fn equal_holders_no_up_prefers_acting() {
        let f = Fixture::two_zone();
        let acting = [0, 1, 2, 3, 4, 5];
        let swapped = [3, 4, 5, 0, 1, 2];
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, acting[i], i as i8);
            add_current(&mut all, swapped[i], i as i8);
        }
        let s = f.calc(&[N; 6], &acting, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&acting));
    }

    // The layout serving more shards wins when no zone holds k shards of a block.
    #[test]
    fn no_zone_with_k_shards_keeps_most_shards() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for (osd, shard) in [(0, 0), (4, 4), (3, 0)] {
            add_current(&mut all, osd, shard);
        }
        let acting = [0, N, N, N, 4, N];
        let s = f.calc(&[3, N, N, N, N, N], &acting, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&acting));
    }

    // Distinct relative shards outrank following up: two copies of one chunk do not recover.
    #[test]
    fn no_zone_with_k_shards_up_does_not_cost_recoverability() {
        let f = Fixture::two_zone();
        let mut all = Infos::new();
        for (osd, shard) in [(0, 2), (0, 4), (3, 1), (3, 3)] {
            add_current(&mut all, osd, shard);
        }
        let acting = [N, N, 0, 3, N, N];
        let s = f.calc(&[N, 3, N, N, 0, N], &acting, &all, ec(0, 2), false);
        assert_eq!(s.want, vec_of(&acting));
    }

    // A single-zone stretch pool has no zone blocks: up across both datacenters is kept.
    #[test]
    fn single_zone_stretch_pool_keeps_up_across_datacenters() {
        let f = Fixture::two_zone();
        let mut single_zone = f.pool;
        let rule = single_zone.stretch.as_mut().unwrap();
        rule.num_zones = 1;
        rule.bucket_count = 1;
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        let up = [0, 1, 2, 3, 4, 5];
        let s = f.calc_in(&single_zone, &up, &up, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
    }

    // Up's block on the zone serving the other loses to acting and is not backfilled (ceph/ceph copy).
    #[test]
    fn up_zone_block_onto_serving_zone_keeps_acting() {
        let f = Fixture::two_zone();
        let up = [N, N, N, 1, 0, 2];
        let acting = [0, 1, 2, 3, N, N];
        let mut all = Infos::new();
        for i in 0..4 {
            add_current(&mut all, acting[i], i as i8);
        }
        for i in 3..6 {
            add_empty(&mut all, up[i], i as i8);
        }
        for restrict in [false, true] {
            let s = f.calc(&up, &acting, &all, ec(0, 0), restrict);
            assert_eq!(s.want, vec_of(&acting), "restrict {restrict}");
            assert!(s.backfill.is_empty(), "restrict {restrict}: {s:?}");
        }
    }

    // Strays of an older layout never pull a block from up == acting; the empty up shard is backfilled.
    #[test]
    fn returning_empty_up_shard_keeps_up_acting_zones() {
        let f = Fixture::two_zone();
        let up = [6, 0, 2, 5, 7, 4];
        let old_layout = [7, 3, 5, 1, 6, 2];
        let mut all = Infos::new();
        for i in 0..6 {
            add(&mut all, old_layout[i], i as i8, (10, 100), (1, 5));
            if i != 3 {
                add(&mut all, up[i], i as i8, (20, 200), (1, 5));
            }
        }
        add_empty(&mut all, 5, 3);
        let s = f.calc(&up, &up, &all, ec(0, 1), false);
        assert_eq!(s.want, vec_of(&[6, 0, 2, N, 7, 4]));
        assert_eq!(s.backfill, set(&[ec(5, 3)]));
    }

    // The newest shards keep their zone against older strays; the incomplete up shard is backfilled.
    #[test]
    fn returning_zone_current_shards_keep_their_zone() {
        let f = Fixture::two_zone();
        let acting = [N, 0, 2, N, N, N];
        let mut all = Infos::new();
        add(&mut all, 0, 1, (20, 200), (1, 5));
        add(&mut all, 2, 2, (20, 200), (1, 5));
        add(&mut all, 3, 1, (10, 100), (1, 5));
        add(&mut all, 5, 2, (10, 100), (1, 5));
        add(&mut all, 1, 3, (10, 100), (1, 5));
        add(&mut all, 2, 5, (10, 100), (1, 5));
        all.insert(ec(5, 3), info(20, 200).tail(1, 5).incomplete());
        let s = f.calc(&[N, 0, 2, 5, N, N], &acting, &all, ec(2, 2), false);
        assert_eq!(s.want, vec_of(&acting));
        assert_eq!(s.backfill, set(&[ec(5, 3)]));
    }
}

/// The cases of `TestECActingStretch3Zone` (three zones).
mod three_zone {
    use super::*;

    fn assert_distinct_zones(f: &Fixture, s: &WantSets, blocks: usize) {
        let dcs: BTreeSet<i32> = (0..blocks).map(|b| f.dc_of(s.want[b * 3])).collect();
        assert_eq!(dcs.len(), blocks, "{s:?}");
    }

    /// Ceph's `calc_two_to_three`: a 2-zone PG grown to three zones; acting is
    /// the old six, the new zone's OSDs answer with empty infos, the shards' logs
    /// start at `log_tail`.
    fn calc_two_to_three(f: &Fixture, up: &[i32], log_tail: (u32, u64)) -> WantSets {
        let mut all = Infos::new();
        for i in 0..6 {
            add(&mut all, i, i as i8, (1, 10), log_tail);
        }
        for i in 6..9 {
            add_empty(&mut all, up[i], i as i8);
        }
        f.calc(up, &[0, 1, 2, 3, 4, 5], &all, ec(0, 0), false)
    }

    // A healthy up set over three zones is taken as is.
    #[test]
    fn all_up_three_zones() {
        let f = Fixture::three_zone();
        let mut all = Infos::new();
        for i in 0..9 {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let up = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        let s = f.calc(&up, &up, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
        assert_distinct_zones(&f, &s, 3);
    }

    // Up rotates the blocks onto OSDs without those shards: acting stays, all of up is backfilled.
    #[test]
    fn crush_rehash_three_zones() {
        let f = Fixture::three_zone();
        let mut all = Infos::new();
        for i in 0..9 {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let up = [3, 4, 5, 6, 7, 8, 0, 1, 2];
        let acting = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        let s = f.calc(&up, &acting, &all, ec(0, 0), false);
        assert_eq!(s.want, vec_of(&acting));
        let expected: BTreeSet<PgShard> = up
            .iter()
            .enumerate()
            .map(|(i, &o)| ec(o, i as i8))
            .collect();
        assert_eq!(s.backfill, expected);
        assert_distinct_zones(&f, &s, 3);
    }

    // Shrinking to two zones: OSDs serve their old shards, are backfilled for the new, dc2 drops out.
    #[test]
    fn zone_transition_three_to_two() {
        let f = Fixture::three_zone();
        let mut two_zone = f.pool;
        two_zone.size = 6;
        two_zone.kind = PoolKind::Erasure { k: 4, m: 2 };
        let rule = two_zone.stretch.as_mut().unwrap();
        rule.num_zones = 2;
        rule.bucket_target = 2;
        rule.bucket_count = 2;
        let mut all = Infos::new();
        for i in 0..9 {
            add(&mut all, i, i as i8, (1, i as u64), (0, 0));
        }
        let s = f.calc_in(
            &two_zone,
            &[3, 4, 5, 0, 1, 2],
            &[0, 1, 2, 3, 4, 5, 6, 7, 8],
            &all,
            ec(0, 0),
            false,
        );
        assert_eq!(s.want, vec_of(&[0, 1, 2, 3, 4, 5]));
        assert_eq!(
            s.backfill,
            set(&[ec(3, 0), ec(4, 1), ec(5, 2), ec(0, 3), ec(1, 4), ec(2, 5)])
        );
        assert_distinct_zones(&f, &s, 2);
    }

    // Growing to three zones: the new zone joins by log recovery if it can, else by backfill only.
    #[test]
    fn zone_transition_two_to_three() {
        let f = Fixture::three_zone();
        let up = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        let s = calc_two_to_three(&f, &up, (0, 0));
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
        let s = calc_two_to_three(&f, &up, (1, 5));
        assert_eq!(s.want, vec_of(&[0, 1, 2, 3, 4, 5, N, N, N]));
        assert_eq!(s.backfill, set(&[ec(6, 6), ec(7, 7), ec(8, 8)]));
    }

    // With the new zone first in up, blocks stay one zone each, no OSD twice, all data holders kept.
    #[test]
    fn zone_transition_two_to_three_new_zone_first() {
        let f = Fixture::three_zone();
        let s = calc_two_to_three(&f, &[6, 7, 8, 0, 1, 2, 3, 4, 5], (1, 5));
        assert_eq!(s.want.len(), 9);
        let mut seen = BTreeSet::new();
        for osd in s.want.iter().filter(|o| !o.is_none()) {
            assert!(seen.insert(*osd), "{osd:?} twice in {s:?}");
        }
        for block in 0..3 {
            let dcs: BTreeSet<i32> = s.want[block * 3..block * 3 + 3]
                .iter()
                .filter(|o| !o.is_none())
                .map(|&o| f.dc_of(o))
                .collect();
            assert!(dcs.len() <= 1, "block {block}: {s:?}");
        }
        for osd in 0..6 {
            assert!(seen.contains(&OsdId(osd)), "osd.{osd} holds data: {s:?}");
        }
    }
}

/// Beyond Ceph's cases: refused input, pools without zone blocks, and the bound
/// on the layout search.
mod bounds {
    use super::*;

    #[test]
    // A size shard ids cannot name (or zero), and a zero bucket target, are refused.
    fn refuses_oversized_pool_and_zero_target() {
        let f = Fixture::two_zone();
        let mut pool = f.pool;
        pool.size = 200;
        let all = Infos::new();
        let err = calc_ec_acting_stretch(EVersion::ZERO, &pool, &[], &[], &all, false, &f.buckets);
        assert_eq!(err, Err(ActingError::InvalidPoolSize { size: 200 }));
        // Size 0 with two zones would make zero-width blocks without end.
        pool.size = 0;
        let err = calc_ec_acting_stretch(EVersion::ZERO, &pool, &[], &[], &all, false, &f.buckets);
        assert_eq!(err, Err(ActingError::InvalidPoolSize { size: 0 }));
        let mut pool = f.pool;
        pool.stretch.as_mut().unwrap().bucket_target = 0;
        let err = calc_ec_acting_stretch(EVersion::ZERO, &pool, &[], &[], &all, false, &f.buckets);
        assert_eq!(err, Err(ActingError::StretchTargetZero));
    }

    #[test]
    // Zones that do not divide the size give no zone blocks, only the bucket_max cap.
    fn indivisible_zones_fill_without_blocks() {
        let f = Fixture::two_zone();
        let mut pool = f.pool;
        pool.stretch.as_mut().unwrap().num_zones = 4;
        let mut all = Infos::new();
        for i in 0..6 {
            add_current(&mut all, i, i as i8);
        }
        add_current(&mut all, 6, 3);
        let up = [0, 1, 2, 6, 4, 5];
        let s = f.calc_in(&pool, &up, &[0, 1, 2, 3, 4, 5], &all, ec(0, 0), false);
        // dc0 is at bucket_max with 0, 1, 2: osd.6 is capped out, acting fills.
        assert_eq!(s.want, vec_of(&[0, 1, 2, 3, 4, 5]));
        assert!(s.backfill.is_empty());
    }

    #[test]
    // 63 zones with two candidate buckets each: the search stops at its budget, still valid.
    fn many_zones_stay_bounded() {
        let zones = 63u32;
        let mut pool = PoolInfo::erasure(1, 84, 42, 8);
        pool.stretch = Some(StretchRule {
            bucket_count: zones,
            bucket_target: zones,
            bucket_barrier: DATACENTER,
            mandatory_member: NO_MEMBER,
            num_zones: zones,
        });
        // OSD o sits in bucket -(1 + o / 2); up puts block b in bucket b, acting
        // in bucket b + 1, and every OSD holds its up and its acting shard.
        let mut buckets = StretchBuckets::new();
        for o in 0..126 {
            buckets.insert(OsdId(o), -1 - o / 2);
        }
        let up: Vec<i32> = (0..126).collect();
        let acting: Vec<i32> = (0..126).map(|i| (i + 2) % 126).collect();
        let mut all = Infos::new();
        for i in 0..126 {
            add_current(&mut all, up[i], i as i8);
            add_current(&mut all, acting[i], i as i8);
        }
        let f = Fixture { pool, buckets };
        let s = f.calc(&up, &acting, &all, ec(0, 0), false);
        // The first assignment met (every block on up's bucket) scores best.
        assert_eq!(s.want, vec_of(&up));
        assert!(s.backfill.is_empty());
    }
}
