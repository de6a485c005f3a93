//! The commands that look: `states`, `query`, `history` and `lease`.

use peering_core::types::SpgId;

use super::ErrorKind;
use super::args::Args;
use super::exec::{Runner, osd_list};
use super::parse::Arg;

impl Runner {
    /// The PG instance a `[pg=] osd=N` look names (`pg=1.3s2` for one shard
    /// of an erasure-coded PG; the lowest the OSD holds otherwise): `Ok` with
    /// it, or `Err` with the line saying the OSD has none.
    fn looked_at(
        &mut self,
        command: &'static str,
        a: &[Arg],
    ) -> Result<Result<(i32, SpgId), Vec<String>>, ErrorKind> {
        let a = Args::new(command, a, "pg osd")?;
        let osd = self.check_osd(a.osd("osd")?)?;
        let (pg, shard) = a.pg_shard()?;
        let spg = self.check_pg(pg)?;
        let spg = match shard {
            Some(s) if self.h()?.is_erasure(pg) => SpgId::new(pg, s),
            Some(_) => {
                return Err(ErrorKind::Impossible(format!(
                    "pg {pg} is replicated: its instances have no shard"
                )));
            }
            None => self.instance_on(osd, spg.pgid).unwrap_or(spg),
        };
        if self.h()?.pg(osd, spg).is_none() {
            return Ok(Err(vec![format!("osd.{osd} has no instance of pg {spg}")]));
        }
        Ok(Ok((osd, spg)))
    }

    /// `query [pg=] osd=N` (`ceph pg query`) or `history [pg=] osd=N`
    /// (`dump_pgstate_history`).
    pub(super) fn query(&mut self, history: bool, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
        let command = if history { "history" } else { "query" };
        let (osd, spg) = match self.looked_at(command, a)? {
            Ok(found) => found,
            Err(none) => return Ok(none),
        };
        let Some(pg) = self.h()?.pg(osd, spg) else {
            return Ok(Vec::new());
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

    /// `lease [pg=] osd=N`: one line of the instance's read lease, times in
    /// seconds on its OSD's clock (`get_mnow()`): its clock, how long it
    /// may serve reads, the bound on any acting member, and the prior
    /// intervals' bound with the down OSDs it waits on.
    pub(super) fn lease(&mut self, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
        let (osd, spg) = match self.looked_at("lease", a)? {
            Ok(found) => found,
            Err(none) => return Ok(none),
        };
        let Some(pg) = self.h()?.pg(osd, spg) else {
            return Ok(Vec::new());
        };
        let l = pg.read_lease();
        let s = |t: peering_core::types::Timespan| {
            let ms = t.0 / 1_000_000;
            if ms % 1000 == 0 {
                format!("{}s", ms / 1000)
            } else {
                format!("{}.{:03}s", ms / 1000, ms % 1000)
            }
        };
        let down: Vec<String> = l
            .prior_readable_down_osds
            .iter()
            .map(|o| format!("osd.{}", o.0))
            .collect();
        Ok(vec![format!(
            "osd.{osd} pg {spg} at {}: readable_until {} readable_until_ub {} \
             prior_readable_until_ub {} prior down [{}] [{}]",
            s(l.mnow),
            s(l.readable_until),
            s(l.readable_until_ub),
            s(l.prior_readable_until_ub),
            down.join(","),
            pg.state_bits()
        )])
    }

    /// One line per running PG instance (of `only`, or every PG), by PG then
    /// OSD: its state as Ceph names it, its state bits, its acting set and
    /// its last_update.
    pub(super) fn states(&mut self, only: Option<SpgId>) -> Result<Vec<String>, ErrorKind> {
        let Some(h) = &self.h else {
            return Err(ErrorKind::Impossible(
                "no cluster yet: start the file with `cluster`".into(),
            ));
        };
        let mut lines = Vec::new();
        for osd in self.osds.iter().filter(|o| h.is_running(**o)) {
            let Some(o) = h.osd(*osd) else { continue };
            for (spg, pg) in o.pgs() {
                if only.is_some_and(|p| p.pgid != spg.pgid) {
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
