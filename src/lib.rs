//! # peering
//!
//! Ceph's placement-group peering as an embeddable Rust library. This facade
//! re-exports the two crates that do the work:
//!
//! - [`core`] (`peering-core`): the `no_std`, sans-IO protocol: types, PG log,
//!   past intervals, acting-set choice and the peering state machine.
//! - [`osd`] (`peering-core-std`): the OSD side: OSD map, CRUSH placement,
//!   wire messages, an in-memory store and the in-process cluster harness the
//!   examples and scenario tests drive.
//!
//! It also holds [`scenario`], the interpreter of scenario files (the
//! `peering run` command and `scenarios/`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use peering_core as core;
pub use peering_core_std as osd;

pub mod scenario;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
