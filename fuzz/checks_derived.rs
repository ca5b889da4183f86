//! The properties the `derived` fuzz target checks on the example
//! protocols' derived decoders, shared with the stable replay test
//! `examples/tests/fuzz_corpus.rs`.
//!
//! Every message of the input is offered to each protocol's decoder. What
//! decodes must encode, decode back to an equal value, and encode again to
//! the same bytes: decoding never panics, and decode then encode is stable.

use netlink_core::derive_support::MessageEnum;
use netlink_core::{Decode, Encode, Messages};
use netlink_examples::diag::DiagMessage;
use netlink_examples::genl::Ctrl;
use netlink_examples::kv::KvMessage;
use netlink_examples::route::RouteMessage;

fn encoded<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out).expect("a decoded value encodes");
    assert_eq!(
        out.len(),
        value.encoded_len(),
        "encoded_len is not the written length"
    );
    out
}

/// Decodes `$payload` with `$decode`; what decodes must encode, decode back
/// equal with `$again`, and encode to the same bytes again. A macro, not a
/// generic function, so each decoded value gets the lifetime of its bytes.
macro_rules! stable {
    ($decode:expr, $again:expr) => {
        match $decode {
            Ok(value) => {
                let bytes = encoded(&value);
                let again = $again(&bytes[..]).expect("the encoding decodes");
                assert_eq!(again, value, "decode of the encoding differs");
                assert_eq!(encoded(&again), bytes, "second encoding differs");
                1
            }
            Err(_) => 0,
        }
    };
}

/// Offers every message of `data` to the example protocols' decoders and
/// returns how many decodes succeeded for each: kv, rtnetlink, the generic
/// netlink controller and sock_diag, in that order.
pub(crate) fn derived(data: &[u8]) -> [usize; 4] {
    let mut decoded = [0; 4];
    for msg in Messages::new(data).map_while(Result::ok) {
        let (ty, payload) = (msg.message_type().0, msg.payload());
        decoded[0] += stable!(KvMessage::decode_message(ty, payload), |b| {
            KvMessage::decode_message(ty, b)
        });
        decoded[1] += stable!(RouteMessage::decode_message(ty, payload), |b| {
            RouteMessage::decode_message(ty, b)
        });
        decoded[2] += stable!(Ctrl::decode(payload), Ctrl::decode);
        decoded[3] += stable!(DiagMessage::decode(payload), DiagMessage::decode);
    }
    decoded
}
