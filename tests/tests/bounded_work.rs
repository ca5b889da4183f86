//! Decoding a 64 KiB datagram of arbitrary content takes a number of steps
//! bounded by its size and allocates at most a small multiple of its size.
//!
//! Steps are counted as items the iterators yield (each advances by at
//! least four bytes or ends the walk); allocations by a counting global
//! allocator in this test binary.

use netlink_core::attr::{MAX_NEST_DEPTH, NestedWalk};
use netlink_core::{Attr, Control, Messages};
use netlink_tests::bounded::{
    ARBITRARY_SIZE as SIZE, CountingAllocator, SHAPES, allocated_bytes as allocated,
    arbitrary_datagram as datagram,
};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

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
        for shape in 0..SHAPES {
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
