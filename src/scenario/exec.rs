//! [`Runner`]: runs one block's command on an [`OsdHarness`] and says what
//! happened, in lines that go into the block's expected output.

use std::collections::BTreeSet;

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgId, SpgId};
use peering_core_std::harness::osd_cluster::OsdHarness;
use peering_core_std::harness::{Entry, HarnessError};

use super::ErrorKind;
use super::args::Args;
use super::disk::{Disk, entry};
use super::parse::Block;

/// The commands there are, as an unknown command's error lists them.
pub const COMMANDS: &str = "cluster place remap create disk write delete down up crash start out in lost \
up-thru epochs pg-num min-size policy grant release-commits fire-timers backfills too-full run \
step states query history messages transcript objects";

/// The commands that only look: `messages` and `transcript` after them still
/// show what the command before them did.
const LOOKS: [&str; 7] = [
    "states",
    "query",
    "history",
    "messages",
    "transcript",
    "objects",
    "policy",
];

/// The only pool a scenario cluster has.
const POOL: i64 = 1;

/// The state of one scenario file's run: the cluster (after `cluster`) and
/// how far the previous block read its transcript.
#[derive(Default)]
pub struct Runner {
    h: Option<OsdHarness>,
    osds: BTreeSet<i32>,
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
    written: u64,
}

fn harness_error(e: HarnessError) -> ErrorKind {
    ErrorKind::Harness(e)
}

/// `[0,1,2]`, as Ceph prints an OSD vector.
fn osd_list(osds: &[OsdId]) -> String {
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

    fn h(&mut self) -> Result<&mut OsdHarness, ErrorKind> {
        self.h.as_mut().ok_or_else(|| {
            ErrorKind::Impossible("no cluster yet: start the file with `cluster`".into())
        })
    }

    /// `osd` is one of the cluster's OSDs.
    fn check_osd(&self, osd: i32) -> Result<i32, ErrorKind> {
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
    fn check_pg(&mut self, pg: PgId) -> Result<SpgId, ErrorKind> {
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
        Ok(SpgId::replicated(pg))
    }

    /// The maps this block published.
    fn maps(&self) -> Vec<String> {
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
            "cluster" => self.cluster(&Args::new("cluster", a, "osds size min-size epoch")?),
            "place" | "remap" => self.place(b.command == "remap", a),
            "create" => {
                let a = Args::new("create", a, "pg")?;
                let pg = a.pg()?;
                self.check_pg(pg)?;
                let h = self.h()?;
                h.create_everywhere(pg).map_err(harness_error)?;
                let e = h.epoch();
                let on: Vec<String> = h
                    .cluster()
                    .preference(pg)
                    .unwrap_or_default()
                    .iter()
                    .filter(|o| h.is_running(**o))
                    .map(|o| format!("osd.{o}"))
                    .collect();
                Ok(vec![format!("pg {pg} created at e{e} on {}", on.join(" "))])
            }
            "disk" => self.disk(&Args::new("disk", a, "osd pg head tail les history-les epoch")?),
            "write" | "delete" => self.write(b.command == "delete", a),
            "down" => {
                let a = Args::new("down", a, "osds")?;
                let osds = a.osds("osds")?;
                for o in &osds {
                    self.check_osd(*o)?;
                }
                self.h()?.osds_down(&osds).map_err(harness_error)?;
                Ok(self.maps())
            }
            "up" => {
                let osd = self.check_osd(Args::new("up", a, "osd")?.osd("osd")?)?;
                self.h()?.osd_up(osd).map_err(harness_error)?;
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
                self.h()?.start_osd(osd).map_err(harness_error)?;
                Ok(vec![format!("osd.{osd} started, PGs loaded from its store")])
            }
            "out" | "in" | "lost" | "up-thru" => self.osd_map_change(&b.command, a),
            "epochs" => {
                let to = Args::new("epochs", a, "to")?.opt_epoch("to")?.ok_or(
                    ErrorKind::MissingArgument {
                        command: "epochs",
                        arg: "to",
                    },
                )?;
                let h = self.h()?;
                while h.epoch() < to {
                    h.publish("nothing changed", |_| {}).map_err(harness_error)?;
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
                    .map_err(harness_error)?;
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
                self.h()?.run().map_err(harness_error)?;
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
            "messages" => {
                let a = Args::new("messages", a, "osd")?;
                let osd = a.opt_str("osd")?.map(|_| a.osd("osd")).transpose()?;
                Ok(self
                    .since()
                    .iter()
                    .filter(|e| match e {
                        Entry::Sent { from, to, .. } => {
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

    /// `place [pg=] osds=...` (the starting point) or `remap [pg=] osds=...`
    /// (CRUSH's answer changes, in a new map).
    fn place(&mut self, remap: bool, a: &[super::parse::Arg]) -> Result<Vec<String>, ErrorKind> {
        let a = Args::new(if remap { "remap" } else { "place" }, a, "pg osds")?;
        let pg = a.pg()?;
        let prefs = a.osds("osds")?;
        for o in &prefs {
            self.check_osd(*o)?;
        }
        self.check_pg(pg)?;
        let list = osd_list(&prefs.iter().map(|o| OsdId(*o)).collect::<Vec<_>>());
        let h = self.h()?;
        h.place(pg, &prefs).map_err(harness_error)?;
        if remap {
            h.publish(&format!("crush: pg {pg} -> {list}"), |_| {})
                .map_err(harness_error)?;
            return Ok(self.maps());
        }
        let m = h.mapping(pg);
        Ok(vec![format!(
            "pg {pg} prefers {list}: up {} acting {}",
            osd_list(&m.up),
            osd_list(&m.acting)
        )])
    }

    /// `cluster osds=0,1,2 [size=3] [min-size=N] [epoch=E]`.
    fn cluster(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        if self.h.is_some() {
            return Err(ErrorKind::Impossible(
                "a file has one cluster; `cluster` came already".into(),
            ));
        }
        let osds = a.osds("osds")?;
        let size = a.u64_or("size", 3)?;
        let set: BTreeSet<i32> = osds.iter().copied().collect();
        if set.len() != osds.len() || osds.is_empty() {
            return Err(ErrorKind::BadValue {
                arg: "osds".into(),
                value: format!("{osds:?}"),
                expected: "distinct OSD ids, at least one",
            });
        }
        if size == 0 || size > osds.len() as u64 {
            return Err(ErrorKind::Impossible(format!(
                "a pool of size {size} needs {size} OSDs; the cluster has {}",
                osds.len()
            )));
        }
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let mut h = OsdHarness::replicated(&osds, POOL, size).map_err(harness_error)?;
        self.osds = set;
        if let Some(min) = a.opt_u64("min-size")? {
            if min == 0 || min > u64::from(size) {
                return Err(ErrorKind::Impossible(format!(
                    "min_size {min} outside 1..={size}"
                )));
            }
            let mut pool = h
                .map()
                .pool(POOL)
                .ok_or_else(|| ErrorKind::Impossible("no pool".into()))?;
            pool.min_size = u32::try_from(min).unwrap_or(u32::MAX);
            h.publish(&format!("pool {POOL} min_size {min}"), |inc| {
                inc.set_pool(pool);
            })
            .map_err(harness_error)?;
        }
        let to = a.opt_epoch("epoch")?.unwrap_or(1);
        while h.epoch() < to {
            h.publish("nothing changed", |_| {})
                .map_err(harness_error)?;
        }
        let pool = h
            .map()
            .pool(POOL)
            .ok_or_else(|| ErrorKind::Impossible("no pool".into()))?;
        let names: Vec<String> = osds.iter().map(|o| format!("osd.{o}")).collect();
        let line = format!(
            "e{}: {} up and in; pool {POOL} replicated size {} min_size {} pg_num {}",
            h.epoch(),
            names.join(" "),
            pool.size,
            pool.min_size,
            pool.pg_num
        );
        self.h = Some(h);
        Ok(vec![line])
    }

    /// `disk osd=N [pg=1.0] head=H [tail=T] [les=E] [history-les=E] [epoch=E]`.
    fn disk(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        let osd = self.check_osd(a.osd("osd")?)?;
        let spg = self.check_pg(a.pg()?)?;
        let epoch = a.opt_epoch("epoch")?.unwrap_or(10);
        let les = a.opt_epoch("les")?.unwrap_or(epoch);
        let disk = Disk {
            osd,
            epoch,
            head: a.u64("head")?,
            tail: a.u64_or("tail", 0)?,
            les,
            history_les: a.opt_epoch("history-les")?.unwrap_or(epoch).max(les),
        };
        if disk.tail > disk.head {
            return Err(ErrorKind::Impossible(format!(
                "tail {} is past head {}",
                disk.tail, disk.head
            )));
        }
        let h = self.h()?;
        if h.epoch() < epoch {
            return Err(ErrorKind::Impossible(format!(
                "entries of e{epoch} on disk, but the cluster is at e{}: raise `cluster epoch=`",
                h.epoch()
            )));
        }
        let load = disk.load(spg, h.mapping(spg.pgid), *h.config_mut())?;
        h.load(osd, load).map_err(harness_error)?;
        // The trimmed entries' objects are still stored.
        for n in 1..=disk.tail {
            let oid = entry(POOL, epoch, n)?.soid;
            h.seed_object(osd, spg, &oid).map_err(harness_error)?;
        }
        Ok(vec![format!(
            "osd.{osd} pg {spg} on disk: log ({epoch}'{},{epoch}'{}], les {les}, history les {}, objects o1..o{}",
            disk.tail, disk.head, disk.history_les, disk.head
        )])
    }

    /// `write [pg=] [count=N | name=X]`, `delete [pg=] name=X`.
    fn write(&mut self, delete: bool, a: &[super::parse::Arg]) -> Result<Vec<String>, ErrorKind> {
        let (cmd, allowed) = if delete {
            ("delete", "pg name")
        } else {
            ("write", "pg name count")
        };
        let a = Args::new(cmd, a, allowed)?;
        let spg = self.check_pg(a.pg()?)?;
        let names: Vec<String> = match (a.opt_str("name")?, a.opt_u64("count")?) {
            (Some(n), None) => vec![n.to_string()],
            (None, count) if !delete => {
                let count = count.unwrap_or(1);
                let first = self.written + 1;
                self.written += count;
                (first..=self.written).map(|n| format!("obj{n}")).collect()
            }
            (None, _) => {
                return Err(ErrorKind::MissingArgument {
                    command: cmd,
                    arg: "name",
                });
            }
            (Some(_), Some(_)) => {
                return Err(ErrorKind::BadValue {
                    arg: "count".into(),
                    value: String::new(),
                    expected: "either name= or count=, not both",
                });
            }
        };
        let h = self.h()?;
        let mut out = Vec::new();
        for n in names {
            let v = if delete {
                h.delete(spg, &n)
            } else {
                h.write(spg, &n)
            }
            .map_err(harness_error)?;
            out.push(format!("{cmd} {n} in pg {spg}: {v}"));
        }
        Ok(out)
    }

    /// `out`, `in`, `lost`, `up-thru` of `osd=N`: a map with that change.
    fn osd_map_change(
        &mut self,
        cmd: &str,
        a: &[super::parse::Arg],
    ) -> Result<Vec<String>, ErrorKind> {
        let command = match cmd {
            "out" => "out",
            "in" => "in",
            "lost" => "lost",
            _ => "up-thru",
        };
        let osd = self.check_osd(Args::new(command, a, "osd")?.osd("osd")?)?;
        let id = OsdId(osd);
        let h = self.h()?;
        let what = if command == "up-thru" {
            format!("osd.{osd} up_thru {}", h.epoch().saturating_add(1))
        } else {
            format!("osd.{osd} {command}")
        };
        h.publish(&what, |inc| match command {
            "out" => {
                inc.mark_out(osd);
            }
            "in" => {
                inc.mark_in(osd);
            }
            "lost" => {
                inc.new_lost.insert(id, inc.epoch);
            }
            _ => {
                inc.new_up_thru.insert(id, inc.epoch);
            }
        })
        .map_err(harness_error)?;
        Ok(self.maps())
    }

    /// `pg-num to=N` (and `pgp_num`), `min-size to=N` of the pool.
    fn pool_change(
        &mut self,
        cmd: &str,
        a: &[super::parse::Arg],
    ) -> Result<Vec<String>, ErrorKind> {
        let command = if cmd == "pg-num" {
            "pg-num"
        } else {
            "min-size"
        };
        let to = Args::new(command, a, "to")?.u64("to")?;
        let h = self.h()?;
        let mut pool = h
            .map()
            .pool(POOL)
            .ok_or_else(|| ErrorKind::Impossible("no pool".into()))?;
        let to32 = u32::try_from(to).unwrap_or(u32::MAX);
        let what = if command == "pg-num" {
            if to32 <= pool.pg_num || to32 > peering_core::map::MAX_POOL_PG_NUM {
                return Err(ErrorKind::Impossible(format!(
                    "pg_num can only grow here: {} -> {to} (merging is not simulated; at most {})",
                    pool.pg_num,
                    peering_core::map::MAX_POOL_PG_NUM
                )));
            }
            let what = format!("pool {POOL} pg_num {} -> {to}", pool.pg_num);
            pool.pg_num = to32;
            pool.pgp_num = to32;
            what
        } else {
            if to32 == 0 || to32 > pool.size {
                return Err(ErrorKind::Impossible(format!(
                    "min_size {to} outside 1..={}",
                    pool.size
                )));
            }
            pool.min_size = to32;
            format!("pool {POOL} min_size {to}")
        };
        h.publish(&what, |inc| {
            inc.set_pool(pool);
        })
        .map_err(harness_error)?;
        Ok(self.maps())
    }

    /// `policy key=on|off...`: what the harness does on its own.
    fn policy(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        let h = self.h()?;
        let p = h.policy_mut();
        if let Some(v) = a.opt_switch("grant-up-thru")? {
            p.grant_up_thru = v;
        }
        if let Some(v) = a.opt_switch("grant-pg-temp")? {
            p.grant_pg_temp = v;
        }
        if let Some(v) = a.opt_switch("hold-commits")? {
            p.hold_commits = v;
        }
        if let Some(v) = a.opt_switch("grant-reservations")? {
            p.grant_reservations = v;
        }
        if let Some(v) = a.opt_switch("recovery-engine")? {
            p.recovery_engine = v;
        }
        if let Some(v) = a.opt_switch("fire-timers")? {
            p.fire_timers = v;
        }
        let on = |b: bool| if b { "on" } else { "off" };
        Ok(vec![format!(
            "grant-up-thru={} grant-pg-temp={} hold-commits={} grant-reservations={} recovery-engine={} fire-timers={}",
            on(p.grant_up_thru),
            on(p.grant_pg_temp),
            on(p.hold_commits),
            on(p.grant_reservations),
            on(p.recovery_engine),
            on(p.fire_timers)
        )])
    }

    /// `query [pg=] osd=N` (`ceph pg query`) or `history [pg=] osd=N`
    /// (`dump_pgstate_history`).
    fn query(&mut self, history: bool, a: &[super::parse::Arg]) -> Result<Vec<String>, ErrorKind> {
        let command = if history { "history" } else { "query" };
        let a = Args::new(command, a, "pg osd")?;
        let osd = self.check_osd(a.osd("osd")?)?;
        let spg = self.check_pg(a.pg()?)?;
        let h = self.h()?;
        let Some(pg) = h.pg(osd, spg) else {
            return Ok(vec![format!("osd.{osd} has no instance of pg {spg}")]);
        };
        let status = pg.status();
        if history {
            return Ok(status
                .state_history
                .iter()
                .map(|s| {
                    let at =
                        |x: Option<(u32, _)>| x.map_or("?".to_string(), |(e, _)| format!("e{e}"));
                    let exit = s.exit.map_or("now".to_string(), |(e, _)| format!("e{e}"));
                    format!("{} .. {exit} {}", at(s.enter), s.state)
                })
                .collect());
        }
        let json = serde_json::to_string_pretty(&status)
            .map_err(|e| ErrorKind::Impossible(format!("pg query does not encode: {e}")))?;
        Ok(json.lines().map(str::to_string).collect())
    }

    /// One line per running PG instance (of `only`, or every PG), by PG then
    /// OSD: its state as Ceph names it, its state bits, its acting set and
    /// its last_update.
    fn states(&mut self, only: Option<SpgId>) -> Result<Vec<String>, ErrorKind> {
        let Some(h) = &self.h else {
            return Err(ErrorKind::Impossible(
                "no cluster yet: start the file with `cluster`".into(),
            ));
        };
        let mut lines = Vec::new();
        for osd in self.osds.iter().filter(|o| h.is_running(**o)) {
            let Some(o) = h.osd(*osd) else { continue };
            for (spg, pg) in o.pgs() {
                if only.is_some_and(|p| p != spg) {
                    continue;
                }
                lines.push((
                    spg,
                    *osd,
                    format!(
                        "{spg} osd.{osd} {} [{}] acting {} last_update {}",
                        pg.state_name(),
                        pg.state_bits(),
                        osd_list(&pg.mapping().acting),
                        pg.info().last_update
                    ),
                ));
            }
        }
        lines.sort_by_key(|(spg, osd, _)| (*spg, *osd));
        Ok(lines.into_iter().map(|(_, _, l)| l).collect())
    }
}
