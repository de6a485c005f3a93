//! Reaction coverage (DESIGN.md §6 "Transitions"): every reaction of the chart
//! (every `(state, event)` entry of [`chart()`], the table the dispatcher runs) is
//! exercised by at least one named test.
//!
//! [`COVERAGE`] maps each reaction to the tests exercising it, as `file::test`.
//! The mapping was first derived by instrumenting the dispatcher and recording
//! which reactions each test runs; it is checked here three ways: the table lists
//! exactly the chart's reachable reactions (a new state or reaction without a
//! test fails, naming it), every test named exists in the named file with
//! `#[test]`, and nothing is listed twice.
//!
//! A reaction is *shadowed* when every substate of its state handles the event
//! first (e.g. `ReplicaActive`'s `RecoveryDone` while `RepNotRecovering` is its
//! only child): no event can reach it, so no test can run it. Shadowing is
//! computed from the chart, so when a later state stops shadowing a reaction, this
//! test asks for one.

mod machine_support;

use machine_support::{Cluster, notify_evt, pgid};
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Defer, Event, EventKind as E, PeeringEvt, PgLogMsg, RequestScrub};
use peering_core::intervals::UpActing;
use peering_core::log::{Missing, PgLogT};
use peering_core::machine::chart::{On, chart};
use peering_core::machine::{Config, EventOutcome, Pg, StateId, StateId as S};
use peering_core::types::{PgHistory, PgShard, ShardId, Timespan, UTime};

/// The test files whose tests the table may name, by file stem.
const SOURCES: &[(&str, &str)] = &[
    (
        "machine_transitions",
        include_str!("machine_transitions.rs"),
    ),
    ("machine_reactions", include_str!("machine_reactions.rs")),
    ("machine_engine", include_str!("machine_engine.rs")),
    ("machine_ctx", include_str!("machine_ctx.rs")),
    (
        "machine_missing_loc",
        include_str!("machine_missing_loc.rs"),
    ),
    ("machine_bad_input", include_str!("machine_bad_input.rs")),
    ("machine_chart", include_str!("machine_chart.rs")),
    ("machine_serde", include_str!("machine_serde.rs")),
    ("machine_no_alloc", include_str!("machine_no_alloc.rs")),
    ("machine_coverage", include_str!("machine_coverage.rs")),
];

/// Every reachable reaction of the chart, in chart order, with the tests that
/// exercise it.
const COVERAGE: &[(StateId, On, &[&str])] = &[
    (
        S::Initial,
        On::Event(E::Initialize),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Initial,
        On::Event(E::NullEvt),
        &["machine_engine::the_catch_all_of_initial_crashes_on_anything_but_initialize"],
    ),
    (
        S::Initial,
        On::Any,
        &["machine_engine::the_catch_all_of_initial_crashes_on_anything_but_initialize"],
    ),
    (
        S::Reset,
        On::Event(E::AdvMap),
        &[
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
            "machine_transitions::down_until_an_osd_is_marked_lost",
        ],
    ),
    (
        S::Reset,
        On::Event(E::ActMap),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Reset,
        On::Event(E::NullEvt),
        &["machine_coverage::reset_sees_only_map_events"],
    ),
    (
        S::Reset,
        On::Event(E::IntervalFlush),
        &["machine_coverage::reset_sees_only_map_events"],
    ),
    (
        S::Reset,
        On::Any,
        &["machine_coverage::reset_sees_only_map_events"],
    ),
    (
        S::Started,
        On::Event(E::AdvMap),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Started,
        On::Event(E::IntervalFlush),
        &[
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::NullEvt),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Started,
        On::Event(E::SetForceRecovery),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Started,
        On::Event(E::UnsetForceRecovery),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Started,
        On::Event(E::SetForceBackfill),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Started,
        On::Event(E::UnsetForceBackfill),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Started,
        On::Event(E::RequestScrub),
        &["machine_coverage::started_discards_scrub_requests_outside_the_primary"],
    ),
    (
        S::Started,
        On::Any,
        &[
            "machine_engine::an_unhandled_event_crashes_the_pg_and_later_events_are_refused",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Start,
        On::Event(E::MakePrimary),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Start,
        On::Event(E::MakeStray),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Primary,
        On::Event(E::ActMap),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Primary,
        On::Event(E::MNotifyRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::divergent_replica_is_rewound_at_activation",
        ],
    ),
    (
        S::Primary,
        On::Event(E::SetForceRecovery),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Primary,
        On::Event(E::UnsetForceRecovery),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Primary,
        On::Event(E::RequestScrub),
        &["machine_reactions::primary_passes_scrub_requests_to_the_host"],
    ),
    (
        S::Primary,
        On::Event(E::SetForceBackfill),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Primary,
        On::Event(E::UnsetForceBackfill),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Peering,
        On::Event(E::Activate),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Peering,
        On::Event(E::AdvMap),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::GetInfo,
        On::Event(E::GotInfo),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::GetInfo,
        On::Event(E::MNotifyRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::GetInfo,
        On::Event(E::IsDown),
        &[
            "machine_transitions::down_until_an_osd_is_marked_lost",
            "machine_reactions::down_escapes_to_get_info_when_a_notify_raises_les",
        ],
    ),
    (
        S::GetLog,
        On::Event(E::MLogRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::get_log_asks_the_authoritative_shard",
        ],
    ),
    (
        S::GetLog,
        On::Event(E::GotLog),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::GetLog,
        On::Event(E::AdvMap),
        &["machine_reactions::get_log_resets_when_the_authoritative_shard_goes_down"],
    ),
    (
        S::GetLog,
        On::Event(E::NeedActingChange),
        &["machine_transitions::get_log_needs_acting_change"],
    ),
    (
        S::GetLog,
        On::Event(E::IsIncomplete),
        &[
            "machine_transitions::incomplete_when_no_info_reaches_the_history_les",
            "machine_reactions::get_info_rebuilds_the_prior_when_a_notify_raises_les",
        ],
    ),
    (
        S::GetMissing,
        On::Event(E::MLogRec),
        &["machine_transitions::divergent_replica_is_rewound_at_activation"],
    ),
    (
        S::GetMissing,
        On::Event(E::NeedUpThru),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::WaitUpThru,
        On::Event(E::ActMap),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::WaitUpThru,
        On::Event(E::MLogRec),
        &["machine_reactions::wait_up_thru_keeps_a_late_log"],
    ),
    (
        S::Down,
        On::Event(E::MNotifyRec),
        &[
            "machine_transitions::down_until_an_osd_is_marked_lost",
            "machine_reactions::down_escapes_to_get_info_when_a_notify_raises_les",
        ],
    ),
    (
        S::Incomplete,
        On::Event(E::AdvMap),
        &["machine_transitions::incomplete_when_no_info_reaches_the_history_les"],
    ),
    (
        S::Incomplete,
        On::Event(E::MNotifyRec),
        &["machine_reactions::incomplete_retries_get_log_on_new_info"],
    ),
    (
        S::WaitActingChange,
        On::Event(E::AdvMap),
        &["machine_transitions::get_log_needs_acting_change"],
    ),
    (
        S::WaitActingChange,
        On::Event(E::MLogRec),
        &["machine_coverage::wait_acting_change_ignores_peer_messages"],
    ),
    (
        S::WaitActingChange,
        On::Event(E::MInfoRec),
        &["machine_transitions::get_log_needs_acting_change"],
    ),
    (
        S::WaitActingChange,
        On::Event(E::MNotifyRec),
        &["machine_coverage::wait_acting_change_ignores_peer_messages"],
    ),
    (
        S::Active,
        On::Event(E::AdvMap),
        &[
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
            "machine_transitions::new_interval_resets_and_records_past_interval",
        ],
    ),
    (
        S::Active,
        On::Event(E::MInfoRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Active,
        On::Event(E::MNotifyRec),
        &[
            "machine_transitions::clean_purges_strays",
            "machine_transitions::new_interval_resets_and_records_past_interval",
        ],
    ),
    (
        S::Active,
        On::Event(E::MTrim),
        &["machine_reactions::active_records_trims_and_replica_logs"],
    ),
    (
        S::Active,
        On::Event(E::MLogRec),
        &["machine_reactions::active_records_trims_and_replica_logs"],
    ),
    (
        S::Active,
        On::Event(E::ActMap),
        &[
            "machine_reactions::started_records_the_epoch_the_pool_went_full",
            "machine_bad_input::map_protocol_violations_are_refused",
        ],
    ),
    (
        S::Active,
        On::Event(E::Backfilled),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Active,
        On::Event(E::ActivateCommitted),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Active,
        On::Event(E::AllReplicasActivated),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Active,
        On::Event(E::DeferRecovery),
        &["machine_coverage::active_and_replica_active_discard_deferrals"],
    ),
    (
        S::Active,
        On::Event(E::DeferBackfill),
        &["machine_coverage::active_and_replica_active_discard_deferrals"],
    ),
    (
        S::Active,
        On::Event(E::UnfoundRecovery),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Active,
        On::Event(E::UnfoundBackfill),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Active,
        On::Event(E::RemoteReservationRevokedTooFull),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Active,
        On::Event(E::RemoteReservationRevoked),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Active,
        On::Event(E::DoRecovery),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Activating,
        On::Event(E::AllReplicasRecovered),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Clean,
        On::Event(E::SetForceRecovery),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Clean,
        On::Event(E::SetForceBackfill),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Recovered,
        On::Event(E::GoClean),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Recovered,
        On::Event(E::AllReplicasActivated),
        &["machine_coverage::recovered_goes_clean_once_all_replicas_activated"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::ActMap),
        &[
            "machine_reactions::started_records_the_epoch_the_pool_went_full",
            "machine_no_alloc::quiet_epochs_allocate_nothing",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::MQuery),
        &["machine_reactions::replica_active_answers_queries_merges_logs_and_trims"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::MInfoRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::MLogRec),
        &["machine_reactions::replica_active_answers_queries_merges_logs_and_trims"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::MTrim),
        &["machine_reactions::replica_active_answers_queries_merges_logs_and_trims"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::Activate),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::ActivateCommitted),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::DeferRecovery),
        &["machine_coverage::active_and_replica_active_discard_deferrals"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::DeferBackfill),
        &["machine_coverage::active_and_replica_active_discard_deferrals"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::UnfoundRecovery),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::UnfoundBackfill),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::RemoteBackfillPreempted),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::RemoteRecoveryPreempted),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    // ReplicaActive × Event(RecoveryDone): shadowed, see SHADOWED
    (
        S::RepNotRecovering,
        On::Event(E::RejectTooFullRemoteReservation),
        &[
            "machine_reactions::rep_not_recovering_rejects_a_backfill_reservation_when_too_full",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteReservationRejectedTooFull),
        &[
            "machine_reactions::rep_not_recovering_rejects_a_backfill_reservation_when_too_full",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteReservationCanceled),
        &[
            "machine_engine::a_transit_to_the_current_state_exits_and_reenters_it",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteRecoveryReserved),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteBackfillReserved),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RecoveryDone),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
    (
        S::Stray,
        On::Event(E::MQuery),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::activation_messages_acks_and_clean",
        ],
    ),
    (
        S::Stray,
        On::Event(E::MLogRec),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Stray,
        On::Event(E::MInfoRec),
        &[
            "machine_transitions::a_primary_behind_the_auth_log_recovers_from_complete_replicas",
            "machine_transitions::divergent_replica_is_rewound_at_activation",
        ],
    ),
    (
        S::Stray,
        On::Event(E::ActMap),
        &[
            "machine_transitions::activation_messages_acks_and_clean",
            "machine_transitions::buffered_sends_wait_for_the_interval_flush",
        ],
    ),
    (
        S::Stray,
        On::Event(E::RecoveryDone),
        &["machine_chart::the_dispatcher_agrees_with_the_table"],
    ),
];

fn label(state: StateId, on: On) -> String {
    match on {
        On::Event(k) => format!("{} × {}", state.short_name(), k.name()),
        On::Any => format!("{} × * (any other event)", state.short_name()),
    }
}

fn children(s: StateId) -> impl Iterator<Item = StateId> {
    StateId::ALL
        .iter()
        .copied()
        .filter(move |c| c.parent() == Some(s))
}

/// True when `kind` can pass through `s` (not handled there) and reach its
/// parent from some configuration.
fn passes(s: StateId, kind: Option<E>) -> bool {
    let handled = match kind {
        Some(k) => s.def().reaction_for(k).is_some(),
        None => s.def().reactions.iter().any(|r| r.on == On::Any),
    };
    !handled && (children(s).next().is_none() || children(s).any(|c| passes(c, kind)))
}

/// True when an event can reach `state`'s reaction for `on`: `state` can be the
/// innermost state, or some substate lets the event through.
fn reachable(state: StateId, on: On) -> bool {
    let kind = match on {
        On::Event(k) => Some(k),
        On::Any => None,
    };
    children(state).next().is_none() || children(state).any(|c| passes(c, kind))
}

/// True when `file` has a `#[test] fn name(` (doc comments and attributes may sit
/// between).
fn test_exists(file: &str, name: &str) -> bool {
    let Some((_, src)) = SOURCES.iter().find(|(f, _)| *f == file) else {
        return false;
    };
    let needle = format!("fn {name}(");
    src.match_indices(&needle).any(|(at, _)| {
        src[..at]
            .lines()
            .rev()
            .map(str::trim)
            .take_while(|l| l.starts_with("#[") || l.starts_with("//") || l.is_empty())
            .any(|l| l == "#[test]")
    })
}

#[test]
fn every_reaction_of_the_chart_has_a_test() {
    let reactions: Vec<(StateId, On)> = chart()
        .flat_map(|d| d.reactions.iter().map(move |r| (d.id, r.on)))
        .collect();
    let listed = |s: StateId, on: On| COVERAGE.iter().any(|(cs, con, _)| *cs == s && *con == on);
    let missing: Vec<String> = reactions
        .iter()
        .filter(|(s, on)| reachable(*s, *on) && !listed(*s, *on))
        .map(|(s, on)| label(*s, *on))
        .collect();
    assert!(
        missing.is_empty(),
        "these reactions of the chart have no test; add one and list it in COVERAGE \
         (peering-core/tests/machine_coverage.rs):\n  {}",
        missing.join("\n  ")
    );
    let stale: Vec<String> = COVERAGE
        .iter()
        .filter(|(s, on, _)| !reactions.contains(&(*s, *on)) || !reachable(*s, *on))
        .map(|(s, on, _)| label(*s, *on))
        .collect();
    assert!(
        stale.is_empty(),
        "COVERAGE lists reactions the chart does not have (or that no event can reach):\n  {}",
        stale.join("\n  ")
    );
    let mut seen = Vec::new();
    for (s, on, tests) in COVERAGE {
        assert!(
            !seen.contains(&(*s, *on)),
            "{} listed twice",
            label(*s, *on)
        );
        seen.push((*s, *on));
        assert!(!tests.is_empty(), "{} lists no test", label(*s, *on));
        for t in *tests {
            let (file, name) = t.split_once("::").unwrap_or(("", t));
            assert!(
                test_exists(file, name),
                "{}: no #[test] fn {name} in {file}.rs",
                label(*s, *on)
            );
        }
    }
}

/// The shadowed reactions are few and known; each is Ceph's (it becomes reachable
/// when the reservation states arrive).
#[test]
fn shadowed_reactions_are_the_known_ones() {
    let shadowed: Vec<String> = chart()
        .flat_map(|d| d.reactions.iter().map(move |r| (d.id, r.on)))
        .filter(|(s, on)| !reachable(*s, *on))
        .map(|(s, on)| label(s, on))
        .collect();
    assert_eq!(shadowed, ["ReplicaActive × RecoveryDone"]);
    assert!(reachable(S::ReplicaActive, On::Event(E::DeferRecovery)));
}

/// Delivers `evt` to osd `osd` at the PG's epoch; returns the outcome and context.
fn deliver(c: &mut Cluster, osd: i32, evt: Event) -> (EventOutcome, RecoveryCtx) {
    let pg = c.pgs.get_mut(&osd).unwrap();
    let map = c.maps[&pg.epoch()].clone();
    let mut ctx = RecoveryCtx::new();
    let out = pg
        .handle_event(PeeringEvt::new(pg.epoch(), evt), &map, &mut ctx)
        .unwrap();
    (out, ctx)
}

fn active_clean() -> Cluster {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), S::Clean);
    assert_eq!(c.pg(1).state_id(), S::RepNotRecovering);
    c
}

/// `Reset` exists only between `AdvMap` and `ActMap` (§8.1: nothing may be
/// interleaved), so the host contract refuses every other event there and Reset's
/// `NullEvt`, `IntervalFlush` and catch-all reactions cannot run through [`Pg`];
/// the PG stays in Reset, unharmed, and peers on `ActMap`.
#[test]
fn reset_sees_only_map_events() {
    let map = machine_support::map1(&[0, 1, 2], 3);
    let mut pg = Pg::new(Config::default(), PgShard::replica(0), pgid(), &map).unwrap();
    let mut ctx = RecoveryCtx::new();
    pg.initialize(&map, &mut ctx).unwrap();
    assert_eq!(pg.state_id(), S::Reset);
    for evt in [
        Event::NullEvt,
        Event::IntervalFlush,
        Event::AllReplicasRecovered,
    ] {
        let kind = evt.kind();
        let err = pg
            .handle_event(PeeringEvt::new(1, evt), &map, &mut ctx)
            .unwrap_err();
        assert_eq!(err, PeeringError::MapBatchOpen { event: kind });
        assert_eq!(pg.state_id(), S::Reset);
    }
    pg.activate_map(&map, &mut ctx).unwrap();
    assert!(pg.in_state(S::Started));
}

/// `Started` discards a scrub request that reaches it (a non-primary: only
/// `Primary` passes scrubs to the host, §3 Started).
#[test]
fn started_discards_scrub_requests_outside_the_primary() {
    let mut c = active_clean();
    let mut c2 = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    c2.run();
    assert_eq!(c2.pg(3).state_id(), S::Stray);
    for (cl, osd) in [(&mut c, 1), (&mut c2, 3)] {
        let before = cl.pg(osd).clone();
        let (out, ctx) = deliver(
            cl,
            osd,
            Event::RequestScrub(RequestScrub {
                deep: true,
                repair: false,
            }),
        );
        assert_eq!(out, EventOutcome::Delivered);
        assert!(ctx.notifications.is_empty(), "{ctx:?}");
        assert_eq!(cl.pg(osd).state_id(), before.state_id());
    }
}

/// `WaitActingChange` ignores notifies and logs (§3 WaitActingChange): it only
/// waits for the map with the acting set it asked for.
#[test]
fn wait_acting_change_ignores_peer_messages() {
    let history = PgHistory::new(1, UTime::default());
    let m = UpActing::new(&[0, 1, 2], 0, &[1, 2, 0], 1);
    let mut c = Cluster::general(&[0, 1, 2], &[0, 1, 2], m, 3, |_| {}, history);
    c.run();
    assert_eq!(c.pg(1).state_id(), S::WaitActingChange);
    let e = c.epoch();
    let info = c.pg(2).info().clone();
    let before = c.pg(1).clone();
    let notify = notify_evt(2, e, info.clone()).event;
    let log = Event::MLogRec(peering_core::event::MLogRec {
        from: PgShard::replica(2),
        msg: PgLogMsg {
            pgid: pgid(),
            from: ShardId::NO_SHARD,
            epoch: e,
            query_epoch: e,
            info,
            log: PgLogT::default(),
            missing: Missing::new(true),
            past_intervals: None,
        },
    });
    for evt in [notify, log] {
        let (out, ctx) = deliver(&mut c, 1, evt);
        assert_eq!(out, EventOutcome::Delivered);
        assert!(ctx.is_empty(), "{ctx:?}");
        assert_eq!(c.pg(1), &before);
    }
}

/// `Active` and `ReplicaActive` discard `DeferRecovery`/`DeferBackfill` that
/// reach them (no recovery or backfill state is current, §3 Active,
/// ReplicaActive).
#[test]
fn active_and_replica_active_discard_deferrals() {
    let mut c = active_clean();
    let delay = Defer {
        delay: Timespan(1_000),
    };
    for osd in [0, 1] {
        for evt in [Event::DeferRecovery(delay), Event::DeferBackfill(delay)] {
            let before = c.pg(osd).clone();
            let (out, ctx) = deliver(&mut c, osd, evt);
            assert_eq!(out, EventOutcome::Delivered);
            assert!(ctx.is_empty(), "{ctx:?}");
            assert_eq!(c.pg(osd), &before);
        }
    }
}

/// The host reports nothing to recover before every replica has acked its
/// activation: `Recovered` waits, and goes Clean on `AllReplicasActivated`
/// (§3 Recovered).
#[test]
fn recovered_goes_clean_once_all_replicas_activated() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.auto_recovered = false;
    c.run();
    c.hold_commits = true;
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), S::Activating);
    let e = c.epoch();
    c.deliver(0, PeeringEvt::new(e, Event::AllReplicasRecovered));
    assert_eq!(c.pg(0).state_id(), S::Recovered);
    c.pgs.get_mut(&0).unwrap().clear_state_history();
    c.hold_commits = false;
    c.release_commits();
    c.run();
    assert_eq!(c.pg(0).state_id(), S::Clean);
    let entered: Vec<StateId> = c.pg(0).state_history().entered().collect();
    assert_eq!(entered, [S::Clean]);
}
