//! # peering-core on a Cortex-M4, under QEMU
//!
//! A bare-metal binary (`thumbv7em-none-eabihf`, `cortex-m-rt`, a real
//! global allocator from `embedded-alloc`) that does what a disk controller
//! or a smart NIC would: it creates one PG instance per OSD of a size-3 PG,
//! routes their messages in memory (queries, notifies, infos, logs), plays
//! the monitor that records the primary's `up_thru`, and runs until the
//! primary is `Started/Primary/Active/Clean`. It prints, over semihosting,
//! each instance's state, the heap held per PG instance, the peak heap and
//! the stack used, then exits QEMU with the run's status.
//!
//! Run it from this directory (Debian: `apt-get install qemu-system-arm`):
//!
//! ```sh
//! cargo run --release
//! ```

#![no_std]
#![no_main]

extern crate alloc;

mod heap;
mod stack;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use peering_core::ctx::{HostNotification, MonRequest, OnCommit, RecoveryCtx};
use peering_core::event::{Event, PeeringEvt};
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::machine::{Config, Pg, PgCreate};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{Epoch, OsdId, PgHistory, PgId, PgShard, SpgId, UTime};

/// The OSDs, and the PG's acting set (osd.0 primary).
const OSDS: [i32; 3] = [0, 1, 2];

/// The most events the run delivers before it gives up (a bound, not a
/// timeout: the same inputs always take the same number).
const MAX_EVENTS: usize = 1_000;

/// Three PG instances, the maps, and the messages between them.
struct Cluster {
    maps: BTreeMap<Epoch, SimpleOsdMap>,
    pgs: BTreeMap<i32, Pg>,
    queue: VecDeque<(i32, PeeringEvt)>,
    want_up_thru: BTreeMap<i32, Epoch>,
    delivered: usize,
}

fn mapping() -> UpActing {
    UpActing::new(&OSDS, 0, &OSDS, 0)
}

impl Cluster {
    /// Epoch 1: three OSDs up, a size-3 pool; the PG created on each.
    fn new() -> Result<Cluster, peering_core::PeeringError> {
        let mut map = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(1, 3, 1));
        for o in OSDS {
            map = map.with_up_osd(o, 1);
        }
        let mut c = Cluster {
            maps: BTreeMap::new(),
            pgs: BTreeMap::new(),
            queue: VecDeque::new(),
            want_up_thru: BTreeMap::new(),
            delivered: 0,
        };
        for o in OSDS {
            let mut ctx = RecoveryCtx::new();
            let pg = Pg::create(
                PgCreate {
                    whoami: PgShard::replica(o),
                    pgid: SpgId::replicated(PgId::new(1, 0)),
                    mapping: mapping(),
                    history: PgHistory::new(1, UTime::default()),
                    past_intervals: PastIntervals::default(),
                    config: Config::default(),
                },
                &map,
                &mut ctx,
            )?;
            c.pgs.insert(o, pg);
            c.absorb(o, ctx);
        }
        c.maps.insert(1, map);
        Ok(c)
    }

    fn newest(&self) -> Epoch {
        self.maps.keys().next_back().copied().unwrap_or(1)
    }

    /// Routes what one instance asked for: messages to the others' queues,
    /// commits (immediate: RAM is the store here), monitor requests, and the
    /// answer to `on_activate_complete` (nothing to recover).
    fn absorb(&mut self, from: i32, mut ctx: RecoveryCtx) {
        let persist = ctx.take_persist();
        for (to, out) in ctx.drain_outgoing() {
            for (_, evt) in out.into_events(OsdId(from)) {
                self.queue.push_back((to.0, evt));
            }
        }
        for req in ctx.drain_mon() {
            if let MonRequest::UpThru { want } = req {
                self.want_up_thru.insert(from, want);
            }
        }
        let notes: Vec<HostNotification> = ctx.drain_notifications().collect();
        for n in notes {
            if let HostNotification::ActivateComplete {
                needs_recovery: false,
                needs_backfill: false,
            } = n
            {
                let e = self.pgs.get(&from).map_or(1, Pg::epoch);
                self.queue
                    .push_back((from, PeeringEvt::new(e, Event::AllReplicasRecovered)));
            }
        }
        for c in persist.committed() {
            let mut ctx = RecoveryCtx::new();
            match c {
                OnCommit::Event(e) => self.queue.push_back((from, e)),
                OnCommit::CompleteFlush => {
                    if let Some(pg) = self.pgs.get_mut(&from) {
                        pg.complete_flush(&mut ctx);
                    }
                }
                OnCommit::PurgeStrays => {
                    let newest = self.newest();
                    if let (Some(pg), Some(map)) = (self.pgs.get_mut(&from), self.maps.get(&newest))
                    {
                        pg.purge_strays(map, &mut ctx);
                    }
                }
                OnCommit::DeleteMore { .. } => {}
            }
            if !ctx.is_empty() {
                self.absorb(from, ctx);
            }
        }
    }

    /// Delivers queued events until none is left.
    fn run(&mut self) -> Result<(), peering_core::PeeringError> {
        while let Some((to, evt)) = self.queue.pop_front() {
            self.delivered += 1;
            if self.delivered > MAX_EVENTS {
                return Ok(());
            }
            let Some(pg) = self.pgs.get_mut(&to) else {
                continue;
            };
            let Some(map) = self.maps.get(&pg.epoch()) else {
                continue;
            };
            let mut ctx = RecoveryCtx::new();
            pg.handle_event(evt, map, &mut ctx)?;
            self.absorb(to, ctx);
        }
        Ok(())
    }

    /// The monitor publishes a map recording the `up_thru` asked for; every
    /// instance advances to it (`AdvMap`, then `ActMap`).
    fn grant_up_thru(&mut self) -> Result<bool, peering_core::PeeringError> {
        if self.want_up_thru.is_empty() {
            return Ok(false);
        }
        let last = self.newest();
        let Some(mut next) = self.maps.get(&last).map(SimpleOsdMap::next) else {
            return Ok(false);
        };
        for (o, e) in core::mem::take(&mut self.want_up_thru) {
            next.set_up_thru(o, e);
        }
        let epoch = next.epoch;
        self.maps.insert(epoch, next);
        for o in OSDS {
            let mut ctx = RecoveryCtx::new();
            if let (Some(pg), Some(new), Some(old)) = (
                self.pgs.get_mut(&o),
                self.maps.get(&epoch),
                self.maps.get(&last),
            ) {
                pg.advance_map(new, old, mapping(), &mut ctx)?;
                pg.activate_map(new, &mut ctx)?;
            }
            self.absorb(o, ctx);
        }
        Ok(true)
    }
}

fn peer() -> Result<Cluster, peering_core::PeeringError> {
    let mut c = Cluster::new()?;
    loop {
        c.run()?;
        if !c.grant_up_thru()? {
            return Ok(c);
        }
    }
}

#[entry]
fn main() -> ! {
    heap::init();
    stack::paint();
    hprintln!("peering-core on a Cortex-M4: one PG, three instances, peering in memory");
    let result = peer();
    let stack_used = stack::used();
    let ok = match &result {
        Ok(c) => {
            for (o, pg) in &c.pgs {
                hprintln!("osd.{}: {} [{}]", o, pg.state_name(), pg.state_bits());
            }
            hprintln!("events delivered: {}", c.delivered);
            c.pgs.get(&0).map(Pg::state_name) == Some("Started/Primary/Active/Clean")
        }
        Err(e) => {
            hprintln!("peering failed: {:?}", e);
            false
        }
    };
    // What the PG instances hold once everything else (maps, queues) is gone.
    // (Moved into a vector of exactly three: a map's node would hold room
    // for eleven.)
    let mut pgs: Vec<Pg> = Vec::with_capacity(OSDS.len());
    if let Ok(mut c) = result {
        pgs.extend(core::mem::take(&mut c.pgs).into_values());
    }
    let held = heap::used();
    let per_pg = held / OSDS.len();
    hprintln!(
        "size_of::<Pg>() = {} B; heap held by the three instances {} B",
        core::mem::size_of::<Pg>(),
        held
    );
    hprintln!(
        "final: {}; {} B per PG instance (inline and heap), peak heap {} B, stack used {} B",
        if ok { "active+clean" } else { "NOT clean" },
        per_pg,
        heap::peak(),
        stack_used
    );
    drop(pgs);
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
