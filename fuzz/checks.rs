//! The properties every fuzz target checks, shared with the stable test
//! that replays the corpora (`tests/tests/fuzz_corpus.rs`), so that CI covers
//! the corpus without a fuzzer.
//!
//! Each check panics (which the fuzzer reports) when a property fails:
//! decoding never panics and ends, and what decoded re-encodes to the bytes
//! it came from.

use netlink_core::attr::{self, MAX_NEST_DEPTH, NestedWalk};
use netlink_core::{Attr, Attrs, Control, ExtAck, Messages};
use zerocopy::IntoBytes;

/// Walks every message of a datagram, classifies it, and rebuilds each
/// well-framed message from its view.
pub(crate) fn messages(data: &[u8]) {
    let mut offset = 0;
    let mut count = 0usize;
    for item in Messages::new(data) {
        count += 1;
        let Ok(msg) = item else { break };
        let len = msg.header().len as usize;
        let mut rebuilt = msg.header().as_bytes().to_vec();
        rebuilt.extend_from_slice(msg.payload());
        assert_eq!(
            &rebuilt[..],
            &data[offset..offset + len],
            "message view is not its bytes"
        );
        offset += len.next_multiple_of(4).min(data.len() - offset);
        let _ = Control::parse(msg);
    }
    assert!(
        count <= data.len() / 16 + 1,
        "more items than the datagram can hold"
    );
}

/// Walks an attribute stream and every nest in it (depth-bounded), and
/// rebuilds the outermost stream attribute by attribute.
pub(crate) fn attrs(data: &[u8]) {
    let walk = NestedWalk::new(data, MAX_NEST_DEPTH, |_: &[u16], a: &Attr<'_>| {
        a.is_nested()
    });
    let steps = walk.count();
    assert!(
        steps <= data.len() / 4 + 1,
        "more attributes than the bytes can hold"
    );

    let mut rebuilt = Vec::new();
    for item in Attrs::new(data) {
        let Ok(a) = item else { return };
        let start = rebuilt.len();
        attr::write_raw(&mut rebuilt, a.raw_type(), a.payload()).expect("a decoded attribute fits");
        assert_eq!(start, a.offset(), "attribute offsets drift");
        let len = 4 + a.payload().len();
        assert_eq!(
            &rebuilt[start..start + len],
            &data[start..start + len],
            "attribute bytes differ"
        );
    }
}

/// Parses every message as an ack, error or done, and the raw bytes as an
/// extended-ack TLV stream; rebuilds the fixed part of each error message.
pub(crate) fn acks(data: &[u8]) {
    let _ = ExtAck::parse(data);
    for msg in Messages::new(data).map_while(Result::ok) {
        match Control::parse(msg) {
            Ok(Control::Error(err)) => {
                let mut rebuilt = err.raw_error().to_ne_bytes().to_vec();
                if let Some(request) = err.request() {
                    rebuilt.extend_from_slice(request.as_bytes());
                }
                assert_eq!(
                    &msg.payload()[..rebuilt.len()],
                    &rebuilt[..],
                    "error prefix differs"
                );
                assert!(err.errno() >= 0, "errno is not normalised");
                if let Ok(ext) = err.ext_ack() {
                    let _ = ext.message();
                    let _ = ext.policy().map(Iterator::count);
                }
            }
            Ok(Control::Done(done)) => assert!(done.errno() >= 0, "errno is not normalised"),
            Ok(_) => {}
            Err(_) => assert!(
                msg.payload().len() < 4,
                "an error message with an errno failed"
            ),
        }
    }
}
