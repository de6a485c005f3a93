//! The text form as `crushtool -d` prints it (`CrushCompiler::decompile`), so a map
//! built or parsed here can be inspected, diffed against Ceph's, or fed to
//! `crushtool -c`.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::super::bucket::{Bucket, BucketAlg};
use super::super::map::CrushMap;
use super::super::rule::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED, Rule, RuleStep};
use super::super::tunables::LEGACY_ALLOWED_BUCKET_ALGS;

/// `print_fixedpoint`: a 16.16 value as `%.3f` of its `float` quotient.
fn fixed(w: u32) -> String {
    format!("{:.3}", w as f32 / 65536.0f32)
}

impl CrushMap {
    /// Decompile to Ceph's text form, byte for byte what `crushtool -d` prints for
    /// the same map: tunables that differ from the legacy defaults, devices, types,
    /// buckets children-first (shadow buckets only as `id N class C` lines), rules
    /// with class takes restored, and choose_args.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# begin crush map\n");
        self.print_tunables(&mut out);
        out.push_str("\n# devices\n");
        for id in 0..self.max_devices() {
            if let Some(name) = self.item_name(id) {
                let _ = write!(out, "device {id} {name}");
                if let Some(c) = self.item_class(id) {
                    let _ = write!(out, " class {c}");
                }
                out.push('\n');
            }
        }
        out.push_str("\n# types\n");
        if !self.type_names.contains_key(&0) && !self.type_names.is_empty() {
            out.push_str("type 0 osd\n");
        }
        // Ceph's loop counts type ids up from 0, so negative ids are never printed.
        for (id, name) in self.type_names.range(0..) {
            let _ = writeln!(out, "type {id} {name}");
        }
        out.push_str("\n# buckets\n");
        let mut done = BTreeSet::new();
        for b in self.buckets() {
            self.print_bucket_tree(b.id, &mut done, &mut out);
        }
        out.push_str("\n# rules\n");
        for r in self.rules() {
            self.print_rule(r, &mut out);
        }
        self.print_choose_args(&mut out);
        out.push_str("\n# end crush map\n");
        out
    }

    fn print_tunables(&self, out: &mut String) {
        let t = &self.tunables;
        let lines: [(&str, u32, u32); 8] = [
            ("choose_local_tries", t.choose_local_tries, 2),
            (
                "choose_local_fallback_tries",
                t.choose_local_fallback_tries,
                5,
            ),
            ("choose_total_tries", t.choose_total_tries, 19),
            ("chooseleaf_descend_once", t.chooseleaf_descend_once, 0),
            ("chooseleaf_vary_r", u32::from(t.chooseleaf_vary_r), 0),
            ("chooseleaf_stable", u32::from(t.chooseleaf_stable), 0),
            ("straw_calc_version", u32::from(t.straw_calc_version), 0),
            (
                "allowed_bucket_algs",
                t.allowed_bucket_algs,
                LEGACY_ALLOWED_BUCKET_ALGS,
            ),
        ];
        for (name, value, legacy) in lines {
            if value != legacy {
                let _ = writeln!(out, "tunable {name} {value}");
            }
        }
    }

    fn name_or_placeholder(&self, id: i32) -> String {
        match self.item_name(id) {
            Some(n) => n.to_string(),
            None if id >= 0 => format!("device{id}"),
            None => format!("bucket{}", -1i64 - i64::from(id)),
        }
    }

    fn type_label(&self, t: i32) -> String {
        match self.type_name(t) {
            Some(n) => n.to_string(),
            None if t == 0 => "device".to_string(),
            None => format!("type{t}"),
        }
    }

    /// `decompile_bucket`: children first, each bucket once; the hierarchy is
    /// acyclic (checked when the map was built), and `done` also bounds the walk.
    fn print_bucket_tree(&self, id: i32, done: &mut BTreeSet<i32>, out: &mut String) {
        if !done.insert(id) {
            return;
        }
        let Some(b) = self.bucket(id) else { return };
        for &item in &b.items {
            if item < 0 {
                self.print_bucket_tree(item, done, out);
            }
        }
        if !self.is_shadow(id) {
            self.print_bucket(b, out);
        }
    }

    fn print_bucket(&self, b: &Bucket, out: &mut String) {
        let _ = writeln!(
            out,
            "{} {} {{",
            self.type_label(b.type_id),
            self.name_or_placeholder(b.id)
        );
        let _ = writeln!(out, "\tid {}\t\t# do not change unnecessarily", b.id);
        if let Some(shadows) = self.class_bucket.get(&b.id) {
            for (class, sid) in shadows {
                let cname = self.class_names.get(class).map_or("", String::as_str);
                let _ = writeln!(
                    out,
                    "\tid {sid} class {cname}\t\t# do not change unnecessarily"
                );
            }
        }
        let _ = writeln!(out, "\t# weight {}", fixed(b.weight));
        let _ = write!(out, "\talg {}", b.alg.name());
        let dopos = match b.alg {
            BucketAlg::Uniform => {
                let _ = write!(
                    out,
                    "\t# do not change bucket size ({}) unnecessarily",
                    b.size()
                );
                true
            }
            BucketAlg::List => {
                out.push_str("\t# add new items at the end; do not change order unnecessarily");
                false
            }
            BucketAlg::Tree => {
                out.push_str("\t# do not change pos for existing items unnecessarily");
                true
            }
            BucketAlg::Straw | BucketAlg::Straw2 => false,
        };
        out.push('\n');
        let hash_name = if b.hash == 0 { "rjenkins1" } else { "unknown" };
        let _ = writeln!(out, "\thash {}\t# {hash_name}", b.hash);
        for (pos, &item) in b.items.iter().enumerate() {
            let _ = write!(
                out,
                "\titem {} weight {}",
                self.name_or_placeholder(item),
                fixed(b.item_weight(pos))
            );
            if dopos {
                let _ = write!(out, " pos {pos}");
            }
            out.push('\n');
        }
        out.push_str("}\n");
    }

    /// A shadow bucket printed as its original plus `class C` (`split_id_class`).
    fn take_label(&self, item: i32) -> String {
        for (orig, classes) in &self.class_bucket {
            for (class, sid) in classes {
                if *sid == item {
                    let cname = self.class_names.get(class).map_or("", String::as_str);
                    return format!("{} class {cname}", self.name_or_placeholder(*orig));
                }
            }
        }
        self.name_or_placeholder(item)
    }

    fn print_rule(&self, r: &Rule, out: &mut String) {
        let _ = writeln!(out, "rule {} {{", r.name);
        let _ = writeln!(out, "\tid {}", r.id);
        match r.rule_type {
            RULE_TYPE_REPLICATED => out.push_str("\ttype replicated\n"),
            RULE_TYPE_ERASURE => out.push_str("\ttype erasure\n"),
            other => {
                let _ = writeln!(out, "\ttype {other}");
            }
        }
        let _ = writeln!(out, "\tmin_size {}\n\tmax_size {}", r.min_size, r.max_size);
        for step in &r.steps {
            let line = match *step {
                RuleStep::Noop => "noop".to_string(),
                RuleStep::Take(item) => format!("take {}", self.take_label(item)),
                RuleStep::Emit => "emit".to_string(),
                RuleStep::SetChooseTries(v) => format!("set_choose_tries {v}"),
                RuleStep::SetChooseLocalTries(v) => format!("set_choose_local_tries {v}"),
                RuleStep::SetChooseLocalFallbackTries(v) => {
                    format!("set_choose_local_fallback_tries {v}")
                }
                RuleStep::SetChooseLeafTries(v) => format!("set_chooseleaf_tries {v}"),
                RuleStep::SetChooseLeafVaryR(v) => format!("set_chooseleaf_vary_r {v}"),
                RuleStep::SetChooseLeafStable(v) => format!("set_chooseleaf_stable {v}"),
                RuleStep::ChooseFirstN { num, type_id } => {
                    format!("choose firstn {num} type {}", self.type_label(type_id))
                }
                RuleStep::ChooseIndep { num, type_id } => {
                    format!("choose indep {num} type {}", self.type_label(type_id))
                }
                RuleStep::ChooseLeafFirstN { num, type_id } => {
                    format!("chooseleaf firstn {num} type {}", self.type_label(type_id))
                }
                RuleStep::ChooseLeafIndep { num, type_id } => {
                    format!("chooseleaf indep {num} type {}", self.type_label(type_id))
                }
            };
            let _ = writeln!(out, "\tstep {line}");
        }
        out.push_str("}\n");
    }

    fn print_choose_args(&self, out: &mut String) {
        if self.choose_args.is_empty() {
            return;
        }
        out.push_str("\n# choose_args\n");
        // Ceph keys the sets by an unsigned 64-bit index when printing.
        let mut sets: Vec<(u64, _)> = self
            .choose_args
            .iter()
            .map(|(&k, v)| (k as u64, v))
            .collect();
        sets.sort_by_key(|(k, _)| *k);
        for (index, args) in sets {
            let _ = writeln!(out, "choose_args {index} {{");
            // Bucket order is Ceph's array order: -1, -2, ...
            for (bucket, arg) in args.iter().rev() {
                if arg.weight_set.is_empty() && arg.ids.is_none() {
                    continue;
                }
                let _ = writeln!(out, "  {{\n    bucket_id {bucket}");
                if !arg.weight_set.is_empty() {
                    out.push_str("    weight_set [\n");
                    for ws in &arg.weight_set {
                        out.push_str("      [ ");
                        for &w in ws {
                            let _ = write!(out, "{} ", fixed(w));
                        }
                        out.push_str("]\n");
                    }
                    out.push_str("    ]\n");
                }
                if let Some(ids) = &arg.ids {
                    out.push_str("    ids [ ");
                    for id in ids {
                        let _ = write!(out, "{id} ");
                    }
                    out.push_str("]\n");
                }
                out.push_str("  }\n");
            }
            out.push_str("}\n");
        }
    }
}
