//! Every state of the chart, one file per state (or per group Ceph defines
//! together): its definition (`Spec`: names, parent, default substate, reaction
//! list), its entry and exit actions, its reaction handlers and its local data.
//! The chart (`super::chart`) lists them; nothing here routes by state.

pub(crate) mod activating;
pub(crate) mod active;
pub(crate) mod backfill;
pub(crate) mod backfilling;
pub(crate) mod clean;
pub(crate) mod crashed;
pub(crate) mod delete;
pub(crate) mod deleting;
pub(crate) mod down;
pub(crate) mod get_info;
pub(crate) mod get_log;
pub(crate) mod get_missing;
pub(crate) mod incomplete;
pub(crate) mod initial;
pub(crate) mod not_backfilling;
pub(crate) mod not_recovering;
pub(crate) mod peering;
pub(crate) mod primary;
pub(crate) mod recovered;
pub(crate) mod recovering;
pub(crate) mod recovery;
pub(crate) mod rep_not_recovering;
pub(crate) mod rep_recovering;
pub(crate) mod rep_reservation;
pub(crate) mod rep_wait_backfill_reserved;
pub(crate) mod rep_wait_recovery_reserved;
pub(crate) mod replica;
pub(crate) mod reset;
pub(crate) mod start;
pub(crate) mod started;
pub(crate) mod stray;
pub(crate) mod wait_acting_change;
pub(crate) mod wait_delete_reserved;
pub(crate) mod wait_local_backfill_reserved;
pub(crate) mod wait_local_recovery_reserved;
pub(crate) mod wait_remote_backfill_reserved;
pub(crate) mod wait_remote_recovery_reserved;
pub(crate) mod wait_up_thru;
