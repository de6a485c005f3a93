//! The peering statechart and [`Pg`], one PG instance's
//! peering core.
//!
//! # Shape
//!
//! * [`chart`]: the states, their parents and default substates, and each state's
//!   reaction list, as data. The dispatcher runs this table; [`chart::to_dot`] and
//!   [`chart::to_mermaid`] print it.
//! * `engine`: boost::statechart's dispatch, transit and posted-event rules.
//! * `states/*`: one file per state: its definition (names, parent, default substate,
//!   reaction list), entry and exit actions, reaction handlers and local data.
//! * `PeeringState` (private): the data (Ceph's `PeeringState` members) and the algorithms
//!   the states call (`start_peering_interval`, `proc_replica_info`, `activate`,
//!   `fulfill_query`, `try_mark_clean`...), which in turn call the [`crate::log`],
//!   [`crate::intervals`] and [`crate::acting`] modules.
//! * [`Pg`]: the host contract: creation and load, map advancement, event
//!   admission; [`Pg::status`] ([`PgStatus`], Ceph's `pg query`) and a few borrowed
//!   getters are how a host reads the PG's insides.
//!
//! # Maps
//!
//! The host owns its OSD maps. Every call that needs one takes it as
//! `&dyn OsdMapView`: [`Pg::advance_map`] takes the new and the previous map (and
//! the PG's mapping in the new one) and delivers `AdvMap`; [`Pg::activate_map`] and
//! [`Pg::handle_event`] take the PG's current map. Nothing is copied from the maps
//! but the mapping (inline) and the pool's parameters.
//!
//! # Example
//!
//! ```
//! use peering_core::ctx::RecoveryCtx;
//! use peering_core::intervals::{PastIntervals, UpActing};
//! use peering_core::machine::{Config, Pg, PgCreate};
//! use peering_core::map::{PoolInfo, SimpleOsdMap};
//! use peering_core::types::{PgHistory, PgId, PgShard, SpgId, UTime};
//!
//! // Epoch 1: three OSDs up, a size-3 pool; the PG maps to [0, 1, 2].
//! let map = SimpleOsdMap::new(1)
//!     .with_pool(PoolInfo::replicated(1, 3, 8))
//!     .with_up_osd(0, 1)
//!     .with_up_osd(1, 1)
//!     .with_up_osd(2, 1);
//! let mapping = UpActing::new(&[0, 1, 2], 0, &[0, 1, 2], 0);
//! let mut ctx = RecoveryCtx::new();
//! let pg = Pg::create(
//!     PgCreate {
//!         whoami: PgShard::replica(0),
//!         pgid: SpgId::replicated(PgId::new(1, 0)),
//!         mapping,
//!         history: PgHistory::new(1, UTime::default()),
//!         past_intervals: PastIntervals::default(),
//!         config: Config::default(),
//!     },
//!     &map,
//!     &mut ctx,
//! )?;
//! assert_eq!(pg.state_name(), "Started/Primary/Peering/GetInfo");
//! // The primary asks osd.1 and osd.2 for their infos.
//! let targets: Vec<i32> = ctx.drain_queries().keys().map(|o| o.0).collect();
//! assert_eq!(targets, [1, 2]);
//! # Ok::<(), peering_core::PeeringError>(())
//! ```
//!
//! # Scope
//!
//! The states of the peering path are here: `Initial`, `Reset`, `Started`, `Start`,
//! `Primary`, `Peering`, `GetInfo`, `GetLog`, `GetMissing`, `WaitUpThru`, `Down`,
//! `Incomplete`, `WaitActingChange`, `Active`, `Activating`, `Recovered`, `Clean`,
//! `ReplicaActive`, `Stray`, `Crashed`; the recovery and backfill reservation
//! states: `WaitLocalRecoveryReserved`, `WaitRemoteRecoveryReserved`, `Recovering`,
//! `NotRecovering`, `WaitLocalBackfillReserved`, `WaitRemoteBackfillReserved`,
//! `Backfilling`, `NotBackfilling` (children of `Active`) and `RepNotRecovering`,
//! `RepWaitRecoveryReserved`, `RepWaitBackfillReserved`, `RepRecovering` (children of
//! `ReplicaActive`); and deletion: `ToDelete`, `WaitDeleteReserved`, `Deleting`.
//!
//! Deletion removes objects in bounded chunks the host lists (see
//! the `DeleteSome` payload and [`crate::ctx::OnCommit::DeleteMore`]) and ends in
//! boost's `terminate()`: [`Pg::is_terminated`]. Split is
//! [`Pg::split`] and [`Pg::from_split`]; merge is [`Pg::merge_from`].
//!
//! # Deviations from Ceph
//!
//! * The active configuration is a stack of `State` values (outermost first), the
//!   nested `Started(Primary(Peering(GetInfo)))` laid flat so exit/entry around the
//!   least common ancestor is one loop; each variant still owns its state's data.
//! * `Crashed` does not abort: the PG refuses every later event with
//!   [`crate::Crash::AlreadyCrashed`]; a failed Ceph assertion crashes the PG the
//!   same way ([`crate::Crash::Invariant`]) without running exit actions.
//! * Messages are checked before they reach the machine ([`DropReason`]): wrong PG,
//!   unknown sender, a non-primary's info or log to a replica, an older interval's
//!   history, a log nobody asked for in GetInfo/Down/Incomplete (which Ceph would
//!   crash on), a malformed log, a lease with negative values, a lease ack for
//!   more than the primary offered.
//! * Read leases follow Ceph with two departures: `readable_interval` is also
//!   set when the PG is made (Ceph sets it on the first map advance only, and a
//!   PG active before one would renew a zero-length lease on a zero-delay
//!   timer), and `recheck_readable` re-arms `CheckReadable` while still
//!   waiting, as crimson does. Time is the host's ([`Pg::set_mnow`]).
//! * Stretch pools ask the host's CRUSH map which site holds each OSD
//!   ([`crate::map::OsdMapView::parent_of_type`]); holes count for no site in
//!   `stretch_set_can_peer` (Ceph 16 counts them as a bucket 0; newer Ceph's
//!   tests rule that out), OSDs in no site as Ceph's pseudo-bucket 0.
//! * PG merge: pre-merge activation (`PEERED + PREMERGE`), the readiness
//!   notices, and [`Pg::merge_from`]; the host merges the collections and tells
//!   the monitor. `clear_ready_to_merge` is only sent when the previous map had
//!   a merge pending for the PG (Ceph sends it at every primary's new interval;
//!   no readiness can be outstanding otherwise).
//! * Not modelled: scrub bookkeeping, the stats machinery (`DEGRADED` is derived from
//!   missing sets and object counts), and the `QueryState`/`QueryUnfound` dumps.
//!   The `rebuild_missing_set_with_deletes` conversion is the host's to run
//!   ([`crate::log::PgLog::rebuild_missing_set_with_deletes`], with its object
//!   versions); the core does not track whether a PG needs it.
//! * A backfill target's space check (`try_reserve_recovery_space`) is the host's:
//!   `RepNotRecovering` asks for it with the remote reservation
//!   ([`crate::ctx::ReservationOp::RequestRemoteBackfill`]) and a failed check comes
//!   back as `RejectTooFullRemoteReservation`, in `RepWaitBackfillReserved` as in
//!   Ceph, but as a later event rather than a posted one.
//! * Feature bits are not modelled: every peer is taken to have
//!   `RECOVERY_RESERVATION_2`, so a replica's remote reservation always carries its
//!   preemption event.
//! * A `DeleteStart` for a primary, a second `DeleteStart` while deleting, and a
//!   `DeleteSome` outside `ToDelete` are dropped ([`DropReason`]) where Ceph would
//!   hit `Started`'s catch-all and abort; deletion's listing comes from the host
//!   (Ceph's PG lists its own collection).
//! * The delete priority reads the map's `FULL`/`NEARFULL` flags, not this OSD's
//!   own full bits (the map view does not carry per-OSD state).
//! * `terminate()` runs the exit actions of every active state (boost's
//!   semantics), so `ToDelete`'s and `Deleting`'s reservation cancels are emitted.
//! * `GetMissing` asks a peer for its whole log (`FULLLOG`) when the peer's head
//!   is older than its own `last_epoch_started` and not in the primary's log:
//!   Ceph asks from the peer's les, gets no entry back, cannot rewind the
//!   peer's divergent entries, and later aborts in `add_active_missing`.

mod activate;
pub mod chart;
mod choose;
mod clean;
mod config;
mod cx;
mod def;
mod display;
mod engine;
mod getters;
mod history;
mod interval_change;
mod lease;
mod merge;
mod missing_loc;
mod outcome;
mod peering_state;
mod peers;
mod pg;
mod priority;
mod query;
mod read_lease;
mod recovery_feedback;
mod shard_map;
mod split;
mod state;
mod states;
mod status;
mod trim;
mod write;

pub use crate::error::Invariant;
pub use crate::types::StateId;
pub use config::Config;
pub use history::{StateHistory, StateRecord, Transit};
pub use merge::MergeMeta;
pub use missing_loc::MissingLoc;
pub use outcome::{DropReason, EventOutcome};
pub use pg::{Pg, PgCreate, PgLoad};
pub use priority::{
    BACKFILL_BASE, BACKFILL_DEGRADED_BASE, BACKFILL_FORCED, INACTIVE_BASE, RECOVERY_BASE,
    RECOVERY_FORCED,
};
pub use read_lease::{ReadLease, Readable};
pub use split::ChildSeed;
pub use states::delete::{DELETE_FULL, DELETE_FULLISH, DELETE_NORMAL, delete_priority};
pub use status::{PeerStatus, PgStatus, StateDetails, StateEntry, StateSpan};
pub use write::LogAppend;
