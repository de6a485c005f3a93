//! Past intervals and prior sets.
//!
//! Pure functions over plain values, with Ceph's exact rules, for the state machine
//! to call: whether a map change starts a new interval ([`is_new_interval`]), the
//! record of the interval it closes ([`check_new_interval`], [`PastIntervals`]),
//! whom the primary must probe before trusting its view of history
//! ([`build_prior`], [`PriorSet`]), and the up_thru rule that ties them together
//! ([`need_up_thru`]).

mod bounds;
mod check;
mod error;
mod interval;
mod new_interval;
mod past_intervals;
mod prior_set;
mod recoverable;
mod shards;
mod up_thru;

pub use bounds::{BoundsCheck, required_past_interval_bounds};
pub use check::{ClosedInterval, RwReason, StretchCanPeer, check_new_interval};
pub use error::IntervalError;
pub use interval::{PgInterval, UpActing};
pub use new_interval::{
    IntervalParams, is_new_interval, is_new_interval_params, should_restart_peering,
};
pub use past_intervals::{CompactInterval, PastIntervals};
pub use prior_set::{BuiltPrior, PriorOsdState, PriorSet, build_prior, classify_osd};
pub use recoverable::{IsPgRecoverable, RecoverablePredicate};
pub use shards::{count_present, shard_at, to_shard_set, validate_vector};
pub use up_thru::{adjust_need_up_thru, need_up_thru};
