//! # peering-core
//!
//! Ceph's placement-group (PG) peering, as a `no_std` + `alloc`, sans-IO library.
//!
//! The crate holds the protocol itself: the vocabulary Ceph's OSDs speak about a PG
//! ([`types`]), the PG log with its merge and divergence rules ([`log`]), past
//! intervals and prior sets ([`intervals`]), the choice of authoritative log and acting
//! set ([`acting`]), the read-only questions asked of an OSD map ([`map`]), and the
//! statechart that ties them together ([`machine`]), fed [`event`]s and producing a
//! [`ctx::RecoveryCtx`].
//!
//! Nothing here does IO, reads a clock or spawns a thread: events come in, and
//! everything the host must send or persist comes out as plain values.
//!
//! Ceph's behaviour is the specification; each item's documentation names the Ceph
//! function or rule it follows, so it can be checked against Ceph's source.
//!
//! [`guide`] says how to write a host: the loop, maps, restart, errors.
//!
//! # A host loop
//!
//! Three instances of one PG in one process (a real host has one per daemon), a
//! host that persists at once and routes messages in memory, from creation to
//! active+clean:
//!
//! ```
//! use std::collections::VecDeque;
//!
//! use peering_core::ctx::{HostNotification, OnCommit, RecoveryCtx};
//! use peering_core::event::{Event, PeeringEvt};
//! use peering_core::intervals::{PastIntervals, UpActing};
//! use peering_core::machine::{Config, Pg, PgCreate};
//! use peering_core::map::{PoolInfo, SimpleOsdMap};
//! use peering_core::types::{OsdId, PgHistory, PgId, PgShard, SpgId, UTime};
//!
//! /// Persist, then send, then answer what the host answers (here: recovery has
//! /// nothing to do once the PG activated).
//! fn dispatch(from: usize, pg: &Pg, ctx: &mut RecoveryCtx, queue: &mut VecDeque<(usize, PeeringEvt)>) {
//!     let (_transaction, waiting) = ctx.take_persist().into_parts();
//!     // ... the store applies `_transaction`; once durable:
//!     for work in waiting.committed() {
//!         if let OnCommit::Event(e) = work {
//!             queue.push_back((from, e));
//!         }
//!     }
//!     for (to, msg) in ctx.drain_outgoing() {
//!         for (_pgid, evt) in msg.into_events(OsdId(from as i32)) {
//!             queue.push_back((to.0 as usize, evt));
//!         }
//!     }
//!     for n in ctx.drain_notifications() {
//!         if let HostNotification::ActivateComplete { .. } = n {
//!             queue.push_back((from, PeeringEvt::new(pg.epoch(), Event::AllReplicasRecovered)));
//!         }
//!     }
//!     ctx.clear(); // timers, reservations and monitor requests: none needed here
//! }
//!
//! // Epoch 1: osd.0..2 up, osd.0's up_thru already recorded, a size-3 pool.
//! let mut map = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(1, 3, 1));
//! for o in 0..3 {
//!     map = map.with_up_osd(o, 1);
//! }
//! map.set_up_thru(0, 1);
//! let pgid = SpgId::replicated(PgId::new(1, 0));
//! let mapping = UpActing::new(&[0, 1, 2], 0, &[0, 1, 2], 0);
//!
//! let mut pgs = Vec::new();
//! let mut queue = VecDeque::new();
//! let mut ctx = RecoveryCtx::new();
//! for osd in 0..3 {
//!     let pg = Pg::create(
//!         PgCreate {
//!             whoami: PgShard::replica(osd),
//!             pgid,
//!             mapping: mapping.clone(),
//!             history: PgHistory::new(1, UTime::default()),
//!             past_intervals: PastIntervals::default(),
//!             config: Config::default(),
//!         },
//!         &map,
//!         &mut ctx,
//!     )?;
//!     dispatch(osd as usize, &pg, &mut ctx, &mut queue);
//!     pgs.push(pg);
//! }
//! while let Some((to, evt)) = queue.pop_front() {
//!     pgs[to].handle_event(evt, &map, &mut ctx)?;
//!     dispatch(to, &pgs[to], &mut ctx, &mut queue);
//! }
//! assert_eq!(pgs[0].state_name(), "Started/Primary/Active/Clean");
//! assert_eq!(pgs[0].status().state, "active+clean");
//! assert_eq!(pgs[1].state_name(), "Started/ReplicaActive/RepNotRecovering");
//! # Ok::<(), peering_core::PeeringError>(())
//! ```
//!
//!
//! # Work per event
//!
//! What one call costs grows with the sizes below, and with nothing a single map
//! or message can inflate for free. Costs are in object comparisons (a search of
//! a tree of `k` objects is `log k` of them) and, for what is copied, entries.
//!
//! * `n`: the entries of a log (ours, or the one a peer sent), `d` of them
//!   divergent; `m`: the items of a missing set.
//! * `p`: the peers the PG hears from or probes (at most the OSDs of its past
//!   intervals); `s`: the pool's size; `i`: the past intervals since the PG was
//!   last clean.
//! * `c`: the children of a split, fewer than [`map::MAX_POOL_PG_NUM`]
//!   (Ceph's `mon_max_pool_pg_num`; a map with a larger pool is refused).
//!
//! | event | work |
//! |---|---|
//! | `AdvMap` + `ActMap` that start no interval | O(s): the up/acting sets and the pool's values are compared, the split and merge questions take constant time ([`types::PgId::is_split`]); no allocation |
//! | `AdvMap` that starts an interval | O(s + p) to close the interval and reset per-interval state; on a primary, `build_prior` O(i · s) and one query per OSD of the prior set |
//! | `MNotifyRec`, `MInfoRec`, `MQuery` | O(log p) to record; when it re-runs `choose_acting`, O(p log p) |
//! | `MLogRec` merged into our log (GetLog, a stray, a replica) | O((n + d) log(n + m)) for the entries that move and the divergent objects reconciled |
//! | `MLogRec` of a peer on the primary (`proc_replica_log`) | O(n log d): the kept entries are walked back, the `d` divergent objects decided |
//! | `Activate` on a primary | O(p · n log(n + m)): each peer's missing log copied and its missing set built |
//! | writes and recovery feedback | O(p log m) per entry or object; each event that changes the log also persists it whole, O(n + m) copied (Ceph writes only the changed range) |
//! | `MTrim` | O(entries trimmed) |
//! | `DeleteSome` | at most `delete_max_objects` objects |
//! | [`machine::Pg::split`] | O(c · (n + m)): one step per child, each child's share found by a pass over the parent's log and missing set |
//!
//! One call delivers at most `max_posted_events` events (the posted chain
//! included) and the statechart is four states deep, so a call is a bounded
//! number of the rows above. The sizes the host bounds are the log's length
//! (trimming, `osd_max_pg_log_entries`), the OSDs in its maps and how often it
//! lets intervals pass without the PG going clean.
//!
//! Tests hold the code to these bounds by counting, not timing: the `meter`
//! feature turns on [`meter`]'s counters of split steps and object comparisons.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Peers are untrusted: library code never panics on what they send (DESIGN.md §4).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

extern crate alloc;

#[macro_use]
mod macros;

pub mod acting;
pub mod ctx;
pub mod error;
pub mod event;
pub mod guide;
pub mod intervals;
pub mod log;
pub mod machine;
pub mod map;
pub mod meter;
pub mod types;

pub use error::{BadInput, Crash, HostMisuse, PeeringError};
