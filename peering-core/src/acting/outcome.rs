//! Down, Incomplete or WaitActingChange: where peering stops and why.

use alloc::collections::BTreeMap;

use super::choose::{ActingChoice, ActingOutcome};
use super::error::ActingError;
use super::replicated::info_of;

use crate::types::{EVersion, Epoch, OsdId, OsdVec, PgInfo, PgShard};

/// Why a PG is Incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IncompleteReason {
    /// (a) No info qualified as authoritative; with `history_les_bound` this is
    /// `peering_blocked_by_history_les_bound` (D).
    NoAuthoritativeLog {
        /// Whether the les bound came only from some history.
        history_les_bound: bool,
    },
    /// (b) The wanted acting set is not recoverable (or below `min_size` with
    /// recovery below min_size disabled).
    NotRecoverable,
    /// (c) Our own `last_update` is older than the authoritative `log_tail`: we cannot
    /// merge its log ("not contiguous").
    NotContiguous {
        /// The authoritative shard.
        auth_log_shard: PgShard,
    },
}

/// Where peering goes after GetInfo/GetLog's decisions (GetLog).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PeeringOutcome {
    /// `IsDown` → Down: a maybe-rw interval's data may live only on down OSDs.
    Down {
        /// The down OSDs and their `lost_at`.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        blocked_by: BTreeMap<OsdId, Epoch>,
    },
    /// `NeedActingChange` → WaitActingChange: a `pg_temp` was requested.
    WaitActingChange {
        /// The acting set asked for.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        want_acting: OsdVec,
    },
    /// `IsIncomplete` → Incomplete.
    Incomplete {
        /// Why.
        reason: IncompleteReason,
    },
    /// `GotLog`: we hold the authoritative log ourselves.
    GotLog,
    /// GetLog asks `auth_log_shard` for its log since `request_log_from`.
    GetLog {
        /// The authoritative shard.
        auth_log_shard: PgShard,
        /// The oldest version the query asks for.
        request_log_from: EVersion,
    },
}

/// GetLog's entry decision (GetLog) from a [`choose_acting`](super::choose_acting)
/// result computed without `request_pg_temp_change_only`.
///
/// Failure with a non-empty `want_acting` waits for the acting change; failure
/// otherwise is Incomplete. Success with ourselves as authority is GotLog; with our
/// `last_update` before the authority's `log_tail` it is Incomplete; otherwise the log
/// is requested from the oldest `last_update` among `acting_recovery_backfill` peers
/// that our log cannot cover but the authority's can (and never later than our own).
pub fn get_log_outcome(
    choice: &ActingChoice,
    whoami: PgShard,
    all_info: &BTreeMap<PgShard, PgInfo>,
) -> Result<PeeringOutcome, ActingError> {
    let auth = match (choice.outcome, choice.auth_log_shard) {
        (ActingOutcome::Proceed | ActingOutcome::ActingUnchanged, Some(auth)) => auth,
        _ if !choice.want_acting.is_empty() => {
            return Ok(PeeringOutcome::WaitActingChange {
                want_acting: choice.want_acting.clone(),
            });
        }
        (ActingOutcome::NotRecoverable, _) => {
            return Ok(incomplete(IncompleteReason::NotRecoverable));
        }
        _ => {
            return Ok(incomplete(IncompleteReason::NoAuthoritativeLog {
                history_les_bound: choice.history_les_bound,
            }));
        }
    };
    if auth == whoami {
        return Ok(PeeringOutcome::GotLog);
    }
    let own = info_of(all_info, whoami)?;
    let best = info_of(all_info, auth)?;
    if own.last_update < best.log_tail {
        return Ok(incomplete(IncompleteReason::NotContiguous {
            auth_log_shard: auth,
        }));
    }
    let mut request_log_from = own.last_update;
    for &peer in choice
        .acting_recovery_backfill
        .iter()
        .filter(|&&p| p != whoami)
    {
        let lu = info_of(all_info, peer)?.last_update;
        if lu < own.log_tail && lu >= best.log_tail && lu < request_log_from {
            request_log_from = lu;
        }
    }
    Ok(PeeringOutcome::GetLog {
        auth_log_shard: auth,
        request_log_from,
    })
}

fn incomplete(reason: IncompleteReason) -> PeeringOutcome {
    PeeringOutcome::Incomplete { reason }
}
