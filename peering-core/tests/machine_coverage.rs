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
//! first: no event can reach it, so no test can run it. Shadowing is computed from
//! the chart; with the reservation states in place the chart has none (Ceph's
//! `ReplicaActive` × `RecoveryDone`, once shadowed by `RepNotRecovering`, is reached
//! from `RepWaitRecoveryReserved` and `RepWaitBackfillReserved`), and a state added
//! later that shadows a reaction fails [`shadowed_reactions_are_the_known_ones`].

mod machine_support;

use machine_support::{Cluster, notify_evt, pgid};
use peering_core::HostMisuse;
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Defer, Event, EventKind as E, PeeringEvt, PgLogMsg, RequestScrub};
use peering_core::intervals::UpActing;
use peering_core::log::{Missing, PgLogT};
use peering_core::machine::chart::{On, ReactionKind, chart};
use peering_core::machine::{Config, DropReason, EventOutcome, Pg, StateId, StateId as S};
use peering_core::types::{PgHistory, PgShard, PgState, ShardId, Timespan, UTime};

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
    ("machine_recovery", include_str!("machine_recovery.rs")),
    ("machine_backfill", include_str!("machine_backfill.rs")),
    (
        "machine_rep_reservation",
        include_str!("machine_rep_reservation.rs"),
    ),
    ("machine_delete", include_str!("machine_delete.rs")),
    ("machine_lease", include_str!("machine_lease.rs")),
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
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::SetForceRecovery),
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::UnsetForceRecovery),
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::SetForceBackfill),
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::UnsetForceBackfill),
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Started,
        On::Event(E::RequestScrub),
        &["machine_coverage::started_discards_scrub_requests_outside_the_primary"],
    ),
    (
        S::Started,
        On::Event(E::CheckReadable),
        &["machine_lease::started_ignores_check_readable"],
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
        &[
            "machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants",
            "machine_backfill::bad_backfill_events_are_refused_as_ceph_would",
        ],
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
        &[
            "machine_coverage::active_and_replica_active_discard_deferrals",
            "machine_recovery::late_defers_and_retries_are_dropped_with_a_reason",
            "machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants",
        ],
    ),
    (
        S::Active,
        On::Event(E::DeferBackfill),
        &[
            "machine_coverage::active_and_replica_active_discard_deferrals",
            "machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants",
        ],
    ),
    (
        S::Active,
        On::Event(E::UnfoundRecovery),
        &["machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants"],
    ),
    (
        S::Active,
        On::Event(E::UnfoundBackfill),
        &["machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants"],
    ),
    (
        S::Active,
        On::Event(E::RemoteReservationRevokedTooFull),
        &["machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants"],
    ),
    (
        S::Active,
        On::Event(E::RemoteReservationRevoked),
        &[
            "machine_recovery::active_drops_recovery_and_backfill_steps_no_substate_wants",
            "machine_backfill::a_revoke_while_reserving_retries_without_too_full",
        ],
    ),
    (
        S::Active,
        On::Event(E::DoRecovery),
        &["machine_recovery::late_defers_and_retries_are_dropped_with_a_reason"],
    ),
    (
        S::Active,
        On::Event(E::RenewLease),
        &[
            "machine_lease::activation_grants_the_lease_and_renewal_extends_it",
            "machine_lease::a_lone_primary_renews_without_sending",
        ],
    ),
    (
        S::Active,
        On::Event(E::MLeaseAck),
        &[
            "machine_lease::activation_grants_the_lease_and_renewal_extends_it",
            "machine_lease::a_silent_replica_makes_the_primary_laggy_until_it_acks",
        ],
    ),
    (
        S::Active,
        On::Event(E::CheckReadable),
        &["machine_lease::a_new_primary_waits_for_the_prior_interval_lease"],
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
        S::Activating,
        On::Event(E::DoRecovery),
        &["machine_recovery::do_recovery_in_activating_asks_the_local_reserver"],
    ),
    (
        S::Activating,
        On::Event(E::RequestBackfill),
        &["machine_backfill::request_backfill_in_activating_asks_the_local_reserver"],
    ),
    (
        S::Clean,
        On::Event(E::DoRecovery),
        &["machine_recovery::do_recovery_in_clean_starts_recovery_again"],
    ),
    (
        S::Clean,
        On::Event(E::SetForceRecovery),
        &[
            "machine_reactions::primary_force_recovery_on_a_degraded_pg",
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
    ),
    (
        S::Clean,
        On::Event(E::SetForceBackfill),
        &[
            "machine_coverage::force_requests_are_dropped_where_there_is_nothing_to_force",
            "machine_chart::the_dispatcher_agrees_with_the_table",
        ],
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
        On::Event(E::DoRecovery),
        &["machine_recovery::do_recovery_in_recovered_starts_recovery_again"],
    ),
    (
        S::Recovered,
        On::Event(E::AllReplicasActivated),
        &["machine_coverage::recovered_goes_clean_once_all_replicas_activated"],
    ),
    (
        S::WaitLocalRecoveryReserved,
        On::Event(E::LocalRecoveryReserved),
        &["machine_recovery::remote_slots_are_asked_one_at_a_time_in_order"],
    ),
    (
        S::WaitLocalRecoveryReserved,
        On::Event(E::RecoveryTooFull),
        &["machine_recovery::a_full_participant_defers_recovery_and_a_timer_retries"],
    ),
    (
        S::WaitRemoteRecoveryReserved,
        On::Event(E::RemoteRecoveryReserved),
        &[
            "machine_recovery::remote_slots_are_asked_one_at_a_time_in_order",
            "machine_recovery::remote_order_is_ascending_osd_not_acting_order",
        ],
    ),
    (
        S::WaitRemoteRecoveryReserved,
        On::Event(E::AllRemotesReserved),
        &["machine_recovery::remote_slots_are_asked_one_at_a_time_in_order"],
    ),
    (
        S::Recovering,
        On::Event(E::AllReplicasRecovered),
        &[
            "machine_recovery::all_replicas_recovered_releases_everything_and_goes_clean",
            "machine_recovery::recovery_finishing_with_the_primary_still_missing_crashes",
        ],
    ),
    (
        S::Recovering,
        On::Event(E::DeferRecovery),
        &["machine_recovery::defer_recovery_releases_and_schedules_a_retry"],
    ),
    (
        S::Recovering,
        On::Event(E::UnfoundRecovery),
        &["machine_recovery::unfound_recovery_stops_until_do_recovery"],
    ),
    (
        S::Recovering,
        On::Event(E::RequestBackfill),
        &["machine_recovery::request_backfill_while_recovering_moves_to_backfill_reservation"],
    ),
    (
        S::NotRecovering,
        On::Event(E::DoRecovery),
        &[
            "machine_recovery::defer_recovery_releases_and_schedules_a_retry",
            "machine_recovery::unfound_recovery_stops_until_do_recovery",
        ],
    ),
    (
        S::NotRecovering,
        On::Event(E::DeferRecovery),
        &["machine_recovery::unfound_recovery_stops_until_do_recovery"],
    ),
    (
        S::NotRecovering,
        On::Event(E::UnfoundRecovery),
        &["machine_recovery::unfound_recovery_stops_until_do_recovery"],
    ),
    (
        S::WaitLocalBackfillReserved,
        On::Event(E::LocalBackfillReserved),
        &["machine_backfill::remote_backfill_slots_then_backfilling"],
    ),
    (
        S::WaitLocalBackfillReserved,
        On::Event(E::RemoteBackfillReserved),
        &["machine_backfill::request_backfill_in_activating_asks_the_local_reserver"],
    ),
    (
        S::WaitRemoteBackfillReserved,
        On::Event(E::RemoteBackfillReserved),
        &["machine_backfill::remote_backfill_slots_then_backfilling"],
    ),
    (
        S::WaitRemoteBackfillReserved,
        On::Event(E::RemoteReservationRejectedTooFull),
        &[
            "machine_backfill::a_too_full_target_makes_the_primary_release_and_retry",
            "machine_backfill::scenario_rejected_too_full_then_granted_after_a_retry",
        ],
    ),
    (
        S::WaitRemoteBackfillReserved,
        On::Event(E::RemoteReservationRevoked),
        &["machine_backfill::a_revoke_while_reserving_retries_without_too_full"],
    ),
    (
        S::WaitRemoteBackfillReserved,
        On::Event(E::AllBackfillsReserved),
        &["machine_backfill::remote_backfill_slots_then_backfilling"],
    ),
    (
        S::Backfilling,
        On::Event(E::Backfilled),
        &["machine_backfill::backfilled_releases_and_goes_recovered_then_clean"],
    ),
    (
        S::Backfilling,
        On::Event(E::DeferBackfill),
        &["machine_backfill::defer_backfill_cancels_and_schedules_a_retry"],
    ),
    (
        S::Backfilling,
        On::Event(E::UnfoundBackfill),
        &["machine_backfill::unfound_backfill_stops_until_request_backfill"],
    ),
    (
        S::Backfilling,
        On::Event(E::RemoteReservationRejectedTooFull),
        &["machine_backfill::a_target_that_fills_up_revokes_and_the_primary_retries_later"],
    ),
    (
        S::Backfilling,
        On::Event(E::RemoteReservationRevokedTooFull),
        &["machine_backfill::a_target_that_fills_up_revokes_and_the_primary_retries_later"],
    ),
    (
        S::Backfilling,
        On::Event(E::RemoteReservationRevoked),
        &["machine_backfill::a_preempted_target_sends_the_primary_back_to_reserving"],
    ),
    (
        S::NotBackfilling,
        On::Event(E::RequestBackfill),
        &[
            "machine_backfill::a_too_full_target_makes_the_primary_release_and_retry",
            "machine_backfill::unfound_backfill_stops_until_request_backfill",
        ],
    ),
    (
        S::NotBackfilling,
        On::Event(E::RemoteBackfillReserved),
        &["machine_backfill::a_too_full_target_makes_the_primary_release_and_retry"],
    ),
    (
        S::NotBackfilling,
        On::Event(E::RemoteReservationRejectedTooFull),
        &["machine_backfill::a_too_full_target_makes_the_primary_release_and_retry"],
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
        &[
            "machine_coverage::active_and_replica_active_discard_deferrals",
            "machine_coverage::replica_active_and_stray_discard_what_no_substate_wants",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::DeferBackfill),
        &[
            "machine_coverage::active_and_replica_active_discard_deferrals",
            "machine_coverage::replica_active_and_stray_discard_what_no_substate_wants",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::UnfoundRecovery),
        &["machine_coverage::replica_active_and_stray_discard_what_no_substate_wants"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::UnfoundBackfill),
        &["machine_coverage::replica_active_and_stray_discard_what_no_substate_wants"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::RemoteBackfillPreempted),
        &["machine_coverage::replica_active_and_stray_discard_what_no_substate_wants"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::RemoteRecoveryPreempted),
        &["machine_coverage::replica_active_and_stray_discard_what_no_substate_wants"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::RecoveryDone),
        &[
            "machine_rep_reservation::a_release_while_waiting_for_the_recovery_slot_is_replica_actives_to_drop",
        ],
    ),
    (
        S::ReplicaActive,
        On::Event(E::DeleteStart),
        &["machine_delete::replica_delete_start_leaves_replica_active"],
    ),
    (
        S::ReplicaActive,
        On::Event(E::MLease),
        &[
            "machine_lease::activation_grants_the_lease_and_renewal_extends_it",
            "machine_lease::bad_leases_and_acks_are_dropped",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RequestRecoveryPrio),
        &[
            "machine_rep_reservation::request_recovery_prio_asks_the_remote_reserver",
            "machine_rep_reservation::a_pre_mimic_request_without_priority_uses_our_own",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RequestBackfillPrio),
        &["machine_rep_reservation::request_backfill_prio_leaves_the_space_check_to_the_host"],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RejectTooFullRemoteReservation),
        &[
            "machine_reactions::rep_not_recovering_rejects_a_backfill_reservation_when_too_full",
            "machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteReservationRejectedTooFull),
        &[
            "machine_reactions::rep_not_recovering_rejects_a_backfill_reservation_when_too_full",
            "machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteReservationCanceled),
        &[
            "machine_engine::a_transit_to_the_current_state_exits_and_reenters_it",
            "machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases",
        ],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteRecoveryReserved),
        &["machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases"],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RemoteBackfillReserved),
        &["machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases"],
    ),
    (
        S::RepNotRecovering,
        On::Event(E::RecoveryDone),
        &[
            "machine_rep_reservation::rep_not_recovering_drops_late_grants_and_reenters_on_releases",
            "machine_rep_reservation::the_recovery_grant_is_sent_to_the_primary",
        ],
    ),
    (
        S::RepWaitRecoveryReserved,
        On::Event(E::RemoteRecoveryReserved),
        &["machine_rep_reservation::the_recovery_grant_is_sent_to_the_primary"],
    ),
    (
        S::RepWaitRecoveryReserved,
        On::Event(E::RemoteReservationRejectedTooFull),
        &["machine_rep_reservation::a_cancel_while_waiting_for_the_recovery_slot_withdraws_it"],
    ),
    (
        S::RepWaitRecoveryReserved,
        On::Event(E::RemoteReservationCanceled),
        &["machine_rep_reservation::a_cancel_while_waiting_for_the_recovery_slot_withdraws_it"],
    ),
    (
        S::RepWaitBackfillReserved,
        On::Event(E::RemoteBackfillReserved),
        &["machine_rep_reservation::request_backfill_prio_leaves_the_space_check_to_the_host"],
    ),
    (
        S::RepWaitBackfillReserved,
        On::Event(E::RejectTooFullRemoteReservation),
        &["machine_rep_reservation::a_failed_space_check_rejects_too_full"],
    ),
    (
        S::RepWaitBackfillReserved,
        On::Event(E::RemoteReservationRejectedTooFull),
        &[
            "machine_rep_reservation::a_failed_space_check_rejects_too_full",
            "machine_rep_reservation::a_release_while_waiting_for_the_backfill_slot_withdraws_it",
        ],
    ),
    (
        S::RepWaitBackfillReserved,
        On::Event(E::RemoteReservationCanceled),
        &["machine_rep_reservation::a_release_while_waiting_for_the_backfill_slot_withdraws_it"],
    ),
    (
        S::RepRecovering,
        On::Event(E::RecoveryDone),
        &[
            "machine_rep_reservation::the_recovery_grant_is_sent_to_the_primary",
            "machine_recovery::scenario_a_replica_that_missed_writes_is_recovered",
        ],
    ),
    (
        S::RepRecovering,
        On::Event(E::RemoteReservationRejectedTooFull),
        &["machine_rep_reservation::rep_recovering_revokes_when_too_full_or_preempted"],
    ),
    (
        S::RepRecovering,
        On::Event(E::RemoteReservationCanceled),
        &["machine_rep_reservation::rep_recovering_revokes_when_too_full_or_preempted"],
    ),
    (
        S::RepRecovering,
        On::Event(E::BackfillTooFull),
        &["machine_rep_reservation::rep_recovering_revokes_when_too_full_or_preempted"],
    ),
    (
        S::RepRecovering,
        On::Event(E::RemoteRecoveryPreempted),
        &["machine_rep_reservation::rep_recovering_revokes_when_too_full_or_preempted"],
    ),
    (
        S::RepRecovering,
        On::Event(E::RemoteBackfillPreempted),
        &["machine_rep_reservation::rep_recovering_revokes_when_too_full_or_preempted"],
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
        &["machine_coverage::replica_active_and_stray_discard_what_no_substate_wants"],
    ),
    (
        S::Stray,
        On::Event(E::DeleteStart),
        &["machine_delete::stray_delete_start_requests_the_delete_reservation"],
    ),
    (
        S::ToDelete,
        On::Event(E::ActMap),
        &["machine_delete::act_map_re_requests_when_the_delete_priority_changes"],
    ),
    (
        S::ToDelete,
        On::Event(E::ActivateCommitted),
        &["machine_delete::to_delete_ignores_stale_activation_commits_and_early_delete_some"],
    ),
    (
        S::ToDelete,
        On::Event(E::DeleteSome),
        &["machine_delete::to_delete_ignores_stale_activation_commits_and_early_delete_some"],
    ),
    (
        S::WaitDeleteReserved,
        On::Event(E::DeleteReserved),
        &["machine_delete::delete_reserved_starts_deleting"],
    ),
    (
        S::Deleting,
        On::Event(E::DeleteSome),
        &[
            "machine_delete::delete_some_removes_one_bounded_chunk_and_asks_for_more",
            "machine_delete::empty_listing_removes_the_pg_and_terminates",
        ],
    ),
    (
        S::Deleting,
        On::Event(E::DeleteInterrupted),
        &["machine_delete::delete_interrupted_waits_for_the_reservation_again"],
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
    let is_test = src.match_indices(&needle).any(|(at, _)| {
        src[..at]
            .lines()
            .rev()
            .map(str::trim)
            .take_while(|l| l.starts_with("#[") || l.starts_with("//") || l.is_empty())
            .any(|l| l == "#[test]")
    });
    // A binary without libtest (`harness = false`) runs its checks from `main`.
    let run_by_main = src.contains(&needle)
        && src
            .split_once("fn main() {")
            .is_some_and(|(_, body)| body.contains(&format!("{name}();")));
    is_test || run_by_main
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

/// No reaction of the chart is shadowed: as in Ceph's tables, every reaction a
/// composite state lists is reached from some substate. `ReplicaActive`'s
/// `RecoveryDone` (a RELEASE) is reached exactly from the two replica states
/// waiting for a slot, which do not list it (§3 RepWaitRecoveryReserved's note);
/// `RepNotRecovering` and `RepRecovering` take it themselves.
#[test]
fn shadowed_reactions_are_the_known_ones() {
    let shadowed: Vec<String> = chart()
        .flat_map(|d| d.reactions.iter().map(move |r| (d.id, r.on)))
        .filter(|(s, on)| !reachable(*s, *on))
        .map(|(s, on)| label(s, on))
        .collect();
    assert_eq!(shadowed, Vec::<String>::new());
    let through: Vec<StateId> = children(S::ReplicaActive)
        .filter(|c| passes(*c, Some(E::RecoveryDone)))
        .collect();
    assert_eq!(
        through,
        [S::RepWaitRecoveryReserved, S::RepWaitBackfillReserved]
    );
    for deferral in [E::DeferRecovery, E::DeferBackfill] {
        assert!(reachable(S::ReplicaActive, On::Event(deferral)));
        assert!(reachable(S::Active, On::Event(deferral)));
    }
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

/// osd.0..2 acting, osd.3 a stray.
fn with_stray() -> Cluster {
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    c.run();
    assert_eq!(c.pg(3).state_id(), S::Stray);
    c
}

/// `evt` at osd `osd` reaches `state`'s plain discard: delivered, nothing output,
/// the PG unchanged.
fn assert_discarded(c: &mut Cluster, osd: i32, state: StateId, evt: &Event) {
    let kind = evt.kind();
    let r = state.def().reaction_for(kind).map(|r| r.kind);
    assert_eq!(r, Some(ReactionKind::Discard), "{kind:?}");
    let before = c.pg(osd).clone();
    let (out, ctx) = deliver(c, osd, evt.clone());
    assert_eq!(out, EventOutcome::Delivered, "osd.{osd} {kind:?}");
    assert!(ctx.is_empty(), "osd.{osd} {kind:?}: {ctx:?}");
    assert_eq!(c.pg(osd), &before, "osd.{osd} {kind:?}");
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
        assert_eq!(
            err,
            PeeringError::HostMisuse(HostMisuse::MapBatchOpen { event: kind })
        );
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
    let mut c2 = with_stray();
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
        assert!(ctx.notifications().is_empty(), "{ctx:?}");
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
            lease: None,
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
/// ReplicaActive). Active's are custom reactions that can only discard, and
/// report the deferral as raced with the state it found (the reservation it
/// would defer was already released); ReplicaActive's are plain discards.
#[test]
fn active_and_replica_active_discard_deferrals() {
    let mut c = active_clean();
    let delay = Defer {
        delay: Timespan(1_000),
    };
    for kind in [E::DeferRecovery, E::DeferBackfill] {
        let active = S::Active.def().reaction_for(kind).map(|r| r.kind);
        assert_eq!(active, Some(ReactionKind::Custom(&[])), "{kind:?}");
        let replica = S::ReplicaActive.def().reaction_for(kind).map(|r| r.kind);
        assert_eq!(replica, Some(ReactionKind::Discard), "{kind:?}");
        // Neither Clean nor RepNotRecovering lists them.
        assert!(S::Clean.def().reaction_for(kind).is_none());
        assert!(S::RepNotRecovering.def().reaction_for(kind).is_none());
    }
    for (osd, outcome) in [
        (
            0,
            EventOutcome::Dropped(DropReason::Raced { state: S::Clean }),
        ),
        (1, EventOutcome::Delivered),
    ] {
        for evt in [Event::DeferRecovery(delay), Event::DeferBackfill(delay)] {
            let before = c.pg(osd).clone();
            let (out, ctx) = deliver(&mut c, osd, evt);
            assert_eq!(out, outcome, "osd.{osd}");
            assert!(ctx.is_empty(), "{ctx:?}");
            assert_eq!(c.pg(osd), &before);
        }
    }
}

/// What reaches `ReplicaActive` or `Stray` from the primary's recovery or
/// backfill after the replica's part ended is dropped there (§3 ReplicaActive,
/// Stray): `RepNotRecovering` does not list the unfound notices or the
/// preemptions, and a stray drops a late `RecoveryDone` (RELEASE). Nothing is
/// sent, reserved or changed.
#[test]
fn replica_active_and_stray_discard_what_no_substate_wants() {
    let mut c = active_clean();
    let delay = Defer {
        delay: Timespan(1_000),
    };
    let mut c2 = with_stray();
    let replica = [
        Event::DeferRecovery(delay),
        Event::DeferBackfill(delay),
        Event::UnfoundRecovery,
        Event::UnfoundBackfill,
        Event::RemoteBackfillPreempted,
        Event::RemoteRecoveryPreempted,
    ];
    for (cl, osd, state, evts) in [
        (&mut c, 1, S::ReplicaActive, &replica[..]),
        (&mut c2, 3, S::Stray, &[Event::RecoveryDone][..]),
    ] {
        for evt in evts {
            let innermost = cl.pg(osd).state_id();
            if innermost != state {
                assert!(innermost.def().reaction_for(evt.kind()).is_none());
            }
            assert_discarded(cl, osd, state, evt);
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

/// Forcing has nothing to act on in `Clean` (§3 Clean: dropped before `Primary`
/// would set the flag), nor outside the primary, where `Started` drops the force
/// requests and a `NullEvt` (§3 Started): nothing is sent, reserved or changed,
/// no `FORCED_*` bit is set.
#[test]
fn force_requests_are_dropped_where_there_is_nothing_to_force() {
    let c = active_clean();
    let c2 = with_stray();
    let clean = [Event::SetForceRecovery, Event::SetForceBackfill];
    let started = [
        Event::NullEvt,
        Event::SetForceRecovery,
        Event::UnsetForceRecovery,
        Event::SetForceBackfill,
        Event::UnsetForceBackfill,
    ];
    let mut clusters = [c, c2];
    for (i, osd, state, evts) in [
        (0, 0, S::Clean, &clean[..]),
        (0, 1, S::Started, &started[..]),
        (1, 3, S::Started, &started[..]),
    ] {
        let cl = &mut clusters[i];
        for evt in evts {
            assert_discarded(cl, osd, state, evt);
            let bits = cl.pg(osd).state_bits();
            assert!(!bits.contains(PgState::FORCED_RECOVERY));
            assert!(!bits.contains(PgState::FORCED_BACKFILL));
        }
    }
}
