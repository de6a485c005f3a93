//! # Writing a host
//!
//! The core decides; the host does everything that touches the world. Ceph's
//! host is its OSD (`OSD.cc`: `ms_fast_dispatch`, `handle_osd_map`,
//! `consume_map`, `dequeue_peering_evt`, `advance_pg`, `dispatch_context`); the
//! std companion crate ships one (`peering_core_std::osd::Osd`). This page is
//! for those who write their own.
//!
//! ## The loop
//!
//! Every call into a [`Pg`](crate::machine::Pg) takes a
//! [`RecoveryCtx`](crate::ctx::RecoveryCtx) and leaves in it what the PG asks
//! for. After each call (or each batch of calls, as Ceph's peering queue does
//! with one context per pass) the host:
//!
//! 1. **persists** [`RecoveryCtx::take_persist`](crate::ctx::RecoveryCtx::take_persist):
//!    the transaction goes to the store, applied atomically; the work that waits
//!    for it ([`AwaitingCommit`](crate::ctx::AwaitingCommit), Ceph's `on_commit`
//!    contexts) runs only once the store says the transaction is durable
//!    ([`OnCommit::Event`](crate::ctx::OnCommit::Event) is delivered back to the
//!    PG, [`OnCommit::CompleteFlush`](crate::ctx::OnCommit::CompleteFlush) calls
//!    [`Pg::complete_flush`](crate::machine::Pg::complete_flush), and so on);
//! 2. **sends** [`RecoveryCtx::drain_outgoing`](crate::ctx::RecoveryCtx::drain_outgoing),
//!    skipping targets that are down in the current map and sending nothing while
//!    the host itself is not up in its own map (`dispatch_context`). The messages
//!    of a context may go out before its transaction is durable, as in Ceph: what
//!    depends on durability is produced only by the waiting work of step 1;
//! 3. schedules the **timers** (their events carry the epoch they were set at, so
//!    a PG that reset since drops them), hands **reservation** requests to its
//!    reservers, sends **monitor** requests (up_thru, pg_temp), and reacts to the
//!    **notifications** (a PG that activated wants its recovery engine; a deleted
//!    PG is dropped).
//!
//! Messages from peers become events with
//! [`Outgoing::into_events`](crate::ctx::Outgoing::into_events) on the sending
//! side, or with the std crate's wire decoding on the receiving side, and are
//! delivered with [`Pg::handle_event`](crate::machine::Pg::handle_event). An
//! event stamped with an epoch the PG has not reached waits until the host has
//! advanced the PG; a stale one comes back as a dropped outcome with its reason.
//!
//! ## Maps
//!
//! The host owns its maps and keeps every epoch a PG may still be at. For each
//! new map, each PG gets [`Pg::advance_map`](crate::machine::Pg::advance_map) for
//! every epoch it missed, in order, then one
//! [`Pg::activate_map`](crate::machine::Pg::activate_map); nothing else may come
//! in between. Ceph bounds the epochs one pass advances
//! (`osd_map_max_advance`) and requeues the PG; do the same for fairness. A pool
//! whose `pg_num` grew splits its PGs between the `AdvMap` and the `ActMap` of
//! that epoch ([`Pg::split`](crate::machine::Pg::split), then
//! [`Pg::from_split`](crate::machine::Pg::from_split) for each child).
//!
//! ## Restart
//!
//! After a restart, read every PG's info, past intervals and log back from the
//! store and call [`Pg::load`](crate::machine::Pg::load) at the map it was
//! persisted at. The PG is left in `Reset`, as Ceph's `PG::read_state` leaves
//! it: advance it through the maps it missed before delivering `ActMap`
//! ([`Pg::needs_act_map`](crate::machine::Pg::needs_act_map) says one is owed),
//! so a PG never peers on a stale map. While the host is still down in the
//! newest map its PGs become strays and send nothing; they peer once the
//! monitor marks the host up.
//!
//! ## Errors
//!
//! A refused call says who is at fault ([`PeeringError`](crate::PeeringError)):
//! bad input from a peer or a map, host misuse, or a crash (where Ceph would
//! abort the OSD; the PG is then `Crashed`). Input is untrusted: a single bad
//! message never crashes a PG unless the host asked for Ceph's strict aborts
//! ([`Config::strict_ceph_aborts`](crate::machine::Config::strict_ceph_aborts)).
//! Keep the other PGs running when one crashes.
//!
//! ## Reading a PG
//!
//! [`Pg::status`](crate::machine::Pg::status) is `ceph pg query`: the state
//! string as Ceph prints it, up/acting, info, peers, the recovery state and the
//! state history (stamped with the host's clock, set with
//! [`Pg::set_clock`](crate::machine::Pg::set_clock)). A recovery engine on a hot
//! path reads the borrowed getters instead
//! ([`Pg::missing_loc`](crate::machine::Pg::missing_loc),
//! [`Pg::peer_missing`](crate::machine::Pg::peer_missing), ...).
//!
//! ## A complete loop
//!
//! The crate's front page ([`crate`]) runs one: three instances of a PG, from
//! creation to active+clean, through a host that persists, then sends.
