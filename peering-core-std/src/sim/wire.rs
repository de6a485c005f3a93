//! The physical world under the simulated messengers: when a frame sent on
//! a connection arrives, and what the monitor's map messages carry when they
//! reach an OSD. [`Faithful`] is the world Ceph's messenger promises (in
//! order within a connection; maps as the monitor published them). A test
//! that wants to see the checker catch a broken world brings its own
//! [`Wire`] ([`super::Sim::with_wire`]): the damage is in the world, never a
//! switch in the code under test.

use std::fmt::Debug;

use peering_core::types::OsdId;

use crate::osdmap::Incremental;

/// The world under the messengers (see the module docs). Every method has
/// the faithful behaviour as its default.
pub trait Wire: Debug {
    /// When a frame from `from` to `to` arrives: `earliest` is the soonest
    /// the link allows (send time, latency, partitions and slow links
    /// included), `previous` the arrival of the connection's previous frame.
    /// Faithful: never before the previous frame (`lossless_peer` delivers
    /// in order).
    fn frame_arrival(&mut self, from: OsdId, to: OsdId, earliest: i64, previous: i64) -> i64 {
        let _ = (from, to);
        earliest.max(previous.saturating_add(1))
    }

    /// The monitor's map batch for `to` as it arrives (`MOSDMap`).
    /// Faithful: unchanged.
    fn maps_to_osd(&mut self, to: OsdId, maps: &mut Vec<Incremental>) {
        let _ = (to, maps);
    }
}

/// The world Ceph's messenger and monitor promise.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Faithful;

impl Wire for Faithful {}
