//! The commands that change the cluster: `cluster`, `place`/`remap`,
//! `disk`, `write`/`delete`, the map changes of one OSD or of the pool, and
//! `policy`.

use std::collections::BTreeSet;

use peering_core::machine::Readable;
use peering_core::map::OsdMapView;
use peering_core::types::OsdId;
use peering_core_std::harness::HarnessError;
use peering_core_std::harness::osd_cluster::OsdHarness;
use peering_core_std::osd::OsdError;

use super::ErrorKind;
use super::args::Args;
use super::disk::{Disk, entry};
use super::exec::{POOL, Runner, osd_list};
use super::parse::Arg;

impl Runner {
    /// `place [pg=] osds=...` (the starting point) or `remap [pg=] osds=...`
    /// (CRUSH's answer changes, in a new map).
    pub(super) fn place(&mut self, remap: bool, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
        let a = Args::new(if remap { "remap" } else { "place" }, a, "pg osds")?;
        let pg = a.pg()?;
        let prefs = a.osds("osds")?;
        for o in &prefs {
            self.check_osd(*o)?;
        }
        self.check_pg(pg)?;
        let list = osd_list(&prefs.iter().map(|o| OsdId(*o)).collect::<Vec<_>>());
        let h = self.h()?;
        h.place(pg, &prefs).map_err(ErrorKind::Harness)?;
        if remap {
            h.publish(&format!("crush: pg {pg} -> {list}"), |_| {})
                .map_err(ErrorKind::Harness)?;
            return Ok(self.maps());
        }
        let m = h.mapping(pg);
        Ok(vec![format!(
            "pg {pg} prefers {list}: up {} acting {}",
            osd_list(&m.up),
            osd_list(&m.acting)
        )])
    }

    /// `cluster osds=0,1,2 [size=3 | ec=K+M] [min-size=N] [epoch=E]`.
    pub(super) fn cluster(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        if self.h.is_some() {
            return Err(ErrorKind::Impossible(
                "a file has one cluster; `cluster` came already".into(),
            ));
        }
        let osds = a.osds("osds")?;
        let set: BTreeSet<i32> = osds.iter().copied().collect();
        if set.len() != osds.len() || osds.is_empty() {
            return Err(ErrorKind::BadValue {
                arg: "osds".into(),
                value: format!("{osds:?}"),
                expected: "distinct OSD ids, at least one",
            });
        }
        let ec = a.opt_str("ec")?.map(parse_ec).transpose()?;
        let size = match ec {
            Some((k, m)) => u64::from(k) + u64::from(m),
            None => a.u64_or("size", 3)?,
        };
        if size == 0 || size > osds.len() as u64 {
            return Err(ErrorKind::Impossible(format!(
                "a pool of size {size} needs {size} OSDs; the cluster has {}",
                osds.len()
            )));
        }
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let mut h = match ec {
            Some((k, m)) => OsdHarness::erasure(&osds, POOL, k, m),
            None => OsdHarness::replicated(&osds, POOL, size),
        }
        .map_err(ErrorKind::Harness)?;
        self.osds = set;
        if let Some(min) = a.opt_u64("min-size")? {
            // An EC PG cannot serve from fewer than k shards.
            let least = ec.map_or(1, |(k, _)| u64::from(k));
            if min < least || min > u64::from(size) {
                return Err(ErrorKind::Impossible(format!(
                    "min_size {min} outside {least}..={size}"
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
            .map_err(ErrorKind::Harness)?;
        }
        let to = a.opt_epoch("epoch")?.unwrap_or(1);
        while h.epoch() < to {
            h.publish("nothing changed", |_| {})
                .map_err(ErrorKind::Harness)?;
        }
        let pool = h
            .map()
            .pool(POOL)
            .ok_or_else(|| ErrorKind::Impossible("no pool".into()))?;
        let names: Vec<String> = osds.iter().map(|o| format!("osd.{o}")).collect();
        let kind = match ec {
            Some((k, m)) => format!("erasure {k}+{m}"),
            None => "replicated".to_string(),
        };
        let line = format!(
            "e{}: {} up and in; pool {POOL} {kind} size {} min_size {} pg_num {}",
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
    pub(super) fn disk(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        let osd = self.check_osd(a.osd("osd")?)?;
        let spg = self.check_pg(a.pg()?)?;
        if self.h()?.is_erasure(spg.pgid) {
            return Err(ErrorKind::Impossible(
                "`disk` lays out replicated PGs; an erasure-coded PG starts with `create`".into(),
            ));
        }
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
        h.load(osd, load).map_err(ErrorKind::Harness)?;
        // The trimmed entries' objects are still stored.
        for n in 1..=disk.tail {
            let oid = entry(POOL, epoch, n)?.soid;
            h.seed_object(osd, spg, &oid).map_err(ErrorKind::Harness)?;
        }
        Ok(vec![format!(
            "osd.{osd} pg {spg} on disk: log ({epoch}'{},{epoch}'{}], les {les}, history les {}, objects o1..o{}",
            disk.tail, disk.head, disk.history_les, disk.head
        )])
    }

    /// `write [pg=] [count=N | name=X]`, `delete [pg=] name=X`.
    pub(super) fn write(&mut self, delete: bool, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
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
            let r = if delete {
                h.delete(spg, &n)
            } else {
                h.write(spg, &n)
            };
            // `check_laggy` holds the op (Ceph queues it until readable).
            if let Err(HarnessError::Osd {
                osd,
                error: OsdError::NotReadable { why, .. },
            }) = &r
            {
                let why = match why {
                    Readable::Wait => "waiting for the prior interval's read lease",
                    Readable::Laggy => "laggy: its read lease ran out",
                    Readable::Expired | Readable::Yes => "not readable",
                };
                out.push(format!(
                    "{cmd} {n} in pg {spg}: held, osd.{} is {why}",
                    osd.0
                ));
                continue;
            }
            let v = r.map_err(ErrorKind::Harness)?;
            out.push(format!("{cmd} {n} in pg {spg}: {v}"));
        }
        Ok(out)
    }

    /// `out`, `in`, `lost`, `up-thru` of `osd=N`: a map with that change.
    pub(super) fn osd_map_change(
        &mut self,
        cmd: &str,
        a: &[Arg],
    ) -> Result<Vec<String>, ErrorKind> {
        let command = match cmd {
            "out" => "out",
            "in" => "in",
            "lost" => "lost",
            "mark-down" => "mark-down",
            _ => "up-thru",
        };
        let osd = self.check_osd(Args::new(command, a, "osd")?.osd("osd")?)?;
        let id = OsdId(osd);
        let h = self.h()?;
        let what = match command {
            "up-thru" => format!("osd.{osd} up_thru {}", h.epoch().saturating_add(1)),
            "mark-down" if h.is_running(osd) => format!("osd.{osd} marked down (it is running)"),
            "mark-down" => format!("osd.{osd} marked down (not known dead)"),
            _ => format!("osd.{osd} {command}"),
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
            "mark-down" => {
                inc.mark_down(osd);
            }
            _ => {
                inc.new_up_thru.insert(id, inc.epoch);
            }
        })
        .map_err(ErrorKind::Harness)?;
        Ok(self.maps())
    }

    /// `pg-num to=N` (and `pgp_num`; one below `pg_num`: the merge step,
    /// `pg_num_pending`), `min-size to=N` of the pool.
    pub(super) fn pool_change(&mut self, cmd: &str, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
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
            let merge_one = to32 >= 1 && to32.checked_add(1) == Some(pool.pg_num);
            if merge_one {
                // The manager's merge step (`pg_num_actual`): `pgp_num` below
                // the new count, `pg_num_pending` one below `pg_num`; the PGs'
                // readiness then lets the monitor lower `pg_num` on a `run`.
                let what = format!(
                    "pool {POOL} pg_num_pending {} -> {to}: merge 1.{:x} into 1.{:x}",
                    pool.pg_num,
                    to32,
                    peering_core::types::PgId::new(POOL, to32).parent().seed
                );
                pool.pg_num_pending = to32;
                pool.pgp_num = pool.pgp_num.min(to32);
                what
            } else {
                if to32 <= pool.pg_num || to32 > peering_core::map::MAX_POOL_PG_NUM {
                    return Err(ErrorKind::Impossible(format!(
                        "pg_num {} -> {to}: it grows (at most {}) or merges one PG at a time \
                         (to {})",
                        pool.pg_num,
                        peering_core::map::MAX_POOL_PG_NUM,
                        pool.pg_num.saturating_sub(1)
                    )));
                }
                let what = format!("pool {POOL} pg_num {} -> {to}", pool.pg_num);
                pool.set_pg_num(to32);
                pool.pgp_num = to32;
                what
            }
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
        .map_err(ErrorKind::Harness)?;
        Ok(self.maps())
    }

    /// `policy key=on|off...`: what the harness does on its own.
    pub(super) fn policy(&mut self, a: &Args<'_>) -> Result<Vec<String>, ErrorKind> {
        let p = self.h()?.policy_mut();
        let switches: [(&str, &mut bool); 6] = [
            ("grant-up-thru", &mut p.grant_up_thru),
            ("grant-pg-temp", &mut p.grant_pg_temp),
            ("hold-commits", &mut p.hold_commits),
            ("grant-reservations", &mut p.grant_reservations),
            ("recovery-engine", &mut p.recovery_engine),
            ("fire-timers", &mut p.fire_timers),
        ];
        let mut shown = Vec::with_capacity(switches.len());
        for (key, field) in switches {
            if let Some(v) = a.opt_switch(key)? {
                *field = v;
            }
            shown.push(format!("{key}={}", if *field { "on" } else { "off" }));
        }
        Ok(vec![shown.join(" ")])
    }
}

/// `K+M`: an erasure code of `K >= 1` data and `M >= 1` coding shards.
fn parse_ec(v: &str) -> Result<(u32, u32), ErrorKind> {
    let bad = || ErrorKind::BadValue {
        arg: "ec".into(),
        value: v.to_string(),
        expected: "K+M, each at least 1, such as 2+1 or 4+2",
    };
    let (k, m) = v.split_once('+').ok_or_else(bad)?;
    let (k, m) = (
        k.parse::<u32>().map_err(|_| bad())?,
        m.parse::<u32>().map_err(|_| bad())?,
    );
    if k == 0 || m == 0 || k.checked_add(m).is_none() {
        return Err(bad());
    }
    Ok((k, m))
}
