//! Work counters: how many steps of the loops whose length depends on the input
//! a computation took, so that a test can state a bound on the work of an event
//! by counting instead of timing (a count is the same on a loaded machine).
//!
//! With the `meter` feature the counters are process-wide atomics that tests
//! read with `meter::count` and zero with `meter::reset`; without it, counting
//! compiles to nothing and this module holds only [`Counter`]. A test that reads
//! the counters should be the only test of its binary, since every thread
//! counts into the same totals.

/// What is counted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Counter {
    /// One split question (`pg_t::is_split`, with or without its children)
    /// plus one per child it yields: the work of split detection, which is
    /// O(children of the PG), never O(`pg_num`).
    SplitStep,
    /// One comparison of two objects (`hobject_t`'s `cmp` or equality test):
    /// the unit of work of log merging, missing-set upkeep and log indexes.
    ObjectCompare,
}

impl Counter {
    /// Every counter, in declaration order.
    pub const ALL: [Counter; 2] = [Counter::SplitStep, Counter::ObjectCompare];
}

#[cfg(feature = "meter")]
mod counts {
    use core::sync::atomic::{AtomicUsize, Ordering};

    use super::Counter;

    static SPLIT_STEPS: AtomicUsize = AtomicUsize::new(0);
    static OBJECT_COMPARES: AtomicUsize = AtomicUsize::new(0);

    fn slot(c: Counter) -> &'static AtomicUsize {
        match c {
            Counter::SplitStep => &SPLIT_STEPS,
            Counter::ObjectCompare => &OBJECT_COMPARES,
        }
    }

    #[inline]
    pub(crate) fn tick(c: Counter) {
        slot(c).fetch_add(1, Ordering::Relaxed);
    }

    /// The steps counted by `c` since the last [`reset`] (or the start).
    pub fn count(c: Counter) -> usize {
        slot(c).load(Ordering::Relaxed)
    }

    /// Zeroes every counter.
    pub fn reset() {
        for c in Counter::ALL {
            slot(c).store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(feature = "meter")]
pub use counts::{count, reset};

/// Counts one step of `c` (nothing without the `meter` feature).
#[inline(always)]
pub(crate) fn tick(c: Counter) {
    #[cfg(feature = "meter")]
    counts::tick(c);
    #[cfg(not(feature = "meter"))]
    let _ = c;
}
