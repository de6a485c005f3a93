//! `OSDMap::print` (what `osdmaptool --print` shows) over a
//! [`DecodedOsdMap`], with the names Ceph prints: map flags, OSD states,
//! releases, and the oldest client release the map needs
//! (`get_min_compat_client`).

use std::collections::BTreeSet;

use peering_core::map::OsdMapView;
use peering_core::types::OsdId;

use crate::crush::{BucketAlg, DEFAULT_CHOOSE_ARGS, RuleStep};

use super::super::osd::DEFAULT_PRIMARY_AFFINITY;
use super::common::{fmt_intervals, fmt_osd_info};
use super::full::DecodedOsdMap;
use super::number::fmt_g;
use super::pool_print::fmt_pool_snaps;
use super::release::{ARGONAUT, DUMPLING, FIREFLY, HAMMER, JEWEL, LUMINOUS, release_name};

/// `OSDMap::get_flag_string`: the map's flags, in Ceph's order.
pub fn map_flag_string(f: u32) -> String {
    const FLAGS: [(u32, &str); 22] = [
        (1 << 2, "pauserd"),
        (1 << 3, "pausewr"),
        (1 << 4, "pauserec"),
        (1 << 5, "noup"),
        (1 << 6, "nodown"),
        (1 << 7, "noout"),
        (1 << 8, "noin"),
        (1 << 9, "nobackfill"),
        (1 << 14, "norebalance"),
        (1 << 10, "norecover"),
        (1 << 11, "noscrub"),
        (1 << 12, "nodeep-scrub"),
        (1 << 13, "notieragent"),
        (1 << 21, "nosnaptrim"),
        (1 << 15, "sortbitwise"),
        (1 << 16, "require_jewel_osds"),
        (1 << 17, "require_kraken_osds"),
        (1 << 18, "require_luminous_osds"),
        (1 << 19, "recovery_deletes"),
        (1 << 20, "purged_snapdirs"),
        (1 << 22, "pglog_hardlimit"),
        (1 << 23, "noautoscale"),
    ];
    let names: Vec<&str> = FLAGS
        .iter()
        .filter(|(bit, _)| f & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(",")
}

/// `calc_state_set`: the names of an OSD's state bits, sorted as a
/// `set<string>` prints them.
pub fn osd_state_names(state: u32) -> String {
    const NAMES: [&str; 13] = [
        "exists",
        "up",
        "autoout",
        "new",
        "full",
        "nearfull",
        "backfillfull",
        "destroyed",
        "noup",
        "nodown",
        "noin",
        "noout",
        "stop",
    ];
    let set: BTreeSet<&str> = (0..32)
        .filter(|b| state & (1u32 << b) != 0)
        .map(|b| NAMES.get(b).copied().unwrap_or("???"))
        .collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

impl DecodedOsdMap {
    /// `OSDMap::get_min_compat_client`: the oldest client release that can
    /// use this map, from the features it needs (`get_features` for a client:
    /// CRUSH tunables and bucket and rule types, upmaps, choose_args, hashpspool,
    /// cache tiers, primary affinity).
    pub fn min_compat_client(&self) -> u8 {
        let c = &self.crush;
        let t = &c.tunables;
        // Non-default legacy tunables (CRUSH_TUNABLES) name argonaut, the
        // floor anyway.
        let mut tunables2 = t.chooseleaf_descend_once != 0;
        let mut tunables3 = t.chooseleaf_vary_r != 0;
        let mut tunables5 = t.chooseleaf_stable != 0;
        let v4 = c.buckets().any(|b| b.alg == BucketAlg::Straw2);
        let choose_args = self.incompat_choose_args();
        let upmap = !self.map.pg_upmap().is_empty() || !self.map.pg_upmap_items().is_empty();
        let mut hashpspool = false;
        let mut cachepool = false;
        for p in self.pools.values() {
            hashpspool |= p.flags & 1 != 0;
            cachepool |= !p.tiers.is_empty() || p.tier_of >= 0;
            if let Some(rule) = c.rule(i32::from(p.crush_rule)) {
                for step in &rule.steps {
                    match step {
                        RuleStep::ChooseIndep { .. }
                        | RuleStep::ChooseLeafIndep { .. }
                        | RuleStep::SetChooseTries(_)
                        | RuleStep::SetChooseLeafTries(_) => tunables2 = true,
                        RuleStep::SetChooseLeafVaryR(_) => tunables3 = true,
                        RuleStep::SetChooseLeafStable(_) => tunables5 = true,
                        _ => {}
                    }
                }
            }
        }
        // CRUSH_V2 (indep rules) shares its feature bit with TUNABLES2 in the
        // release table below: both name dumpling.
        let affinity = (0..self.map.max_osd())
            .any(|o| self.map.primary_affinity(OsdId(o)) != DEFAULT_PRIMARY_AFFINITY);
        if upmap || choose_args {
            LUMINOUS
        } else if tunables5 {
            JEWEL
        } else if v4 {
            HAMMER
        } else if affinity || tunables3 || cachepool {
            FIREFLY
        } else if tunables2 || hashpspool {
            DUMPLING
        } else {
            ARGONAUT
        }
    }

    /// `CrushWrapper::has_incompat_choose_args`: weight sets beyond one
    /// position of the default set, or substituted ids.
    fn incompat_choose_args(&self) -> bool {
        let all = &self.crush.choose_args;
        let Some((index, args)) = all.iter().next() else {
            return false;
        };
        if all.len() > 1 || *index != DEFAULT_CHOOSE_ARGS {
            return true;
        }
        args.values().any(|a| {
            let empty = a.weight_set.is_empty() && a.ids.is_none();
            !empty && (a.weight_set.len() != 1 || a.ids.is_some())
        })
    }

    /// `OSDMap::print`, as `osdmaptool --print` writes it. Ceph 16.2's format;
    /// blocklist entries print in encoded order (Ceph prints them from a hash
    /// table).
    pub fn print(&self) -> String {
        let mut out = String::new();
        let m = &self.map;
        out.push_str(&format!("epoch {}\n", m.epoch()));
        out.push_str(&format!("fsid {}\n", self.fsid));
        out.push_str(&format!("created {}\n", self.created));
        out.push_str(&format!("modified {}\n", self.modified));
        out.push_str(&format!("flags {}\n", map_flag_string(self.map.flags().0)));
        out.push_str(&format!("crush_version {}\n", self.crush_version));
        out.push_str(&format!(
            "full_ratio {}\n",
            fmt_g(f64::from(self.full_ratio))
        ));
        out.push_str(&format!(
            "backfillfull_ratio {}\n",
            fmt_g(f64::from(self.backfillfull_ratio))
        ));
        out.push_str(&format!(
            "nearfull_ratio {}\n",
            fmt_g(f64::from(self.nearfull_ratio))
        ));
        if self.require_min_compat_client != 0 {
            out.push_str(&format!(
                "require_min_compat_client {}\n",
                release_name(self.require_min_compat_client)
            ));
        }
        out.push_str(&format!(
            "min_compat_client {}\n",
            release_name(self.min_compat_client())
        ));
        if self.require_osd_release != 0 {
            out.push_str(&format!(
                "require_osd_release {}\n",
                release_name(self.require_osd_release)
            ));
        }
        out.push_str(&format!("stretch_mode_enabled {}\n", self.stretch.enabled));
        if self.stretch.enabled {
            out.push_str(&format!(
                "stretch_bucket_count {}\ndegraded_stretch_mode {}\nrecovering_stretch_mode {}\nstretch_mode_bucket {}\n",
                self.stretch.bucket_count,
                self.stretch.degraded,
                self.stretch.recovering,
                self.stretch.bucket
            ));
        }
        if !self.cluster_snapshot.is_empty() {
            out.push_str(&format!("cluster_snapshot {}\n", self.cluster_snapshot));
        }
        if self.allow_crimson {
            out.push_str("allow_crimson=true\n");
        }
        out.push('\n');
        for (id, pool) in &self.pools {
            let name = self
                .pool_names
                .get(id)
                .map(String::as_str)
                .unwrap_or("<unknown>");
            out.push_str(&format!("pool {id} '{name}' {pool}\n"));
            fmt_pool_snaps(pool, &mut out);
            if let Some(q) = self.removed_snaps_queue.get(id) {
                out.push_str(&format!("\tremoved_snaps_queue {}\n", fmt_intervals(q)));
            }
        }
        out.push('\n');
        out.push_str(&format!("max_osd {}\n", m.max_osd()));
        for o in m.existing_osds() {
            self.print_osd(o, &mut out);
        }
        out.push('\n');
        for (pg, osds) in m.pg_upmap() {
            out.push_str(&format!(
                "pg_upmap {pg} {}\n",
                fmt_osds(osds.iter().map(|o| o.0))
            ));
        }
        for (pg, items) in m.pg_upmap_items() {
            let flat = items.iter().flat_map(|(a, b)| [a.0, b.0]);
            out.push_str(&format!("pg_upmap_items {pg} {}\n", fmt_osds(flat)));
        }
        for (pg, osds) in m.pg_temp() {
            out.push_str(&format!(
                "pg_temp {pg} {}\n",
                fmt_osds(osds.iter().map(|o| o.0))
            ));
        }
        for (pg, osd) in m.primary_temp() {
            out.push_str(&format!("primary_temp {pg} {}\n", osd.0));
        }
        for (addr, until) in &self.blocklist {
            out.push_str(&format!("blocklist {addr} expires {until}\n"));
        }
        for (addr, until) in &self.range_blocklist {
            out.push_str(&format!("range blocklist {addr} expires {until}\n"));
        }
        out
    }

    /// `OSDMap::print_osd`: one OSD's line.
    fn print_osd(&self, o: OsdId, out: &mut String) {
        let m = &self.map;
        out.push_str(&format!("osd.{}", o.0));
        out.push_str(if m.is_up(o) { " up  " } else { " down" });
        out.push_str(if m.is_in(o) { " in " } else { " out" });
        out.push_str(&format!(
            " weight {}",
            fmt_g(f64::from(m.weight(o)) / 65536.0)
        ));
        let a = m.primary_affinity(o);
        if a != DEFAULT_PRIMARY_AFFINITY {
            out.push_str(&format!(
                " primary_affinity {}",
                fmt_g(f64::from(a) / 65536.0)
            ));
        }
        out.push(' ');
        out.push_str(&fmt_osd_info(&m.osd_info(o)));
        let record = usize::try_from(o.0).ok().and_then(|i| self.osds.get(i));
        let (public, cluster) = record
            .map(|r| (r.public_addrs.to_string(), r.cluster_addrs.to_string()))
            .unwrap_or_default();
        out.push_str(&format!(" {public} {cluster}"));
        out.push_str(&format!(" {}", osd_state_names(m.osd_state(o))));
        if let Some(r) = record
            && !r.uuid.is_zero()
        {
            out.push_str(&format!(" {}", r.uuid));
        }
        out.push('\n');
    }
}

/// A `vector<int>` as Ceph prints it: `[a,b,c]`.
pub(super) fn fmt_osds(osds: impl Iterator<Item = i32>) -> String {
    let v: Vec<String> = osds.map(|o| o.to_string()).collect();
    format!("[{}]", v.join(","))
}
