//! Every state of the chart, one file per state (or per group Ceph defines
//! together): its definition (`Spec`: names, parent, default substate, reaction
//! list), its entry and exit actions, its reaction handlers and its local data.
//! The chart (`super::chart`) lists them; nothing here routes by state.

pub(crate) mod active;
pub(crate) mod backfill;
pub(crate) mod crashed;
pub(crate) mod delete;
pub(crate) mod down;
pub(crate) mod get_info;
pub(crate) mod get_log;
pub(crate) mod get_missing;
pub(crate) mod incomplete;
pub(crate) mod initial;
pub(crate) mod peering;
pub(crate) mod primary;
pub(crate) mod recovery;
pub(crate) mod rep_reservation;
pub(crate) mod replica;
pub(crate) mod reset;
pub(crate) mod started;
pub(crate) mod stray;
pub(crate) mod wait_up_thru;
