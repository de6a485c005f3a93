//! The simulated cluster network, with the messenger's semantics for OSD
//! peers (Ceph's cluster messenger uses the `lossless_peer` policy between
//! OSDs): a connection delivers in order and exactly once while it lives;
//! different connections interleave freely; a transient fault (a socket
//! reset, a partition) only delays what is in flight, which the messenger
//! replays after reconnecting; what is in flight is lost, and both ends are
//! told (`ms_handle_reset`), only when the connection is marked down (the
//! peer went down in the map) or the peer process restarted.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::types::OsdId;

use super::wire::Wire;

/// One direction of a connection.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct Conn {
    /// Bumped by every reset: frames of an older generation are lost.
    generation: u64,
    /// The last sequence number used (the next frame gets one more).
    seq: u64,
    /// When the last frame sent on it arrives: later frames arrive later.
    last_arrival: i64,
}

/// What the network decided for one frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Routed {
    /// When it arrives.
    pub at: i64,
    /// The connection generation it travels in.
    pub generation: u64,
    /// Its sequence number on the connection (maps travel without one).
    pub seq: u64,
}

/// The network (see the module docs).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct Network {
    conns: BTreeMap<(OsdId, OsdId), Conn>,
    /// The side cut off from the rest, and when the partition ends.
    partition: Option<(BTreeSet<OsdId>, i64)>,
    /// Extra latency per directed link, while a slow link lasts.
    slow: BTreeMap<(OsdId, OsdId), i64>,
}

impl Network {
    /// Whether `a` and `b` can talk (no partition between them).
    pub fn reachable(&self, a: OsdId, b: OsdId) -> bool {
        match &self.partition {
            Some((side, _)) => side.contains(&a) == side.contains(&b),
            None => true,
        }
    }

    /// Routes a frame (`counts_seq`) or a map batch from `from` to `to`, sent
    /// at `now` with `latency`. Across a partition it waits for the partition
    /// to end (the messenger keeps reconnecting and replays it).
    pub fn route(
        &mut self,
        (from, to): (OsdId, OsdId),
        now: i64,
        latency: i64,
        counts_seq: bool,
        wire: &mut dyn Wire,
    ) -> Routed {
        let held_until = match &self.partition {
            Some((_, until)) if !self.reachable(from, to) => *until,
            _ => now,
        };
        let extra = self.slow.get(&(from, to)).copied().unwrap_or(0);
        let c = self.conns.entry((from, to)).or_default();
        let earliest = held_until
            .max(now)
            .saturating_add(latency)
            .saturating_add(extra);
        // The wire says when; the faithful one never before the previous
        // frame of the connection.
        let at = wire
            .frame_arrival(from, to, earliest, c.last_arrival)
            .max(now);
        c.last_arrival = c.last_arrival.max(at);
        if counts_seq {
            c.seq = c.seq.saturating_add(1);
        }
        Routed {
            at,
            generation: c.generation,
            seq: c.seq,
        }
    }

    /// A transient fault on `from → to` (a socket reset): the messenger
    /// reconnects after `delay` and replays; frames sent meanwhile wait.
    pub fn reconnect(&mut self, from: OsdId, to: OsdId, now: i64, delay: i64) {
        let c = self.conns.entry((from, to)).or_default();
        c.last_arrival = c.last_arrival.max(now.saturating_add(delay));
    }

    /// Whether a frame of `generation` on `from → to` is still deliverable
    /// (its connection was not reset since).
    pub fn live(&self, from: OsdId, to: OsdId, generation: u64) -> bool {
        self.conns
            .get(&(from, to))
            .is_some_and(|c| c.generation == generation)
    }

    /// Resets the connection between `a` and `b`, both directions: what was
    /// in flight is lost and the next session starts at sequence 1.
    pub fn reset(&mut self, a: OsdId, b: OsdId) {
        for key in [(a, b), (b, a)] {
            let c = self.conns.entry(key).or_default();
            c.generation = c.generation.saturating_add(1);
            c.seq = 0;
            c.last_arrival = 0;
        }
    }

    /// Cuts `side` off from everyone else until `until`.
    pub fn partition(&mut self, side: BTreeSet<OsdId>, until: i64) {
        self.partition = Some((side, until));
    }

    /// Whether a partition lasts.
    pub fn partitioned(&self) -> bool {
        self.partition.is_some()
    }

    /// Ends the partition.
    pub fn heal_partition(&mut self) {
        self.partition = None;
    }

    /// Makes `from → to` deliver `extra` nanoseconds late.
    pub fn slow_link(&mut self, from: OsdId, to: OsdId, extra: i64) {
        self.slow.insert((from, to), extra);
    }

    /// Ends every slow link.
    pub fn heal_links(&mut self) {
        self.slow.clear();
    }
}
