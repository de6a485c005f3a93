//! Ceph's PG arithmetic (`ceph-osd-side.md` §5.4): `ceph_stable_mod`, split and merge
//! predicates, parents and ancestors. Pure functions of seeds and PG counts; both the
//! interval rules (§5.1) and placement use them.

use alloc::collections::BTreeSet;

use super::pg::PgId;

/// `cbits(v)`: the number of bits needed to hold `v` (0 for 0).
pub const fn cbits(v: u32) -> u32 {
    u32::BITS - v.leading_zeros()
}

/// `ceph_stable_mod(x, b, bmask)`: `x mod b` that moves as few values as possible when
/// `b` grows. `bmask` is `2^cbits(b - 1) - 1`.
pub const fn ceph_stable_mod(x: u32, b: u32, bmask: u32) -> u32 {
    if (x & bmask) < b {
        x & bmask
    } else {
        x & (bmask >> 1)
    }
}

/// `calc_pg_masks`: the mask for a pool of `pg_num` PGs, `2^cbits(pg_num - 1) - 1`.
pub const fn pg_num_mask(pg_num: u32) -> u32 {
    pg_mask_for_bits(cbits(pg_num.saturating_sub(1)))
}

impl PgId {
    /// `pg_t::is_split`: whether growing the pool from `old_pg_num` to `new_pg_num` PGs
    /// splits this PG. Returns false when the pool does not grow or this seed is not
    /// below `old_pg_num` (Ceph's degenerate case).
    pub fn is_split(&self, old_pg_num: u32, new_pg_num: u32) -> bool {
        self.split_children_inner(old_pg_num, new_pg_num, None)
    }

    /// The children `is_split` finds: every seed in `[old_pg_num, new_pg_num)` whose
    /// stable-mod by the old count is this seed, in ascending order.
    pub fn split_children(&self, old_pg_num: u32, new_pg_num: u32) -> BTreeSet<PgId> {
        let mut children = BTreeSet::new();
        self.split_children_inner(old_pg_num, new_pg_num, Some(&mut children));
        children
    }

    fn split_children_inner(
        &self,
        old_pg_num: u32,
        new_pg_num: u32,
        mut children: Option<&mut BTreeSet<PgId>>,
    ) -> bool {
        if self.seed >= old_pg_num || new_pg_num <= old_pg_num {
            return false;
        }
        let old_bits = cbits(old_pg_num);
        let old_mask = pg_mask_for_bits(old_bits);
        let mut split = false;
        // Candidates share this seed's low bits and add one more high bit pattern each
        // step; n counts those patterns from the top bit of the old count upward.
        let mut n: u64 = 1;
        loop {
            let next_bit = n << old_bits.saturating_sub(1);
            let s = next_bit | u64::from(self.seed);
            if s >= u64::from(new_pg_num) {
                break;
            }
            n += 1;
            // s < new_pg_num <= u32::MAX here, so the conversion cannot fail.
            let Ok(s) = u32::try_from(s) else { break };
            if s < old_pg_num || s == self.seed {
                continue;
            }
            if ceph_stable_mod(s, old_pg_num, old_mask) == self.seed {
                split = true;
                if let Some(c) = children.as_deref_mut() {
                    c.insert(PgId::new(self.pool, s));
                }
            }
        }
        split
    }

    /// `pg_t::get_split_bits(pg_num)`: how many low bits of an object's hash select
    /// this PG when the pool has `pg_num` PGs.
    pub fn split_bits(&self, pg_num: u32) -> u32 {
        if pg_num <= 1 {
            return 0;
        }
        let p = cbits(pg_num);
        let half = 1u32 << (p - 1);
        if self.seed % half < pg_num % half {
            p
        } else {
            p - 1
        }
    }

    /// `pg_t::get_parent()`: the PG this one split from (its seed with the top bit
    /// cleared). Seed 0 has no parent and returns itself.
    pub fn parent(&self) -> PgId {
        let bits = cbits(self.seed);
        if bits == 0 {
            return *self;
        }
        PgId::new(self.pool, self.seed & !(u32::MAX << (bits - 1)))
    }

    /// `pg_t::get_ancestor(old_pg_num)`: the PG that held this PG's objects when the
    /// pool had `old_pg_num` PGs.
    pub fn ancestor(&self, old_pg_num: u32) -> PgId {
        let old_mask = pg_mask_for_bits(cbits(old_pg_num));
        PgId::new(self.pool, ceph_stable_mod(self.seed, old_pg_num, old_mask))
    }

    /// `pg_t::is_merge_source`: shrinking from `old_pg_num` to `new_pg_num` folds this
    /// PG into another. Returns the merge target (the first ancestor below
    /// `new_pg_num`) when it does.
    pub fn merge_source_target(&self, old_pg_num: u32, new_pg_num: u32) -> Option<PgId> {
        if self.seed < old_pg_num && self.seed >= new_pg_num {
            let mut t = *self;
            while t.seed >= new_pg_num {
                let p = t.parent();
                if p == t {
                    break;
                }
                t = p;
            }
            Some(t)
        } else {
            None
        }
    }

    /// `pg_t::is_merge_source`.
    pub fn is_merge_source(&self, old_pg_num: u32, new_pg_num: u32) -> bool {
        self.merge_source_target(old_pg_num, new_pg_num).is_some()
    }

    /// `pg_t::is_merge_target`: shrinking from `old_pg_num` to `new_pg_num` folds some
    /// other PG into this one (the reverse split).
    pub fn is_merge_target(&self, old_pg_num: u32, new_pg_num: u32) -> bool {
        self.seed < new_pg_num && self.is_split(new_pg_num, old_pg_num)
    }

    /// `osdmap.raw_pg_to_pg`: fold a raw placement seed into `0..pg_num`.
    pub fn raw_to_pg(&self, pg_num: u32) -> PgId {
        PgId::new(
            self.pool,
            ceph_stable_mod(self.seed, pg_num, pg_num_mask(pg_num)),
        )
    }
}

/// `(1 << bits) - 1`, the mask Ceph builds by hand in `calc_pg_masks`, `is_split` and
/// `get_ancestor`; saturates at `u32::MAX` where Ceph's shift would overflow.
const fn pg_mask_for_bits(bits: u32) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}
