//! # peering-core-std
//!
//! The OSD side of Ceph peering, for hosts with `std`: the CRUSH placement algorithm
//! ([`crush`]), the OSD map with its incrementals and PG math ([`osdmap`]), and the
//! wire message catalog ([`msg`]), the sans-IO OSD host ([`osd`]: sessions, PG
//! slots, the map pipeline, the peering queue, `dispatch_context`), an in-memory
//! store ([`store`]) and an in-process cluster for scripted peering scenarios
//! ([`harness`]).
//!
//! Everything here follows Ceph's own behaviour bit for bit where it can be checked
//! (CRUSH placement is checked against `crushtool`, placement against
//! `osdmaptool`); each item names the Ceph function or rule it follows.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
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

pub mod crush;
pub mod harness;
pub mod mon;
pub mod msg;
pub mod osd;
pub mod osdmap;
pub mod sim;
pub mod store;
