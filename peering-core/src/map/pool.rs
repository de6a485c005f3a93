//! Pool parameters and map flags as peering reads them (`pg_pool_t`, `OSDMap`).

use crate::types::{Epoch, PgId, PoolId, Timespan};

/// A pool's flags (`pg_pool_t::FLAG_*`), Ceph's bit values.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PoolFlags(pub u64);

impl PoolFlags {
    /// `FLAG_HASHPSPOOL`: the placement seed is hashed with the pool id.
    pub const HASHPSPOOL: PoolFlags = PoolFlags(1 << 0);
    /// `FLAG_FULL`: the pool is full; a pool turning full starts a new interval.
    pub const FULL: PoolFlags = PoolFlags(1 << 1);
    /// `FLAG_EC_OVERWRITES`: an erasure-coded pool allows partial overwrites.
    pub const EC_OVERWRITES: PoolFlags = PoolFlags(1 << 2);
    /// `FLAG_INCOMPLETE_CLONES`.
    pub const INCOMPLETE_CLONES: PoolFlags = PoolFlags(1 << 3);
    /// `FLAG_NODELETE`: the pool may not be deleted.
    pub const NODELETE: PoolFlags = PoolFlags(1 << 4);
    /// `FLAG_NOPGCHANGE`: `pg_num`/`pgp_num` may not change.
    pub const NOPGCHANGE: PoolFlags = PoolFlags(1 << 5);
    /// `FLAG_NOSIZECHANGE`: `size`/`min_size` may not change.
    pub const NOSIZECHANGE: PoolFlags = PoolFlags(1 << 6);
    /// `FLAG_NOSCRUB`.
    pub const NOSCRUB: PoolFlags = PoolFlags(1 << 8);
    /// `FLAG_NODEEP_SCRUB`.
    pub const NODEEP_SCRUB: PoolFlags = PoolFlags(1 << 9);
    /// `FLAG_FULL_QUOTA`: full because of its quota.
    pub const FULL_QUOTA: PoolFlags = PoolFlags(1 << 10);
    /// `FLAG_NEARFULL`.
    pub const NEARFULL: PoolFlags = PoolFlags(1 << 11);
    /// `FLAG_BACKFILLFULL`.
    pub const BACKFILLFULL: PoolFlags = PoolFlags(1 << 12);
    /// `FLAG_CREATING`: the pool's PGs are being created; an activating primary
    /// reports it to the monitor (`pg_created`).
    pub const CREATING: PoolFlags = PoolFlags(1 << 15);
    /// `FLAG_EIO`.
    pub const EIO: PoolFlags = PoolFlags(1 << 16);
    /// `FLAG_BULK`.
    pub const BULK: PoolFlags = PoolFlags(1 << 17);

    /// No flag set.
    pub const EMPTY: PoolFlags = PoolFlags(0);

    /// True when every bit of `f` is set (`has_flag`).
    pub const fn contains(self, f: PoolFlags) -> bool {
        self.0 & f.0 == f.0
    }

    /// Sets `f` (`set_flag`).
    pub fn insert(&mut self, f: PoolFlags) {
        self.0 |= f.0;
    }

    /// Clears `f` (`unset_flag`).
    pub fn remove(&mut self, f: PoolFlags) {
        self.0 &= !f.0;
    }
}

impl core::ops::BitOr for PoolFlags {
    type Output = PoolFlags;
    fn bitor(self, rhs: PoolFlags) -> PoolFlags {
        PoolFlags(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for PoolFlags {
    fn bitor_assign(&mut self, rhs: PoolFlags) {
        self.0 |= rhs.0;
    }
}

/// The OSD map's flags (`CEPH_OSDMAP_*`), Ceph's bit values.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MapFlags(pub u32);

impl MapFlags {
    /// `CEPH_OSDMAP_NEARFULL`.
    pub const NEARFULL: MapFlags = MapFlags(1 << 0);
    /// `CEPH_OSDMAP_FULL`.
    pub const FULL: MapFlags = MapFlags(1 << 1);
    /// `CEPH_OSDMAP_PAUSERD`.
    pub const PAUSERD: MapFlags = MapFlags(1 << 2);
    /// `CEPH_OSDMAP_PAUSEWR`.
    pub const PAUSEWR: MapFlags = MapFlags(1 << 3);
    /// `CEPH_OSDMAP_PAUSEREC`.
    pub const PAUSEREC: MapFlags = MapFlags(1 << 4);
    /// `CEPH_OSDMAP_NOUP`: OSDs may not be marked up.
    pub const NOUP: MapFlags = MapFlags(1 << 5);
    /// `CEPH_OSDMAP_NODOWN`: OSDs may not be marked down.
    pub const NODOWN: MapFlags = MapFlags(1 << 6);
    /// `CEPH_OSDMAP_NOOUT`: OSDs may not be marked out.
    pub const NOOUT: MapFlags = MapFlags(1 << 7);
    /// `CEPH_OSDMAP_NOIN`: OSDs may not be marked in.
    pub const NOIN: MapFlags = MapFlags(1 << 8);
    /// `CEPH_OSDMAP_NOBACKFILL`: backfill is paused.
    pub const NOBACKFILL: MapFlags = MapFlags(1 << 9);
    /// `CEPH_OSDMAP_NORECOVER`: recovery is paused.
    pub const NORECOVER: MapFlags = MapFlags(1 << 10);
    /// `CEPH_OSDMAP_NOSCRUB`.
    pub const NOSCRUB: MapFlags = MapFlags(1 << 11);
    /// `CEPH_OSDMAP_NODEEP_SCRUB`.
    pub const NODEEP_SCRUB: MapFlags = MapFlags(1 << 12);
    /// `CEPH_OSDMAP_NOTIERAGENT`.
    pub const NOTIERAGENT: MapFlags = MapFlags(1 << 13);
    /// `CEPH_OSDMAP_NOREBALANCE`.
    pub const NOREBALANCE: MapFlags = MapFlags(1 << 14);
    /// `CEPH_OSDMAP_SORTBITWISE`: objects sort by bit-reversed hash (a change starts
    /// a new interval).
    pub const SORTBITWISE: MapFlags = MapFlags(1 << 15);
    /// `CEPH_OSDMAP_REQUIRE_JEWEL`.
    pub const REQUIRE_JEWEL: MapFlags = MapFlags(1 << 16);
    /// `CEPH_OSDMAP_REQUIRE_KRAKEN`.
    pub const REQUIRE_KRAKEN: MapFlags = MapFlags(1 << 17);
    /// `CEPH_OSDMAP_REQUIRE_LUMINOUS`.
    pub const REQUIRE_LUMINOUS: MapFlags = MapFlags(1 << 18);
    /// `CEPH_OSDMAP_RECOVERY_DELETES`: deletes are recovered as missing items (a
    /// change starts a new interval).
    pub const RECOVERY_DELETES: MapFlags = MapFlags(1 << 19);
    /// `CEPH_OSDMAP_PURGED_SNAPDIRS`.
    pub const PURGED_SNAPDIRS: MapFlags = MapFlags(1 << 20);
    /// `CEPH_OSDMAP_NOSNAPTRIM`.
    pub const NOSNAPTRIM: MapFlags = MapFlags(1 << 21);
    /// `CEPH_OSDMAP_PGLOG_HARDLIMIT`.
    pub const PGLOG_HARDLIMIT: MapFlags = MapFlags(1 << 22);

    /// True when every bit of `flag` is set (`test_flag`).
    pub const fn contains(self, flag: MapFlags) -> bool {
        self.0 & flag.0 == flag.0
    }

    /// The union of two flag sets.
    pub const fn with(self, flag: MapFlags) -> MapFlags {
        MapFlags(self.0 | flag.0)
    }
}

/// A pool's redundancy scheme (`pg_pool_t::type`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PoolKind {
    /// `TYPE_REPLICATED`: every acting OSD holds a full copy; positions may shift.
    Replicated,
    /// `TYPE_ERASURE`: `k` data and `m` coding shards; each position is a shard and
    /// holes (`CRUSH_ITEM_NONE`) keep their place.
    Erasure {
        /// Data chunks.
        k: u32,
        /// Coding chunks.
        m: u32,
    },
}

/// A PG's part in its pool's pending merge (`pg_pool_t::is_pending_merge`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MergeRole {
    /// The PG folds into its parent when `pg_num` drops to `pg_num_pending`.
    Source,
    /// A PG folds into this one.
    Target,
}

/// A stretch pool's peering constraint (Pacific, `peering_crush_*`).
///
/// The default is `pg_pool_t`'s: every field 0 and no mandatory member
/// (`CRUSH_ITEM_NONE`), which is no stretch pool.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StretchRule {
    /// `peering_crush_bucket_count`: distinct buckets the acting set must span.
    pub bucket_count: u32,
    /// `peering_crush_bucket_target`.
    pub bucket_target: u32,
    /// `peering_crush_bucket_barrier`: the CRUSH type of those buckets.
    pub bucket_barrier: u32,
    /// `peering_crush_mandatory_member`: a bucket that must be represented.
    /// Bucket ids are negative; any other value (Ceph's `CRUSH_ITEM_NONE`, the
    /// default) names no bucket.
    pub mandatory_member: i32,
    /// `num_zones` (erasure-coded stretch pools): how many blocks of consecutive
    /// shard positions the pool is split into, each served from one bucket of the
    /// barrier type. Zero means `bucket_count`, the number the pool must span.
    pub num_zones: u32,
}

impl Default for StretchRule {
    fn default() -> Self {
        StretchRule {
            bucket_count: 0,
            bucket_target: 0,
            bucket_barrier: 0,
            // `pg_CRUSH_ITEM_NONE`.
            mandatory_member: 0x7fff_ffff,
            num_zones: 0,
        }
    }
}

impl StretchRule {
    /// The mandatory bucket, if one is named (`mandatory_member !=
    /// pg_CRUSH_ITEM_NONE`); only negative ids are buckets.
    pub const fn mandatory_bucket(&self) -> Option<i32> {
        if self.mandatory_member < 0 {
            Some(self.mandatory_member)
        } else {
            None
        }
    }

    /// `num_zones`, or `bucket_count` when it is zero.
    ///
    /// Maps decoded from Ceph's binary encoding (up to `pg_pool_t` v31) carry
    /// no `num_zones`, so their erasure-coded stretch pools count zones by
    /// `bucket_count`; when the monitor lowers that to 1 for degraded stretch
    /// mode, such a pool loses its zone blocks, where Ceph keeps `num_zones`.
    pub const fn zones(&self) -> u32 {
        if self.num_zones == 0 {
            self.bucket_count
        } else {
            self.num_zones
        }
    }
}

/// The largest `pg_num` (and `pg_num_pending`) the core accepts in a pool: Ceph's
/// `mon_max_pool_pg_num` at its default, 65,536, the most PGs the monitor lets a
/// pool have (`OSDMonitor` refuses a larger `pg_num` at pool creation and on
/// `osd pool set pg_num`).
///
/// The PG machine refuses a map whose pool exceeds it
/// ([`crate::BadInput::PgNumTooLarge`](crate::BadInput::PgNumTooLarge)), so a
/// split hands out at most `MAX_POOL_PG_NUM - 1` children and the work and
/// memory of one event stay bounded whatever map a host is given.
pub const MAX_POOL_PG_NUM: u32 = 65_536;

/// What peering reads of a `pg_pool_t`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PoolInfo {
    /// The pool id.
    pub id: PoolId,
    /// Replicated or erasure-coded.
    pub kind: PoolKind,
    /// Number of replicas, or `k + m` shards.
    pub size: u32,
    /// Fewest acting shards with which the PG may go active.
    pub min_size: u32,
    /// Number of placement groups.
    pub pg_num: u32,
    /// Number of placement seeds used for placement.
    pub pgp_num: u32,
    /// `pg_num_pending`: the pg_num a pending merge is heading to.
    pub pg_num_pending: u32,
    /// The CRUSH rule placing this pool.
    pub crush_rule: i32,
    /// `pg_pool_t` flags (`FLAG_*`).
    pub flags: PoolFlags,
    /// The epoch the pool last changed.
    pub last_change: Epoch,
    /// The stretch constraint, when the pool is a stretch pool.
    pub stretch: Option<StretchRule>,
    /// The pool option `read_lease_interval` (`pool_opts_t::READ_LEASE_INTERVAL`):
    /// this pool's read-lease length, when set.
    pub read_lease_interval: Option<Timespan>,
}

impl PoolInfo {
    /// A replicated pool of `size` replicas and `pg_num` PGs; `min_size` as Ceph's
    /// default (`size - size / 2`).
    pub fn replicated(id: PoolId, size: u32, pg_num: u32) -> Self {
        PoolInfo {
            id,
            kind: PoolKind::Replicated,
            size,
            min_size: size - size / 2,
            pg_num,
            pgp_num: pg_num,
            pg_num_pending: pg_num,
            crush_rule: 0,
            flags: PoolFlags::EMPTY,
            last_change: 0,
            stretch: None,
            read_lease_interval: None,
        }
    }

    /// An erasure-coded `k + m` pool of `pg_num` PGs; `min_size` as the
    /// monitor sets it (`OSDMonitor::prepare_pool_size`: `k + min(1, m - 1)`,
    /// so `k + 1` unless `m` is 1).
    pub fn erasure(id: PoolId, k: u32, m: u32, pg_num: u32) -> Self {
        // Saturating: a constructor must not panic on absurd input (DESIGN.md §4).
        let size = k.saturating_add(m);
        PoolInfo {
            id,
            kind: PoolKind::Erasure { k, m },
            size,
            min_size: k.saturating_add(m.saturating_sub(1).min(1)).min(size),
            pg_num,
            pgp_num: pg_num,
            pg_num_pending: pg_num,
            crush_rule: 0,
            flags: PoolFlags::EMPTY,
            last_change: 0,
            stretch: None,
            read_lease_interval: None,
        }
    }

    /// `is_erasure()`.
    pub const fn is_erasure(&self) -> bool {
        matches!(self.kind, PoolKind::Erasure { .. })
    }

    /// `is_replicated()`.
    pub const fn is_replicated(&self) -> bool {
        matches!(self.kind, PoolKind::Replicated)
    }

    /// `can_shift_osds()`: replicated pools may reorder acting OSDs; EC positions are
    /// shards and may not move.
    pub const fn can_shift_osds(&self) -> bool {
        self.is_replicated()
    }

    /// `require_rollback()`: EC pools must be able to roll divergent entries back, so
    /// the authoritative log is chosen oldest-first.
    pub const fn require_rollback(&self) -> bool {
        self.is_erasure()
    }

    /// Whether `pg_num` and `pg_num_pending` are within [`MAX_POOL_PG_NUM`]
    /// (`mon_max_pool_pg_num`, the monitor's check in `prepare_new_pool` and
    /// `prepare_command_pool_set`).
    pub const fn pg_num_within_limit(&self) -> bool {
        self.pg_num <= MAX_POOL_PG_NUM && self.pg_num_pending <= MAX_POOL_PG_NUM
    }

    /// `PGPool::get_readable_interval`: the pool's own lease length, or the
    /// default (`osd_heartbeat_grace × osd_pool_default_read_lease_ratio`).
    pub fn readable_interval(&self, cfg: &crate::machine::Config) -> Timespan {
        self.read_lease_interval
            .unwrap_or(cfg.default_read_lease_interval)
    }

    /// `pg_pool_t::set_pg_num`: `pg_num` and `pg_num_pending` together (a
    /// merge lowers `pg_num_pending` alone first, with
    /// [`PoolInfo::pg_num_pending`]).
    pub fn set_pg_num(&mut self, pg_num: u32) {
        self.pg_num = pg_num;
        self.pg_num_pending = pg_num;
    }

    /// `pg_pool_t::is_pending_merge(pgid, &target)`: while `pg_num_pending` is
    /// below `pg_num`, the PGs from `pg_num_pending` up are merge sources and
    /// their parents merge targets. Bounded: a target is found by testing its
    /// at most 32 possible children rather than every pending seed.
    pub fn pending_merge(&self, pgid: PgId) -> Option<MergeRole> {
        if self.pg_num_pending >= self.pg_num {
            return None;
        }
        let seed = pgid.seed;
        if seed >= self.pg_num_pending && seed < self.pg_num {
            return Some(MergeRole::Source);
        }
        // The children of `seed` are `seed + 2^j` for each power of two above it
        // (`pg_t::get_parent` clears the top bit).
        let target = (0..32u32)
            .map(|j| 1u64 << j)
            .filter(|&bit| bit > u64::from(seed))
            .map(|bit| u64::from(seed) + bit)
            .any(|child| child >= u64::from(self.pg_num_pending) && child < u64::from(self.pg_num));
        target.then_some(MergeRole::Target)
    }

    /// `is_stretch_pool()`: a stretch rule whose `bucket_count` is not zero.
    pub const fn is_stretch_pool(&self) -> bool {
        match &self.stretch {
            Some(rule) => rule.bucket_count != 0,
            None => false,
        }
    }

    /// The stretch rule in force (`pg_pool_t::maybe_peering_crush_data`):
    /// `Some` exactly when [`PoolInfo::is_stretch_pool`].
    pub const fn stretch_rule(&self) -> Option<&StretchRule> {
        match &self.stretch {
            Some(rule) if rule.bucket_count != 0 => Some(rule),
            _ => None,
        }
    }
}
