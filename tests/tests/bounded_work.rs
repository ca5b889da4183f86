//! Decoding a 64 KiB datagram of arbitrary content takes a number of steps
//! bounded by its size and allocates at most a small multiple of its size.
//!
//! Steps are counted as items the iterators yield (each advances by at
//! least four bytes or ends the walk); allocations by a counting global
//! allocator in this test binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use netlink_core::attr::{MAX_NEST_DEPTH, NestedWalk};
use netlink_core::{Attr, Control, Messages};

struct Counting;

thread_local! {
    // Per thread, so that tests running side by side do not count each
    // other's allocations.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

fn allocated() -> usize {
    ALLOCATED.with(Cell::get)
}

// SAFETY: every call forwards to the system allocator with the caller's
// arguments unchanged; counting has no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SIZE: usize = 64 * 1024;

/// A small deterministic generator (xorshift), so failures reproduce.
fn datagram(seed: u64, shape: u8) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out: Vec<u8> = (0..SIZE).map(|_| next() as u8).collect();
    match shape {
        // One message spanning the datagram, full of minimal attributes
        // and nests that each hold one more nest: the most steps per byte.
        1 => {
            out[..4].copy_from_slice(&(SIZE as u32).to_ne_bytes());
            out[4..6].copy_from_slice(&0x10u16.to_ne_bytes());
            for chunk in out[16..].chunks_mut(4) {
                chunk.copy_from_slice(&[4, 0, (next() & 0x80) as u8, 0x80]);
            }
        }
        // Back-to-back minimal messages: 16 bytes each.
        2 => {
            for chunk in out.chunks_mut(16) {
                chunk[..4].copy_from_slice(&16u32.to_ne_bytes());
                chunk[4..6].copy_from_slice(&(next() as u16 % 5).to_ne_bytes());
            }
        }
        _ => {}
    }
    out
}

fn walk(data: &[u8]) -> usize {
    let mut steps = 0;
    for msg in Messages::new(data) {
        steps += 1;
        let Ok(msg) = msg else { break };
        let _ = Control::parse(msg);
        let attrs = msg.payload();
        let nests = NestedWalk::new(attrs, MAX_NEST_DEPTH, |_: &[u16], a: &Attr<'_>| {
            a.is_nested() || a.payload().len() >= 4
        });
        steps += nests.count();
    }
    steps
}

#[test]
fn a_64k_datagram_of_any_content_takes_bounded_steps_and_memory() {
    for seed in 1..=64u64 {
        for shape in 0..3 {
            let data = datagram(seed, shape);
            let before = allocated();
            let steps = walk(&data);
            let allocated = allocated() - before;
            // Every item consumes at least four bytes of input, and each
            // nesting level is entered once per nest at most.
            assert!(
                steps <= 2 * (SIZE / 4) + 2,
                "seed {seed} shape {shape}: {steps} steps"
            );
            assert!(
                allocated <= 4 * SIZE,
                "seed {seed} shape {shape}: {allocated} bytes allocated for a {SIZE}-byte datagram"
            );
        }
    }
}

#[test]
fn nesting_as_deep_as_the_bytes_allow_stops_at_the_depth_limit() {
    // 16 K nests, each the only child of the previous one.
    let size = SIZE - 4;
    let depth = size / 4;
    let mut data = vec![0u8; size];
    for (i, chunk) in data.chunks_mut(4).enumerate() {
        let len = u16::try_from(size - i * 4).expect("fits nla_len");
        chunk.copy_from_slice(&[len as u8, (len >> 8) as u8, 1, 0x80]);
    }
    let items: Vec<_> = NestedWalk::new(&data, MAX_NEST_DEPTH, |_: &[u16], a: &Attr<'_>| {
        a.is_nested()
    })
    .collect();
    assert!(
        items.len() <= MAX_NEST_DEPTH + 2,
        "walked {} of {depth} levels",
        items.len()
    );
    let last = items
        .last()
        .expect("at least one item")
        .as_ref()
        .unwrap_err();
    assert!(last.to_string().contains("deeper than"), "{last}");
}
