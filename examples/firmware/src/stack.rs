//! The stack's high-water mark: the free RAM between the end of the static
//! data and the stack pointer is painted with a pattern at start; the
//! lowest word no longer holding it, at the end, is as deep as the stack
//! went.

const PAINT: u32 = 0xDEAD_BEEF;

unsafe extern "C" {
    /// The end of `.bss` and `.data` (`cortex-m-rt`'s linker script).
    static __sheap: u32;
    /// The top of the stack (`cortex-m-rt`).
    static _stack_start: u32;
}

fn bounds() -> (usize, usize) {
    // Only the symbols' addresses are taken, never their values.
    (
        core::ptr::addr_of!(__sheap) as usize,
        core::ptr::addr_of!(_stack_start) as usize,
    )
}

/// Paints everything below the current stack pointer (less a margin for
/// this call's own frame).
pub fn paint() {
    let (bottom, _) = bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = bottom.next_multiple_of(4);
    while p + 256 < sp {
        // SAFETY: `[bottom, sp)` is RAM no one uses yet: above the statics,
        // below the live stack.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Bytes of stack used so far (since [`paint`]).
pub fn used() -> usize {
    let (bottom, top) = bounds();
    let mut p = bottom.next_multiple_of(4);
    // SAFETY: reads of the painted region, word-aligned, inside RAM.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}
