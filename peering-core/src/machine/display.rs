//! How Ceph prints a PG's peering state in its logs (`operator<<(ostream&,
//! PeeringState)`), for traces and test failure messages.

use core::fmt;

use super::pg::Pg;
use crate::types::OsdId;

fn vector(f: &mut fmt::Formatter<'_>, v: &[OsdId]) -> fmt::Result {
    f.write_str("[")?;
    for (i, o) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        if o.is_none() {
            f.write_str("NONE")?;
        } else {
            write!(f, "{}", o.0)?;
        }
    }
    f.write_str("]")
}

impl fmt::Display for Pg {
    /// `pg[<info> <up>/<acting> r=<role> lpr=<last_peering_reset> pi=[a,b)/n
    /// crt=<can_rollback_to> mlcod <v> <state bits>]`, as Ceph's log prefix, followed
    /// by the statechart state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ps = self.peering_state();
        write!(f, "pg[{:?} ", ps.info)?;
        vector(f, &ps.mapping.up)?;
        if ps.mapping.acting != ps.mapping.up {
            f.write_str("/")?;
            vector(f, &ps.mapping.acting)?;
        }
        if ps.is_ec() {
            write!(f, "p{}", ps.primary)?;
        }
        write!(f, " r={} lpr={}", ps.role, ps.last_peering_reset)?;
        if !ps.past_intervals.is_empty() {
            let (a, b) = ps.past_intervals.bounds();
            write!(f, " pi=[{a},{b})/{}", ps.past_intervals.len())?;
        }
        write!(
            f,
            " crt={} mlcod {} {}",
            ps.pg_log.log().can_rollback_to(),
            ps.min_last_complete_ondisk,
            ps.state
        )?;
        if ps.send_notify {
            f.write_str(" NOTIFY")?;
        }
        write!(f, "] {}", self.state_name())
    }
}
