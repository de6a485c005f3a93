//! Ceph's PG arithmetic (`osd_types.cc`): `ceph_stable_mod`, split and merge
//! predicates, parents and ancestors. Pure functions of seeds and PG counts; both the
//! interval rules and placement use them.

use alloc::collections::BTreeSet;

use super::pg::{PgId, PoolId};

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

/// `pg_pool_t::get_pg_num_divisor(pgid)`: how many PGs share the hash space
/// the PG with seed `ps` covers under `pg_num`, i.e. the divisor that turns
/// the pool's object count into this PG's expected share. With `pg_num` a
/// power of two it is `pg_num`; otherwise a seed whose bin was already split
/// counts the smaller bins (`mask + 1`), one not yet split the bigger ones
/// (`(mask + 1) / 2`). 0 for a pool of no PGs.
pub const fn pg_num_divisor(pg_num: u32, ps: u32) -> u32 {
    if pg_num == 0 {
        return 0;
    }
    let mask = pg_num_mask(pg_num);
    let bins = mask.wrapping_add(1);
    if pg_num == bins {
        return pg_num;
    }
    let half = mask >> 1;
    if (ps & half) < (pg_num & half) {
        bins
    } else {
        bins >> 1
    }
}

impl PgId {
    /// `pg_t::is_split`: whether growing the pool from `old_pg_num` to `new_pg_num` PGs
    /// splits this PG. Returns false when the pool does not grow or this seed is not
    /// below `old_pg_num` (Ceph's degenerate case).
    ///
    /// Constant work, whatever the counts: it asks [`PgId::split_children_iter`]
    /// whether there is a first child, and allocates nothing.
    pub fn is_split(&self, old_pg_num: u32, new_pg_num: u32) -> bool {
        self.split_children_iter(old_pg_num, new_pg_num).len() > 0
    }

    /// The children `is_split` finds: every seed in `[old_pg_num, new_pg_num)` whose
    /// stable-mod by the old count is this seed, in ascending order.
    pub fn split_children(&self, old_pg_num: u32, new_pg_num: u32) -> BTreeSet<PgId> {
        self.split_children_iter(old_pg_num, new_pg_num).collect()
    }

    /// `pg_t::is_split`'s children, without collecting them: the same seeds as
    /// [`PgId::split_children`], ascending, one step each (O(children), no
    /// allocation).
    ///
    /// Ceph walks candidates `(n << (old_bits - 1)) | seed` for `n = 1, 2, ...`
    /// up to `new_pg_num` and keeps those whose `ceph_stable_mod` by the old count
    /// is this seed. With `old_bits = cbits(old_pg_num)` and `half = 2^(old_bits -
    /// 1)`, the kept ones are an arithmetic progression from `seed + step`: a seed
    /// below `half` whose partner `seed + half` is not below `old_pg_num` (so it
    /// folds back onto the seed) owns every candidate, `step = half`; any other
    /// seed owns only the candidates equal to it in all `old_bits` low bits,
    /// `step = 2^old_bits`. Stepping through it skips the candidates Ceph rejects,
    /// so a pool growing from 1 to 2^16 PGs costs PG 0 its 2^16 - 1 children and
    /// every other question nothing.
    pub fn split_children_iter(&self, old_pg_num: u32, new_pg_num: u32) -> SplitChildren {
        crate::meter::tick(crate::meter::Counter::SplitStep);
        let none = SplitChildren {
            pool: self.pool,
            next: 0,
            step: 1,
            end: 0,
        };
        if self.seed >= old_pg_num || new_pg_num <= old_pg_num {
            return none;
        }
        let old_bits = cbits(old_pg_num);
        let seed = u64::from(self.seed);
        // old_pg_num > seed >= 0, so old_bits >= 1 and both steps are at least 1.
        let half = 1u64 << old_bits.saturating_sub(1);
        let step = if seed < half && seed + half >= u64::from(old_pg_num) {
            half
        } else {
            half << 1
        };
        SplitChildren {
            pool: self.pool,
            next: seed + step,
            step,
            end: u64::from(new_pg_num),
        }
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

/// The children of one PG under a `pg_num` increase, ascending: the iterator of
/// [`PgId::split_children_iter`] (`pg_t::is_split` with its `children` set).
///
/// An arithmetic progression of seeds below the new `pg_num`, so its length and
/// membership are known without walking it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SplitChildren {
    pool: PoolId,
    /// The next child's seed (`>= end` when done).
    next: u64,
    /// The distance between consecutive children (at least 1).
    step: u64,
    /// The new `pg_num`: every child is below it.
    end: u64,
}

impl SplitChildren {
    /// Whether `pg` is one of the children not yet yielded (all of them, for a
    /// fresh iterator): the membership test of Ceph's `children` set, in
    /// constant time.
    pub fn contains(&self, pg: &PgId) -> bool {
        let seed = u64::from(pg.seed);
        pg.pool == self.pool
            && seed >= self.next
            && seed < self.end
            && (seed - self.next) % self.step == 0
    }
}

impl Iterator for SplitChildren {
    type Item = PgId;

    fn next(&mut self) -> Option<PgId> {
        if self.next >= self.end {
            return None;
        }
        let seed = u32::try_from(self.next).ok()?;
        crate::meter::tick(crate::meter::Counter::SplitStep);
        self.next = self.next.saturating_add(self.step);
        Some(PgId::new(self.pool, seed))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = if self.next >= self.end {
            0
        } else {
            // step >= 1 by construction; checked_div keeps a bad value harmless.
            (self.end - 1 - self.next)
                .checked_div(self.step)
                .map_or(0, |k| k.saturating_add(1))
        };
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

impl ExactSizeIterator for SplitChildren {}

impl core::iter::FusedIterator for SplitChildren {}

/// `(1 << bits) - 1`, the mask Ceph builds by hand in `calc_pg_masks`, `is_split` and
/// `get_ancestor`; saturates at `u32::MAX` where Ceph's shift would overflow.
const fn pg_mask_for_bits(bits: u32) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}
