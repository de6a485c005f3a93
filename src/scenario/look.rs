//! The commands that look: `states`, `query` and `history`.

use peering_core::types::SpgId;

use super::ErrorKind;
use super::args::Args;
use super::exec::{Runner, osd_list};
use super::parse::Arg;

impl Runner {
    /// `query [pg=] osd=N` (`ceph pg query`) or `history [pg=] osd=N`
    /// (`dump_pgstate_history`).
    pub(super) fn query(&mut self, history: bool, a: &[Arg]) -> Result<Vec<String>, ErrorKind> {
        let command = if history { "history" } else { "query" };
        let a = Args::new(command, a, "pg osd")?;
        let osd = self.check_osd(a.osd("osd")?)?;
        let spg = self.check_pg(a.pg()?)?;
        let spg = self.instance_on(osd, spg.pgid).unwrap_or(spg);
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
