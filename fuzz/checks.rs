//! The properties every fuzz target checks, shared with the stable test
//! that replays the corpora (`tests/tests/fuzz_corpus.rs`), so that CI covers
//! the corpus without a fuzzer.
//!
//! Each check panics (which the fuzzer reports) when a property fails:
//! decoding never panics and ends, and what decoded re-encodes to the bytes
//! it came from.

use netlink_core::ack::tlv;
use netlink_core::attr::{self, MAX_NEST_DEPTH, NLA_F_NESTED, NestedWalk};
use netlink_core::{
    Attr, Attrs, Control, DoneMessage, ErrorMessage, ExtAck, Message, MessageBuilder, MessageType,
    Messages, NlmFlags,
};
use zerocopy::IntoBytes;

/// Walks every message of a datagram, classifies it, and writes each
/// well-framed message again with the builder from its typed parts (type,
/// flags, seq, pid, payload): the bytes must be the input's, and the
/// length the input's rounded up to the alignment.
pub(crate) fn messages(data: &[u8]) {
    let mut offset = 0;
    let mut count = 0usize;
    let mut out = Vec::new();
    for item in Messages::new(data) {
        count += 1;
        let Ok(msg) = item else { break };
        let len = msg.header().len as usize;
        out.clear();
        let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.flags());
        b.set_seq(msg.seq()).set_pid(msg.pid());
        b.append(msg.payload()).expect("a framed payload fits");
        let written = b.finish().expect("a framed message fits");
        assert_eq!(written, len.next_multiple_of(4), "rebuilt length differs");
        assert_eq!(
            &out[4..len],
            &data[offset + 4..offset + len],
            "rebuilt message differs"
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
/// extended-ack TLV stream. Each error and done message is then written
/// again from its typed parts (errno, echoed header, echoed payload, the
/// TLVs it understood): the fixed part must equal the input byte for byte,
/// and the rebuilt message must parse back to the same typed parts.
/// Returns how many messages were rebuilt.
pub(crate) fn acks(data: &[u8]) -> usize {
    let _ = ExtAck::parse(data);
    let mut rebuilt = 0;
    for msg in Messages::new(data).map_while(Result::ok) {
        let done = match Control::parse(msg) {
            Ok(Control::Error(err)) => error_round_trip(&msg, &err),
            Ok(Control::Done(done)) => done_round_trip(&msg, &done),
            Ok(_) => false,
            Err(_) => {
                assert!(
                    msg.payload().len() < 4,
                    "an error message with an errno failed"
                );
                false
            }
        };
        rebuilt += usize::from(done);
    }
    rebuilt
}

/// Checks and rebuilds one error message; returns whether it was rebuilt.
fn error_round_trip(msg: &Message<'_>, err: &ErrorMessage<'_>) -> bool {
    assert!(err.errno() >= 0, "errno is not normalised");
    let mut fixed = err.raw_error().to_ne_bytes().to_vec();
    if let Some(request) = err.request() {
        fixed.extend_from_slice(request.as_bytes());
        fixed.extend_from_slice(err.request_payload());
    }
    assert_eq!(
        &msg.payload()[..fixed.len()],
        &fixed[..],
        "errno, echoed header or echoed payload differ"
    );
    let (Some(request), Ok(ext)) = (err.request(), err.ext_ack()) else {
        return false;
    };
    let _ = ext.message();
    let _ = ext.policy().map(Iterator::count);

    let parts: [&[u8]; 4] = [
        &err.raw_error().to_ne_bytes(),
        request.as_bytes(),
        err.request_payload(),
        &tlvs(ext),
    ];
    rebuild(msg, MessageType::ERROR, &parts, |control| {
        let Control::Error(back) = control else {
            panic!("the rebuilt error does not parse as an error");
        };
        assert_eq!(back.raw_error(), err.raw_error(), "errno differs");
        assert_eq!(back.request(), err.request(), "echoed header differs");
        assert_eq!(
            back.request_payload(),
            err.request_payload(),
            "echo differs"
        );
        if msg.flags().contains(NlmFlags::ACK_TLVS) {
            assert_eq!(back.ext_ack(), Ok(ext), "extended ack differs");
        }
    });
    true
}

/// Checks and rebuilds one done message; returns whether it was rebuilt.
fn done_round_trip(msg: &Message<'_>, done: &DoneMessage<'_>) -> bool {
    assert!(done.errno() >= 0, "errno is not normalised");
    if msg.payload().is_empty() {
        return false;
    }
    assert_eq!(
        &msg.payload()[..4],
        &done.raw_error().to_ne_bytes(),
        "done status differs"
    );
    let Ok(ext) = done.ext_ack() else {
        return false;
    };

    let parts: [&[u8]; 2] = [&done.raw_error().to_ne_bytes(), &tlvs(ext)];
    rebuild(msg, MessageType::DONE, &parts, |control| {
        let Control::Done(back) = control else {
            panic!("the rebuilt done does not parse as done");
        };
        assert_eq!(back.raw_error(), done.raw_error(), "done status differs");
        if msg.flags().contains(NlmFlags::ACK_TLVS) {
            assert_eq!(back.ext_ack(), Ok(ext), "extended ack differs");
        }
    });
    true
}

/// Writes a message of type `ty` with `msg`'s flags, seq and pid from
/// `parts` (each padded, as the kernel lays them out), parses it back and
/// hands the parsed message to `check`.
fn rebuild(msg: &Message<'_>, ty: MessageType, parts: &[&[u8]], check: impl FnOnce(Control<'_>)) {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, ty, msg.flags());
    b.set_seq(msg.seq()).set_pid(msg.pid());
    for part in parts {
        b.append(part).expect("a decoded part fits");
    }
    b.finish().expect("message fits");
    let (again, _) = Message::parse(&out).expect("the rebuilt message frames");
    check(Control::parse(again).expect("the rebuilt message parses"));
}

/// Writes the TLVs an extended ack understood, in the kernel's order.
fn tlvs(ext: &ExtAck<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let fits = "a decoded TLV fits";
    if let Some(text) = ext.message_bytes() {
        attr::write_raw(&mut out, tlv::MSG, text).expect(fits);
    }
    if let Some(offset) = ext.offset() {
        attr::write(&mut out, tlv::OFFS, &offset).expect(fits);
    }
    if let Some(cookie) = ext.cookie() {
        attr::write_raw(&mut out, tlv::COOKIE, cookie).expect(fits);
    }
    if let Some(policy) = ext.policy_bytes() {
        attr::write_raw(&mut out, tlv::POLICY | NLA_F_NESTED, policy).expect(fits);
    }
    if let Some(kind) = ext.missing_type() {
        attr::write(&mut out, tlv::MISS_TYPE, &kind).expect(fits);
    }
    if let Some(nest) = ext.missing_nest() {
        attr::write(&mut out, tlv::MISS_NEST, &nest).expect(fits);
    }
    out
}
