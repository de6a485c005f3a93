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
//! rule it follows and the section of the project's reference notes (`§N`).
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

pub mod acting;
pub mod ctx;
pub mod error;
pub mod event;
pub mod intervals;
pub mod log;
pub mod machine;
pub mod map;
pub mod meter;
pub mod types;

pub use error::PeeringError;
