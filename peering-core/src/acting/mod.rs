//! Authoritative-log choice and acting-set choice.
//!
//! Pure functions over plain values, Ceph's rules exactly, so the state machine only
//! calls them and tests can assert them: [`find_best_info`],
//! [`select_replicated_primary`], [`calc_replicated_acting`], [`calc_ec_acting`],
//! [`recoverable`], the async recovery choice, [`choose_acting`], and the
//! Down / Incomplete / WaitActingChange decision.
//!
//! Stretch pools read the CRUSH hierarchy through [`StretchBuckets`], which the
//! host's map fills ([`stretch_set_can_peer`], [`calc_replicated_acting_stretch`],
//! [`calc_ec_acting_stretch`]).

mod async_recovery;
mod choose;
mod cost;
mod ec;
mod ec_stretch;
mod error;
mod find_best_info;
mod options;
mod outcome;
mod placement;
mod replicated;
mod replicated_stretch;
mod stretch;
mod validate;
mod want;
mod want_recoverable;

pub use async_recovery::{choose_async_recovery_ec, choose_async_recovery_replicated};
pub use choose::{ActingChoice, ActingOutcome, ChooseActingRequest, PgTempRequest, choose_acting};
pub use cost::PeerMissingCounts;
pub use ec::calc_ec_acting;
pub use ec_stretch::calc_ec_acting_stretch;
pub use error::{ActingError, PlacementVector};
pub use find_best_info::find_best_info;
pub use options::ActingOptions;
pub use outcome::{IncompleteReason, PeeringOutcome, get_log_outcome};
pub use placement::PgPlacement;
pub(crate) use placement::{is_member, pg_shard_at};
pub use replicated::{calc_replicated_acting, select_replicated_primary};
pub use replicated_stretch::calc_replicated_acting_stretch;
pub use stretch::{StretchBuckets, stretch_set_can_peer, stretch_set_can_peer_in};
pub use validate::{
    collect_infos, validate_infos, validate_keys, validate_peer_info, validate_pool,
    validate_vectors,
};
pub use want::WantSets;
pub use want_recoverable::{is_pg_recoverable, recoverable};
