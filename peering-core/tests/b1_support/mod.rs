//! B1's driver (DESIGN.md §7): one size-3 PG, its three instances in one process,
//! from `Initial` to Active+Clean through a minimal router (no transcript, no
//! store: the core's own cost). Shared by `benches/machine.rs`, which times it, and
//! `machine_memory.rs`, which bounds its allocations, so both measure the same run.

#![allow(dead_code)]

use std::alloc::System;
use std::collections::VecDeque;

use peering_core::PeeringError;
use peering_core::ctx::{HostNotification, OnCommit, RecoveryCtx};
use peering_core::event::{Event, PeeringEvt};
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::machine::{Config, Pg, PgCreate};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{OsdId, PgHistory, PgId, PgShard, SpgId, UTime};
use stats_alloc::{Region, StatsAlloc};

/// The PG: 1.0, replicated.
pub fn spg() -> SpgId {
    SpgId::replicated(PgId::new(1, 0))
}

/// The PG maps to [0, 1, 2] with osd.0 primary in both epochs.
pub fn mapping() -> UpActing {
    UpActing::new(&[0, 1, 2], 0, &[0, 1, 2], 0)
}

/// Epoch 1 (three OSDs up, a size-3 pool) and epoch 2 (osd.0's up_thru recorded).
pub fn maps() -> (SimpleOsdMap, SimpleOsdMap) {
    let mut m1 = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(1, 3, 1));
    for o in 0..3 {
        m1 = m1.with_up_osd(o, 1);
    }
    let mut m2 = m1.next();
    m2.set_up_thru(0, 1);
    (m1, m2)
}

/// Three instances and the messages between them.
pub struct Trio {
    /// The instances, by OSD id.
    pub pgs: Vec<Pg>,
    queue: VecDeque<(usize, PeeringEvt)>,
    ctx: RecoveryCtx,
    /// Calls into a `Pg` from outside (creations, map calls, deliveries).
    pub external: usize,
    /// Allocations made inside those calls (the core's own, routing excluded),
    /// counted only with a counter, so timed runs do not pay for it.
    pub core_allocs: usize,
    counter: Option<&'static StatsAlloc<System>>,
}

impl Trio {
    /// Runs `f` (a call into a `Pg`), adding its allocations to `core_allocs`.
    fn call<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let Some(counter) = self.counter else {
            return f(self);
        };
        let region = Region::new(counter);
        let out = f(self);
        self.core_allocs += region.change().allocations;
        out
    }

    /// Routes what instance `from` asked for: messages to their targets, commits
    /// at once, `AllReplicasRecovered` for `on_activate_complete` (§8.6).
    fn route(&mut self, from: usize) {
        for (to, msg) in self.ctx.drain_outgoing() {
            for (_, evt) in msg.into_events(OsdId(from as i32)) {
                self.queue.push_back((to.0 as usize, evt));
            }
        }
        let epoch = self.pgs[from].epoch();
        let mut persist = self.ctx.take_persist();
        for c in persist.drain_committed() {
            match c {
                OnCommit::Event(e) => self.queue.push_back((from, e)),
                // B1 never deletes a PG, and flushes/purges need no answer here.
                OnCommit::CompleteFlush | OnCommit::PurgeStrays | OnCommit::DeleteMore { .. } => {}
            }
        }
        self.ctx.recycle(persist);
        for n in self.ctx.drain_notifications() {
            if let HostNotification::ActivateComplete { .. } = n {
                self.queue
                    .push_back((from, PeeringEvt::new(epoch, Event::AllReplicasRecovered)));
            }
        }
        self.ctx.clear();
    }

    fn run(&mut self, map: &SimpleOsdMap) -> Result<(), PeeringError> {
        while let Some((to, evt)) = self.queue.pop_front() {
            self.external += 1;
            self.call(|t| t.pgs[to].handle_event(evt, map, &mut t.ctx))?;
            self.route(to);
        }
        Ok(())
    }
}

/// One B1 run: create on three OSDs, peer, grant up_thru with map 2, activate,
/// clean. With `counter`, allocations inside `Pg` calls are counted.
pub fn b1_run(
    m1: &SimpleOsdMap,
    m2: &SimpleOsdMap,
    counter: Option<&'static StatsAlloc<System>>,
) -> Result<Trio, PeeringError> {
    let mut t = Trio {
        pgs: Vec::with_capacity(3),
        queue: VecDeque::new(),
        ctx: RecoveryCtx::new(),
        external: 0,
        core_allocs: 0,
        counter,
    };
    for o in 0..3 {
        let args = PgCreate {
            whoami: PgShard::replica(o),
            pgid: spg(),
            mapping: mapping(),
            history: PgHistory::new(1, UTime::default()),
            past_intervals: PastIntervals::default(),
            config: Config::default(),
        };
        t.external += 1;
        let pg = t.call(|t| Pg::create(args, m1, &mut t.ctx))?;
        t.pgs.push(pg);
        t.route(o as usize);
    }
    t.run(m1)?;
    for o in 0..3 {
        t.external += 2;
        t.call(|t| {
            t.pgs[o].advance_map(m2, m1, mapping(), &mut t.ctx)?;
            t.pgs[o].activate_map(m2, &mut t.ctx)
        })?;
        t.route(o);
    }
    t.run(m2)?;
    Ok(t)
}
