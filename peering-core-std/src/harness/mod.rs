//! In-process clusters for scripted peering scenarios (the host contract of
//! `Pg`, driven end to end).
//!
//! [`OsdHarness`] ([`osd_cluster`]) is the harness: N [`crate::osd::Osd`]s,
//! every message between them through the wire encoding, a monitor granting
//! boot, up_thru and pg_temp by publishing incrementals, and the store, on a
//! real [`crate::osdmap::OsdMap`] with CRUSH (a scenario's preference lists are
//! `pg_upmap` entries). The scenario tests, the random histories and the
//! examples run on it. Everything is ordered, so a scenario replays
//! identically; the [`Transcript`] records every map, message, state entry and
//! request, and the [`Checker`] checks the safety invariants after every round.
//!
//! Pools are replicated ([`OsdHarness::replicated`]) or erasure-coded
//! ([`OsdHarness::erasure`]: instances `(osd, shard)`, positional up and
//! acting sets with `CRUSH_ITEM_NONE` holes, the EC write path and its
//! rollbacks).

mod error;
mod invariants;
pub mod osd_cluster;
mod placement;
mod policy;
mod transcript;

pub use error::HarnessError;
pub use invariants::{Checker, Rule, Violation};
pub use osd_cluster::OsdHarness;
pub use placement::Placement;
pub use policy::Policy;
pub use transcript::{Entry, Outcome, Transcript, message_name};
