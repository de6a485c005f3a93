//! [`Runner`]: runs one block's command on an [`OsdHarness`] and says what
//! happened, in lines that go into the block's expected output.

use std::collections::BTreeSet;

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgId, SpgId};
use peering_core_std::harness::Entry;
use peering_core_std::harness::osd_cluster::OsdHarness;

use super::ErrorKind;
use super::args::Args;
use super::parse::Block;

/// The commands there are, as an unknown command's error lists them.
pub const COMMANDS: &str = "cluster place remap create disk write delete \
down up crash start mark-down partition heal out in lost up-thru epochs pg-num min-size \
policy grant release-commits fire-timers clock backfills too-full run step \
states query history lease messages transcript objects";

/// The commands that only look: `messages` and `transcript` after them still
/// show what the command before them did.
const LOOKS: [&str; 8] = [
    "states",
    "query",
    "history",
    "lease",
    "messages",
    "transcript",
    "objects",
    "policy",
];

/// The only pool a scenario cluster has.
pub(super) const POOL: i64 = 1;

/// The state of one scenario file's run: the cluster (after `cluster`) and
/// how far the previous block read its transcript.
#[derive(Default)]
pub struct Runner {
    pub(super) h: Option<OsdHarness>,
    pub(super) osds: BTreeSet<i32>,
    /// The transcript position this block started at.
    block_start: usize,
    /// Where the last command that did something (not a look) started:
    /// `messages` and `transcript` show what it did.
    action_start: usize,
    /// Violations already reported.
    violations: usize,
    /// Harness failures already reported.
    failures: usize,
    /// Objects written by `write count=N` so far (their names are `obj{n}`).
    pub(super) written: u64,
}

/// `[0,1,2]`, as Ceph prints an OSD vector.
pub(super) fn osd_list(osds: &[OsdId]) -> String {
    let ids: Vec<String> = osds.iter().map(|o| o.0.to_string()).collect();
    format!("[{}]", ids.join(","))
}

impl Runner {
    /// Runs `b`; returns its output lines (with any violation or refused
    /// call the checker saw during it).
    pub fn exec(&mut self, b: &Block) -> Result<Vec<String>, ErrorKind> {
        self.block_start = self.h.as_ref().map_or(0, |h| h.transcript().len());
        if !LOOKS.contains(&b.command.as_str()) {
            self.action_start = self.block_start;
        }
        let mut out = self.command(b)?;
        if let Some(h) = &self.h {
            for v in h.violations().iter().skip(self.violations) {
                out.push(format!(
                    "VIOLATION {:?} on {} pg {} at e{}: {}",
                    v.rule, v.osd, v.pgid, v.epoch, v.detail
                ));
            }
            for f in h.failures().iter().skip(self.failures) {
                out.push(format!("FAILED: {f}"));
            }
            self.violations = h.violations().len();
            self.failures = h.failures().len();
        }
        Ok(out)
    }

    pub(super) fn h(&mut self) -> Result<&mut OsdHarness, ErrorKind> {
        self.h.as_mut().ok_or_else(|| {
            ErrorKind::Impossible("no cluster yet: start the file with `cluster`".into())
        })
    }

    /// `osd` is one of the cluster's OSDs.
    pub(super) fn check_osd(&self, osd: i32) -> Result<i32, ErrorKind> {
        if self.osds.contains(&osd) {
            return Ok(osd);
        }
        let known: Vec<String> = self.osds.iter().map(|o| format!("osd.{o}")).collect();
        Err(ErrorKind::Impossible(format!(
            "osd.{osd} does not exist; the cluster has {}",
            known.join(" ")
        )))
    }

    /// `pg` exists in the newest map.
    pub(super) fn check_pg(&mut self, pg: PgId) -> Result<SpgId, ErrorKind> {
        let h = self.h()?;
        let pg_num = h.map().pool(pg.pool).map(|p| p.pg_num).ok_or_else(|| {
            ErrorKind::Impossible(format!(
                "pool {} does not exist; the cluster has pool {POOL}",
                pg.pool
            ))
        })?;
        if pg.seed >= pg_num {
            return Err(ErrorKind::Impossible(format!(
                "pg {pg} does not exist: pool {} has pg_num {pg_num}",
                pg.pool
            )));
        }
        // The acting primary's instance (an EC PG's is its shard).
        Ok(h.map()
            .primary_shard(pg)
            .unwrap_or_else(|| SpgId::replicated(pg)))
    }

    /// `osd`'s instance of `pg`: running, or else on its disk; on an
    /// erasure-coded pool the lowest shard it holds. `None` when it has none.
    pub(super) fn instance_on(&self, osd: i32, pg: PgId) -> Option<SpgId> {
        let h = self.h.as_ref()?;
        if !h.is_erasure(pg) {
            return Some(SpgId::replicated(pg));
        }
        match h.osd(osd) {
            Some(o) => o.pgs().map(|(s, _)| s).find(|s| s.pgid == pg),
            None => h.store().pgs_on(OsdId(osd)).find(|s| s.pgid == pg),
        }
    }

    /// The maps this block published.
    pub(super) fn maps(&self) -> Vec<String> {
        self.h
            .as_ref()
            .map_or(&[][..], |h| h.transcript().since(self.block_start))
            .iter()
            .filter(|e| matches!(e, Entry::Map { .. }))
            .map(ToString::to_string)
            .collect()
    }

    /// What the last command that did something recorded.
    fn since(&self) -> &[Entry] {
        self.h
            .as_ref()
            .map_or(&[], |h| h.transcript().since(self.action_start))
    }

    fn command(&mut self, b: &Block) -> Result<Vec<String>, ErrorKind> {
        let a = &b.args;
        match b.command.as_str() {
            "cluster" => self.cluster(&Args::new("cluster", a, "osds size ec min-size epoch")?),
            "place" | "remap" => self.place(b.command == "remap", a),
            "create" => {
                let a = Args::new("create", a, "pg")?;
                let pg = a.pg()?;
                self.check_pg(pg)?;
                let h = self.h()?;
                let e = h.epoch();
                if h.is_erasure(pg) {
                    // One shard per position of the up set.
                    h.create_everywhere(pg).map_err(ErrorKind::Harness)?;
                    let m = h.mapping(pg);
                    let names: Vec<String> = m
                        .up
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| **o != OsdId::NONE && h.is_running(o.0))
                        .map(|(i, o)| format!("osd.{}(shard {i})", o.0))
                        .collect();
                    return Ok(vec![format!("pg {pg} created at e{e} on {}", names.join(" "))]);
                }
                // Where its list puts it (strays included), or CRUSH's up set.
                let on: Vec<i32> = match h.cluster().preference(pg) {
                    Some(list) => list.to_vec(),
                    None => h.mapping(pg).up.iter().map(|o| o.0).collect(),
                };
                let on: Vec<i32> = on.into_iter().filter(|o| h.is_running(*o)).collect();
                for &o in &on {
                    let history = peering_core::types::PgHistory::new(e, Default::default());
                    h.create(o, pg, history, Default::default())
                        .map_err(ErrorKind::Harness)?;
                }
                let names: Vec<String> = on.iter().map(|o| format!("osd.{o}")).collect();
                Ok(vec![format!("pg {pg} created at e{e} on {}", names.join(" "))])
            }
            "disk" => self.disk(&Args::new("disk", a, "osd pg head tail les history-les epoch")?),
            "write" | "delete" => self.write(b.command == "delete", a),
            "down" => {
                let a = Args::new("down", a, "osds")?;
                let osds = a.osds("osds")?;
                for o in &osds {
                    self.check_osd(*o)?;
                }
                self.h()?.osds_down(&osds).map_err(ErrorKind::Harness)?;
                Ok(self.maps())
            }
            "up" => {
                let osd = self.check_osd(Args::new("up", a, "osd")?.osd("osd")?)?;
                self.h()?.osd_up(osd).map_err(ErrorKind::Harness)?;
                let mut out = vec![format!("osd.{osd} started, PGs loaded from its store")];
                out.extend(self.maps());
                Ok(out)
            }
            "crash" => {
                let osd = self.check_osd(Args::new("crash", a, "osd")?.osd("osd")?)?;
                self.h()?.stop_osd(osd);
                Ok(vec![format!("osd.{osd} stopped; the map still says it is up")])
            }
            "start" => {
                let osd = self.check_osd(Args::new("start", a, "osd")?.osd("osd")?)?;
                self.h()?.start_osd(osd).map_err(ErrorKind::Harness)?;
                Ok(vec![format!("osd.{osd} started, PGs loaded from its store")])
            }
            "out" | "in" | "lost" | "up-thru" | "mark-down" => self.osd_map_change(&b.command, a),
            "partition" => {
                let a = Args::new("partition", a, "osds from")?;
                let (side, other) = (a.osds("osds")?, a.osds("from")?);
                for o in side.iter().chain(&other) {
                    self.check_osd(*o)?;
                }
                if side.iter().any(|o| other.contains(o)) {
                    return Err(ErrorKind::Impossible(
                        "an OSD cannot be on both sides of a partition".into(),
                    ));
                }
                self.h()?.partition(&side, &other);
                Ok(vec![format!(
                    "{} cut off from {}: frames between them wait",
                    osd_list(&side.iter().map(|o| OsdId(*o)).collect::<Vec<_>>()),
                    osd_list(&other.iter().map(|o| OsdId(*o)).collect::<Vec<_>>())
                )])
            }
            "heal" => {
                Args::new("heal", a, "")?;
                let n = self.h()?.heal();
                Ok(vec![format!("the network is whole; {n} waiting items cross")])
            }
            "epochs" => {
                let to = Args::new("epochs", a, "to")?.opt_epoch("to")?.ok_or(
                    ErrorKind::MissingArgument {
                        command: "epochs",
                        arg: "to",
                    },
                )?;
                let h = self.h()?;
                while h.epoch() < to {
                    h.publish("nothing changed", |_| {}).map_err(ErrorKind::Harness)?;
                }
                Ok(vec![format!("e{}", h.epoch())])
            }
            "pg-num" | "min-size" => self.pool_change(&b.command, a),
            "policy" => self.policy(&Args::new(
                "policy",
                a,
                "grant-up-thru grant-pg-temp hold-commits grant-reservations recovery-engine fire-timers",
            )?),
            "grant" => {
                let a = Args::new("grant", a, "up-thru pg-temp")?;
                let (up_thru, pg_temp) = (a.flag("up-thru"), a.flag("pg-temp"));
                self.h()?
                    .grant_mon_requests(up_thru, pg_temp)
                    .map_err(ErrorKind::Harness)?;
                let maps = self.maps();
                Ok(if maps.is_empty() {
                    vec!["nothing to grant".into()]
                } else {
                    maps
                })
            }
            "release-commits" => {
                Args::new("release-commits", a, "")?;
                let h = self.h()?;
                let n = h.held_commits();
                h.release_commits();
                Ok(vec![format!("{n} transactions reported durable")])
            }
            "fire-timers" => {
                Args::new("fire-timers", a, "")?;
                let h = self.h()?;
                let n = h.timers().count();
                h.fire_timers();
                Ok(vec![format!("{n} timers fired")])
            }
            "clock" => {
                let a = Args::new("clock", a, "secs")?;
                let secs = i64::try_from(a.u64("secs")?).unwrap_or(i64::MAX);
                let h = self.h()?;
                let fired = h
                    .advance_clock(peering_core::types::Timespan::from_secs(secs))
                    .map_err(ErrorKind::Harness)?;
                let now = h.now().0 / 1_000_000_000;
                let mut out = vec![format!("clock at {now}s: {fired} timers fired")];
                out.extend(self.maps());
                out.extend(self.states(None)?);
                Ok(out)
            }
            "backfills" => {
                let a = Args::new("backfills", a, "osd slots")?;
                let osd = self.check_osd(a.osd("osd")?)?;
                let slots = u32::try_from(a.u64("slots")?).unwrap_or(u32::MAX);
                self.h()?.set_osd_max_backfills(osd, slots);
                Ok(vec![format!("osd.{osd} osd_max_backfills {slots}")])
            }
            "too-full" => {
                let a = Args::new("too-full", a, "osd off")?;
                let osd = self.check_osd(a.osd("osd")?)?;
                let full = !a.flag("off");
                self.h()?.set_too_full(osd, full);
                Ok(vec![format!(
                    "osd.{osd} {} backfill reservations as too full",
                    if full { "refuses" } else { "no longer refuses" }
                )])
            }
            "run" => {
                Args::new("run", a, "")?;
                self.h()?.run().map_err(ErrorKind::Harness)?;
                let mut out = self.maps();
                out.extend(self.states(None)?);
                Ok(out)
            }
            "step" => {
                let a = Args::new("step", a, "rounds")?;
                let rounds = a.u64_or("rounds", 1)?;
                let h = self.h()?;
                let mut moved = 0;
                for _ in 0..rounds {
                    if h.step() {
                        moved += 1;
                    }
                }
                let mut out = vec![format!("{moved} of {rounds} rounds moved")];
                out.extend(self.states(None)?);
                Ok(out)
            }
            "states" => {
                let a = Args::new("states", a, "pg")?;
                let pg = match a.opt_str("pg")? {
                    Some(_) => Some(self.check_pg(a.pg()?)?),
                    None => None,
                };
                self.states(pg)
            }
            "query" | "history" => self.query(b.command == "history", a),
            "lease" => self.lease(a),
            "messages" => {
                let a = Args::new("messages", a, "osd")?;
                let osd = a.opt_str("osd")?.map(|_| a.osd("osd")).transpose()?;
                Ok(self
                    .since()
                    .iter()
                    .filter(|e| match e {
                        Entry::Sent { from, to, .. } | Entry::RepOp { from, to, .. } => {
                            osd.is_none_or(|o| from.0 == o || to.0 == o)
                        }
                        _ => false,
                    })
                    .map(ToString::to_string)
                    .collect())
            }
            "transcript" => {
                Args::new("transcript", a, "")?;
                Ok(self.since().iter().map(ToString::to_string).collect())
            }
            "objects" => {
                let a = Args::new("objects", a, "osd pg")?;
                let osd = self.check_osd(a.osd("osd")?)?;
                let spg = self.check_pg(a.pg()?)?;
                let spg = self.instance_on(osd, spg.pgid).unwrap_or(spg);
                let h = self.h()?;
                let Some(pg) = h.store().get(OsdId(osd), spg) else {
                    return Ok(vec![format!("osd.{osd} stores nothing of pg {spg}")]);
                };
                let objects: Vec<String> = pg
                    .objects
                    .iter()
                    .map(|(o, v)| format!("{}@{v}", o.name))
                    .collect();
                Ok(vec![format!(
                    "osd.{osd} pg {spg}: {} objects: {}",
                    objects.len(),
                    objects.join(" ")
                )])
            }
            other => Err(ErrorKind::UnknownCommand {
                command: other.to_string(),
                expected: COMMANDS,
            }),
        }
    }
}
