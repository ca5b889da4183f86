//! The example protocols' derived decoders take bounded memory on a 64 KiB
//! datagram of arbitrary content: every message of it is offered to each
//! decoder, and what they allocate in all stays within a small multiple of
//! the datagram's size. The decoders keep unknown attributes, so the bound
//! follows from the size of one kept attribute.

use netlink_core::derive_support::{MessageEnum, RawAttr};
use netlink_core::{Decode, Messages};
use netlink_examples::diag::DiagMessage;
use netlink_examples::genl::Ctrl;
use netlink_examples::kv::KvMessage;
use netlink_examples::route::RouteMessage;
use netlink_tests::bounded::{
    ARBITRARY_SIZE, CountingAllocator, SHAPES, allocated_bytes, arbitrary_datagram,
};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Offers every message of `data` to the four protocols' decoders and
/// returns how many decodes succeeded.
fn decode_all(data: &[u8]) -> usize {
    let mut decoded = 0;
    for msg in Messages::new(data).map_while(Result::ok) {
        let (ty, payload) = (msg.message_type().0, msg.payload());
        decoded += usize::from(KvMessage::decode_message(ty, payload).is_ok());
        decoded += usize::from(RouteMessage::decode_message(ty, payload).is_ok());
        decoded += usize::from(Ctrl::decode(payload).is_ok());
        decoded += usize::from(DiagMessage::decode(payload).is_ok());
    }
    decoded
}

#[test]
fn derived_decoders_take_bounded_memory_on_any_64k_datagram() {
    // At worst every 4-byte attribute is kept as a `RawAttr`, in a `Vec`
    // that may have grown to twice what it holds, by each of the four
    // decoders; plus the datagram's size again for everything else.
    let per_decoder = 2 * size_of::<RawAttr<'_>>() * (ARBITRARY_SIZE / 4);
    let bound = 4 * per_decoder + ARBITRARY_SIZE;
    let mut most = 0;
    let mut decoded = 0;
    for seed in 1..=16u64 {
        for shape in 0..SHAPES {
            let data = arbitrary_datagram(seed, shape);
            let before = allocated_bytes();
            decoded += decode_all(&data);
            let used = allocated_bytes() - before;
            assert!(
                used <= bound,
                "seed {seed} shape {shape}: {used} bytes allocated, bound {bound}"
            );
            most = most.max(used);
        }
    }
    // The shapes frame real messages, so decoders do run on them.
    assert!(decoded > 0, "nothing decoded");
    println!(
        "most allocated for one {ARBITRARY_SIZE}-byte datagram: {most} bytes ({:.1}x), bound {bound}",
        most as f64 / ARBITRARY_SIZE as f64
    );
}
