//! The global allocator: `embedded-alloc`'s linked-list heap over a static
//! region, wrapped to count the bytes held and their peak (what a firmware
//! budget needs; the count is of bytes asked for, not the allocator's own
//! bookkeeping).

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The heap's size: far more than one PG needs, so the peak is the PG's.
const HEAP_SIZE: usize = 256 * 1024;

static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];

struct Counting {
    heap: LlffHeap,
    used: AtomicUsize,
    peak: AtomicUsize,
}

// SAFETY: every call goes to `LlffHeap`, itself a `GlobalAlloc` guarded by a
// critical section; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            let now = self.used.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.heap.dealloc(ptr, layout) };
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting {
    heap: LlffHeap::empty(),
    used: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

/// Gives the allocator its region; call once, first thing.
pub fn init() {
    // SAFETY: called once, before any allocation; the region is a static
    // nothing else touches.
    unsafe {
        ALLOCATOR
            .heap
            .init(core::ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_SIZE)
    }
}

/// Bytes held now.
pub fn used() -> usize {
    ALLOCATOR.used.load(Ordering::Relaxed)
}

/// The most bytes held at once so far.
pub fn peak() -> usize {
    ALLOCATOR.peak.load(Ordering::Relaxed)
}
