//! `peering crush`: `crushtool`'s test mode, spelled as crushtool spells it,
//! printing what crushtool prints for those flags (Ceph 16.2's
//! `CrushTester::test`): `-i MAP --test [--show-mappings]
//! [--show-statistics] [--rule R] [--num-rep N] [--min-x A --max-x B]
//! [--weight OSD W]...`. The map may be binary (`crushtool -c`, `ceph osd
//! getcrushmap`) or text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use peering::osd::crush::{CRUSH_MAGIC, CrushMap, decode_crush, parse_crush_text};

use crate::Outcome;

/// `peering crush` options (crushtool's names; `_` works for `-` as there).
#[derive(Args)]
pub struct CrushArgs {
    /// The map, binary or text.
    #[arg(short = 'i', long = "infn")]
    input: PathBuf,
    /// Map inputs through the rules (crushtool's test mode).
    #[arg(long, required = true)]
    test: bool,
    /// Print each mapping: `CRUSH rule R x X [a,b,c]`.
    #[arg(long, alias = "show_mappings")]
    show_mappings: bool,
    /// Print, per rule and replica count, how many inputs got each result size.
    #[arg(long, alias = "show_statistics")]
    show_statistics: bool,
    /// Only this rule (default: every rule).
    #[arg(long)]
    rule: Option<i32>,
    /// Replicas asked for (default: the rule's `min_size..=max_size`).
    #[arg(long, alias = "num_rep", value_parser = clap::value_parser!(u32).range(1..=256))]
    num_rep: Option<u32>,
    /// The first input (with `--max-x`; crushtool maps 0..=1023 unless both are given).
    #[arg(long, alias = "min_x")]
    min_x: Option<u32>,
    /// The last input.
    #[arg(long, alias = "max_x")]
    max_x: Option<u32>,
    /// A device's reweight, 0..1: `--weight OSD W` (repeatable).
    #[arg(long, num_args = 2, value_names = ["OSD", "W"], action = clap::ArgAction::Append)]
    weight: Vec<String>,
}

/// `CrushTester::set_device_weight`: `(int)(w * 0x10000)`, clamped to
/// `0..=0x10000`.
fn reweight(w: f32) -> u32 {
    ((w * 65536.0) as i32).clamp(0, 0x10000) as u32
}

/// A CRUSH map file, binary (`crushtool -c`, `ceph osd getcrushmap`) or
/// text, and its size in bytes.
pub fn load(path: &Path) -> Result<(CrushMap, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let len = bytes.len();
    decode_any(path, bytes).map(|m| (m, len))
}

fn decode_any(path: &Path, bytes: Vec<u8>) -> Result<CrushMap, String> {
    if bytes.get(..4) == Some(&CRUSH_MAGIC.to_le_bytes()[..]) {
        return decode_crush(&bytes).map_err(|e| format!("{}: {e}", path.display()));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: neither a binary CRUSH map nor text", path.display()))?;
    parse_crush_text(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the test mode.
pub fn main(a: &CrushArgs) -> Outcome {
    let map = match load(&a.input) {
        Ok((m, _)) => m,
        Err(e) => return Outcome::UserError(e),
    };
    let mut weights = vec![0x10000u32; usize::try_from(map.max_devices()).unwrap_or(0)];
    for pair in a.weight.chunks(2) {
        let [osd, w] = pair else {
            return Outcome::UserError("--weight takes an OSD and a weight".into());
        };
        let (Ok(osd), Ok(w)) = (osd.parse::<usize>(), w.parse::<f32>()) else {
            return Outcome::UserError(format!(
                "--weight {osd} {w}: expected an OSD id and a number"
            ));
        };
        let Some(slot) = weights.get_mut(osd) else {
            return Outcome::UserError(format!(
                "--weight {osd}: the map has devices 0..{}",
                map.max_devices()
            ));
        };
        *slot = reweight(w);
    }
    // crushtool maps 0..=1023 unless both ends are given.
    let (min_x, max_x) = match (a.min_x, a.max_x) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (0, 1023),
    };
    if !a.show_mappings && !a.show_statistics {
        eprintln!("WARNING: no output selected; use --output-csv or --show-X");
        return Outcome::Passed;
    }
    let total = max_x.saturating_sub(min_x).saturating_add(1);
    for rule in map.rules() {
        if a.rule.is_some_and(|r| r != rule.id) {
            continue;
        }
        let (lo, hi) = match a.num_rep {
            Some(n) => (n, n),
            None => (rule.min_size, rule.max_size),
        };
        if a.show_statistics {
            outln!(
                "rule {} ({}), x = {min_x}..{max_x}, numrep = {lo}..{hi}",
                rule.id,
                rule.name
            );
        }
        for nr in lo..=hi {
            let mut sizes: BTreeMap<usize, u32> = BTreeMap::new();
            for x in min_x..=max_x {
                let out = match map.do_rule_with_choose_args(rule.id, x, nr as usize, &weights, 0) {
                    Ok(out) => out,
                    Err(e) => return Outcome::UserError(format!("rule {} x {x}: {e}", rule.id)),
                };
                if a.show_mappings {
                    let list: Vec<String> = out.iter().map(i32::to_string).collect();
                    outln!("CRUSH rule {} x {x} [{}]", rule.id, list.join(","));
                }
                *sizes.entry(out.len()).or_default() += 1;
            }
            if a.show_statistics {
                for (size, n) in sizes {
                    outln!(
                        "rule {} ({}) num_rep {nr} result size == {size}:\t{n}/{total}",
                        rule.id,
                        rule.name
                    );
                }
            }
        }
    }
    Outcome::Passed
}
