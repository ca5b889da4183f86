//! Arbitrary datagrams and an allocation counter, for the tests that show
//! decoding takes bounded work and memory whatever the input.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The size of the datagrams [`arbitrary_datagram`] makes: the largest a
/// netlink message length field of a dump datagram plausibly spans.
pub const ARBITRARY_SIZE: usize = 64 * 1024;

/// The number of shapes [`arbitrary_datagram`] knows.
pub const SHAPES: u8 = 3;

/// Returns [`ARBITRARY_SIZE`] bytes made from `seed` by a small
/// deterministic generator (xorshift), so that a failure reproduces.
///
/// Shape 0 is noise. Shape 1 is one message spanning the datagram, full of
/// minimal attributes and nests that each hold one more nest: the most
/// items per byte. Shape 2 is back-to-back minimal messages of 16 bytes
/// with control and low message types.
#[must_use]
pub fn arbitrary_datagram(seed: u64, shape: u8) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out: Vec<u8> = (0..ARBITRARY_SIZE)
        .map(|_| next().to_le_bytes()[0])
        .collect();
    match shape {
        1 => {
            let len = u32::try_from(ARBITRARY_SIZE).unwrap_or(u32::MAX);
            out[..4].copy_from_slice(&len.to_ne_bytes());
            out[4..6].copy_from_slice(&0x10u16.to_ne_bytes());
            for chunk in out[16..].chunks_mut(4) {
                let nested = next().to_le_bytes()[0] & 0x80;
                chunk.copy_from_slice(&[4, 0, nested, 0x80]);
            }
        }
        2 => {
            for chunk in out.chunks_mut(16) {
                let ty = u16::from_le_bytes([next().to_le_bytes()[0], 0]) % 5;
                chunk[..4].copy_from_slice(&16u32.to_ne_bytes());
                chunk[4..6].copy_from_slice(&ty.to_ne_bytes());
            }
        }
        _ => {}
    }
    out
}

/// A global allocator that counts the bytes each thread allocates and
/// hands every call to the system allocator. A test binary installs it
/// with `#[global_allocator]` and reads the count with
/// [`allocated_bytes`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

thread_local! {
    // Per thread, so that tests running side by side do not count each
    // other's allocations.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

/// Returns how many bytes the calling thread has allocated so far through
/// [`CountingAllocator`] (0 where it is not installed).
#[must_use]
pub fn allocated_bytes() -> usize {
    ALLOCATED.with(Cell::get)
}

// SAFETY: every call forwards to the system allocator with the caller's
// arguments unchanged; counting has no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get().saturating_add(layout.size())));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
