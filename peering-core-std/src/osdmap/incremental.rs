//! [`Incremental`]: the change from one map epoch to the next (`OSDMap::Incremental`.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::machine::MergeMeta;
use peering_core::map::{MapFlags, PoolInfo};
use peering_core::types::{Epoch, OsdId, OsdVec, PgId, PoolId};

use super::crush_rules::CrushHandle;
use super::map::UpmapItems;
use super::osd::{OsdXinfo, WEIGHT_IN, WEIGHT_OUT};

/// Ceph's `OSDMap::Incremental`: everything the monitor changed to build epoch
/// `epoch` from `epoch - 1`.
///
/// Fields keep Ceph's names and meanings; addresses, uuids and the other fields
/// peering never reads are left out. Apply it with
/// [`OsdMap::apply_incremental`](super::OsdMap::apply_incremental).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Incremental {
    /// The epoch this incremental builds (must be the map's epoch + 1).
    pub epoch: Epoch,
    /// `new_flags`: replaces the map's flags when set.
    pub new_flags: Option<MapFlags>,
    /// `new_max_osd`: resizes the per-OSD arrays when set.
    pub new_max_osd: Option<i32>,
    /// `new_pools`: pools created or replaced whole (each gets `last_change = epoch`).
    pub new_pools: BTreeMap<PoolId, PoolInfo>,
    /// `old_pools`: pools deleted.
    pub old_pools: BTreeSet<PoolId>,
    /// `new_weight`: 16.16 in/out weights (nonzero sets `EXISTS` and clears
    /// `AUTOOUT` and `NEW`, as `set_weight` and `apply_incremental` do).
    pub new_weight: BTreeMap<OsdId, u32>,
    /// `new_primary_affinity`.
    pub new_primary_affinity: BTreeMap<OsdId, u32>,
    /// `new_state`: an XOR mask on the OSD's state bits; 0 means `UP` (mark down).
    /// Toggling `EXISTS` on an existing OSD destroys it.
    pub new_state: BTreeMap<OsdId, u32>,
    /// `new_up_client`: OSDs marked up (and existing) with `up_from = epoch`. Ceph
    /// keys addresses by OSD here; peering needs only the ids.
    pub new_up_client: BTreeSet<OsdId>,
    /// `new_up_thru`: recorded up_thru (granted `MOSDAlive` requests).
    pub new_up_thru: BTreeMap<OsdId, Epoch>,
    /// `new_last_clean_interval`: `(begin, end)` of the last clean interval.
    pub new_last_clean_interval: BTreeMap<OsdId, (Epoch, Epoch)>,
    /// `new_lost`: `lost_at` epochs.
    pub new_lost: BTreeMap<OsdId, Epoch>,
    /// `new_xinfo`: OSDs' replaced `osd_xinfo_t` (here: `dead_epoch`).
    pub new_xinfo: BTreeMap<OsdId, OsdXinfo>,
    /// `new_pg_temp`: acting overrides; an empty vector erases the PG's entry.
    pub new_pg_temp: BTreeMap<PgId, OsdVec>,
    /// `new_primary_temp`: primary overrides; `OsdId::UNDEF` (-1) erases.
    pub new_primary_temp: BTreeMap<PgId, OsdId>,
    /// `new_pg_upmap`: explicit raw mappings set.
    pub new_pg_upmap: BTreeMap<PgId, OsdVec>,
    /// `old_pg_upmap`: explicit raw mappings removed.
    pub old_pg_upmap: BTreeSet<PgId>,
    /// `new_pg_upmap_items`: `(from, to)` replacements set.
    pub new_pg_upmap_items: BTreeMap<PgId, UpmapItems>,
    /// `old_pg_upmap_items`: replacements removed.
    pub old_pg_upmap_items: BTreeSet<PgId>,
    /// `crush`: a whole new CRUSH map, applied last.
    pub new_crush: Option<CrushHandle>,
    /// A pool's new `last_pg_merge_meta`, written with the `pg_num` decrease
    /// it describes (`pg_pool_t::dec_pg_num`); the pool must exist.
    pub new_merge_meta: BTreeMap<PoolId, MergeMeta>,
}

impl Incremental {
    /// An empty incremental building `epoch`.
    pub fn new(epoch: Epoch) -> Self {
        Incremental {
            epoch,
            ..Incremental::default()
        }
    }

    /// Creates `osd` as the monitor's `osd new` then boot do: raises `max_osd`
    /// if needed, gives it weight in (`set_weight` makes it exist and clears
    /// `NEW`), and marks it up.
    pub fn add_osd(&mut self, osd: i32, current_max_osd: i32) -> &mut Self {
        let needed = osd.saturating_add(1);
        let max = self.new_max_osd.unwrap_or(current_max_osd).max(needed);
        self.new_max_osd = Some(max);
        self.new_weight.insert(OsdId(osd), WEIGHT_IN);
        self.new_up_client.insert(OsdId(osd));
        self
    }

    /// Marks an up OSD down (`new_state` mask 0, Ceph's shorthand for `UP`).
    pub fn mark_down(&mut self, osd: i32) -> &mut Self {
        self.new_state.insert(OsdId(osd), 0);
        self
    }

    /// Marks an OSD down and confirmed dead in this epoch: the monitor's
    /// `prepare_mark_me_down` with `down_and_dead` (a shutting-down OSD) or
    /// `force_failure` (its connection was refused).
    pub fn mark_down_dead(&mut self, osd: i32) -> &mut Self {
        self.mark_down(osd);
        self.mark_dead(OsdId(osd), self.epoch)
    }

    /// Records an OSD, already down, as confirmed dead since `dead_epoch`
    /// (`prepare_mark_me_dead`: the epoch the OSD saw itself down at).
    pub fn mark_dead(&mut self, osd: OsdId, dead_epoch: Epoch) -> &mut Self {
        self.new_xinfo.insert(osd, OsdXinfo { dead_epoch });
        self
    }

    /// Marks an OSD up (`new_up_client`).
    pub fn mark_up(&mut self, osd: i32) -> &mut Self {
        self.new_up_client.insert(OsdId(osd));
        self
    }

    /// Marks an OSD out (weight 0).
    pub fn mark_out(&mut self, osd: i32) -> &mut Self {
        self.new_weight.insert(OsdId(osd), WEIGHT_OUT);
        self
    }

    /// Marks an OSD in (weight `0x10000`).
    pub fn mark_in(&mut self, osd: i32) -> &mut Self {
        self.new_weight.insert(OsdId(osd), WEIGHT_IN);
        self
    }

    /// Creates or replaces a pool.
    pub fn set_pool(&mut self, pool: PoolInfo) -> &mut Self {
        self.new_pools.insert(pool.id, pool);
        self
    }

    /// `pg_pool_t::dec_pg_num`: `pool` (as the map has it, with its
    /// `pg_num_pending` one below `pg_num`) loses its last PG, `source`,
    /// into its parent, with what the monitor recorded of their readiness.
    pub fn dec_pg_num(&mut self, mut pool: PoolInfo, meta: MergeMeta) -> &mut Self {
        pool.pg_num = pool.pg_num.saturating_sub(1);
        self.new_merge_meta.insert(pool.id, meta);
        self.set_pool(pool)
    }

    /// Sets (non-empty `osds`) or erases (empty) a PG's pg_temp.
    pub fn set_pg_temp(&mut self, pg: PgId, osds: &[i32]) -> &mut Self {
        self.new_pg_temp
            .insert(pg, osds.iter().copied().map(OsdId).collect());
        self
    }

    /// Sets a PG's primary_temp (`-1` erases it).
    pub fn set_primary_temp(&mut self, pg: PgId, osd: i32) -> &mut Self {
        self.new_primary_temp.insert(pg, OsdId(osd));
        self
    }
}
