//! Property tests: decoding arbitrary bytes never panics and always ends;
//! what the builder writes reads back to the same values; well-formed
//! input read and written again is byte-identical.

use std::net::{Ipv4Addr, Ipv6Addr};

use netlink_core::attr::{NLA_F_NESTED, NLA_TYPE_MASK, NestedWalk};
use netlink_core::{
    Attr, Attrs, Control, Decode, Encode, ExtAck, MacAddr, Message, MessageBuilder, MessageType,
    Messages, NlMsgHdr, NlmFlags,
};
use proptest::prelude::*;
use zerocopy::IntoBytes;

/// Walks `buf` as attributes, descending into every attribute, and returns
/// how many items (attributes and errors) the walk yielded.
fn walk_everything(buf: &[u8], max_depth: usize) -> usize {
    let walk = NestedWalk::new(buf, max_depth, |_: &[u16], _: &Attr<'_>| true);
    let mut items = 0;
    let mut ended_with_error = false;
    for item in walk {
        assert!(!ended_with_error, "nothing follows an error");
        ended_with_error = item.is_err();
        items += 1;
    }
    items
}

/// Checks the iterator contract on `buf` read as attributes: at most one
/// error, and it comes last; every attribute lies inside `buf`.
fn check_attrs(buf: &[u8]) -> usize {
    let items: Vec<_> = Attrs::new(buf).collect();
    assert!(items.len() <= buf.len() / 4 + 1);
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(a) => assert!(a.payload_offset() + a.payload().len() <= buf.len()),
            Err(e) => {
                assert_eq!(i, items.len() - 1, "an error ends the walk");
                assert!(e.offset() <= buf.len());
            }
        }
    }
    items.len()
}

fn check_control(msg: Message<'_>) {
    match Control::parse(msg) {
        Ok(Control::Error(e)) => {
            let _ = (e.errno(), e.request(), e.request_payload(), e.to_io_error());
            if let Ok(ext) = e.ext_ack() {
                let _ = (
                    ext.message(),
                    ext.policy().map(Iterator::count),
                    ext.to_string(),
                );
            }
        }
        Ok(Control::Done(d)) => {
            let _ = (d.errno(), d.ext_ack_or_default().to_string());
        }
        Ok(_) => {}
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// Returns a message of type `ty` and `flags` around `payload`.
fn message(ty: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
    let hdr = NlMsgHdr {
        len: u32::try_from(16 + payload.len()).unwrap(),
        ty,
        flags,
        seq: 1,
        pid: 0,
    };
    [hdr.as_bytes(), payload].concat()
}

/// An attribute tree as a generator sees it.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A leaf with its raw type (flag bits allowed except NESTED) and bytes.
    Leaf(u16, Vec<u8>),
    /// A nest with its type (no flag bits) and children.
    Nest(u16, Vec<Node>),
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (any::<u16>(), prop::collection::vec(any::<u8>(), 0..24))
        .prop_map(|(ty, bytes)| Node::Leaf(ty & !NLA_F_NESTED, bytes));
    leaf.prop_recursive(4, 48, 6, |inner| {
        (any::<u16>(), prop::collection::vec(inner, 0..6))
            .prop_map(|(ty, children)| Node::Nest(ty & NLA_TYPE_MASK, children))
    })
}

/// Serialises nodes by hand, independently of the crate's writer.
fn serialise(nodes: &[Node], out: &mut Vec<u8>) {
    for node in nodes {
        let start = out.len();
        out.extend([0; 4]);
        let raw_type = match node {
            Node::Leaf(ty, bytes) => {
                out.extend(bytes);
                *ty
            }
            Node::Nest(ty, children) => {
                serialise(children, out);
                ty | NLA_F_NESTED
            }
        };
        let len = u16::try_from(out.len() - start).unwrap();
        out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        out[start + 2..start + 4].copy_from_slice(&raw_type.to_ne_bytes());
        out.resize(out.len().next_multiple_of(4), 0);
    }
}

/// Reads a stream back into nodes, taking flagged attributes as nests.
fn read_nodes(attrs: Attrs<'_>) -> Vec<Node> {
    attrs
        .map(|a| {
            let a = a.expect("well-formed input");
            if a.is_nested() {
                Node::Nest(a.kind(), read_nodes(a.nested()))
            } else {
                Node::Leaf(a.raw_type(), a.payload().to_vec())
            }
        })
        .collect()
}

/// Writes nodes through the builder: leaves raw, nests with begin/end.
fn build_nodes(b: &mut MessageBuilder<'_>, nodes: &[Node]) {
    for node in nodes {
        match node {
            Node::Leaf(ty, bytes) => {
                b.raw_attr(*ty, bytes).unwrap();
            }
            Node::Nest(ty, children) => {
                let nest = b.begin_nest(*ty).unwrap();
                build_nodes(b, children);
                b.end_nest(nest).unwrap();
            }
        }
    }
}

/// A message as a generator sees it.
#[derive(Debug, Clone)]
struct Msg {
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
    family: Vec<u8>,
    attrs: Vec<Node>,
}

fn msg() -> impl Strategy<Value = Msg> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        prop::sample::select(vec![0usize, 4, 8, 16]),
        prop::collection::vec(node(), 0..6),
    )
        .prop_flat_map(|(ty, flags, seq, pid, family_len, attrs)| {
            prop::collection::vec(any::<u8>(), family_len).prop_map(move |family| Msg {
                ty,
                flags,
                seq,
                pid,
                family,
                attrs: attrs.clone(),
            })
        })
}

fn serialise_msg(m: &Msg, out: &mut Vec<u8>) {
    let mut payload = m.family.clone();
    serialise(&m.attrs, &mut payload);
    let hdr = NlMsgHdr {
        len: u32::try_from(16 + payload.len()).unwrap(),
        ty: m.ty,
        flags: m.flags,
        seq: m.seq,
        pid: m.pid,
    };
    out.extend(hdr.as_bytes());
    out.extend(payload);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_datagrams_decode_without_panic_and_end(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let items: Vec<_> = Messages::new(&bytes).collect();
        prop_assert!(items.len() <= bytes.len() / 16 + 1);
        for (i, item) in items.iter().enumerate() {
            match item {
                Ok(msg) => {
                    check_attrs(msg.payload());
                    walk_everything(msg.payload(), 64);
                    check_control(*msg);
                }
                Err(_) => prop_assert_eq!(i, items.len() - 1),
            }
        }
    }

    #[test]
    fn arbitrary_attribute_streams_decode_without_panic_and_end(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
        depth in 0usize..40,
    ) {
        check_attrs(&bytes);
        let items = walk_everything(&bytes, depth);
        // Every attribute takes at least four bytes of its parent.
        prop_assert!(items <= (bytes.len() / 4 + 1) * (depth + 2));
        let _ = ExtAck::parse(&bytes);
    }

    #[test]
    fn arbitrary_control_payloads_decode_without_panic(
        ty in 0u16..20,
        flags in any::<u16>(),
        payload in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let buf = message(ty, flags, &payload);
        let (msg, _) = Message::parse(&buf).unwrap();
        check_control(msg);
    }

    #[test]
    fn framed_garbage_decodes_without_panic_and_end(
        parts in prop::collection::vec(
            (0u16..24, any::<u16>(), -3i32..4, prop::collection::vec(any::<u8>(), 0..96)),
            0..6,
        ),
    ) {
        // Plausible headers (length off by a little, control types, any
        // flags) around random payloads reach the deeper decoders.
        let mut wire = Vec::new();
        for (ty, flags, skew, payload) in &parts {
            let mut m = message(*ty, *flags, payload);
            let len = u32::try_from(m.len()).unwrap().saturating_add_signed(*skew);
            m[..4].copy_from_slice(&len.to_ne_bytes());
            wire.extend(m);
        }
        let items: Vec<_> = Messages::new(&wire).collect();
        prop_assert!(items.len() <= parts.len() + 1);
        for msg in items.into_iter().flatten() {
            walk_everything(msg.payload(), 8);
            check_control(msg);
        }
    }

    #[test]
    fn error_acks_with_plausible_echoes_decode_without_panic(
        errno in any::<i32>(),
        flags in any::<u16>(),
        echoed_len in 0u32..128,
        rest in prop::collection::vec(any::<u8>(), 0..160),
    ) {
        let echo = NlMsgHdr { len: echoed_len, ty: 16, flags: 5, seq: 1, pid: 0 };
        let payload = [&errno.to_ne_bytes()[..], echo.as_bytes(), &rest].concat();
        let buf = message(MessageType::ERROR.0, flags, &payload);
        let (msg, _) = Message::parse(&buf).unwrap();
        match Control::parse(msg).unwrap() {
            Control::Error(e) => {
                prop_assert_eq!(e.raw_error(), errno);
                prop_assert_eq!(e.request().map(|r| r.len), Some(echoed_len));
                prop_assert!(e.errno() >= 0);
                check_control(msg);
            }
            other => prop_assert!(false, "not an error: {:?}", other),
        }
    }

    #[test]
    fn builder_output_reads_back_to_the_same_tree(m in msg()) {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, MessageType(m.ty), NlmFlags::from_bits_retain(m.flags));
        b.set_seq(m.seq).set_pid(m.pid);
        b.append(&m.family).unwrap();
        build_nodes(&mut b, &m.attrs);
        let len = b.finish().unwrap();
        prop_assert_eq!(len, buf.len());

        let msgs: Vec<_> = Messages::new(&buf).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(msgs.len(), 1);
        let got = msgs[0];
        prop_assert_eq!((got.message_type().0, got.flags().bits(), got.seq(), got.pid()), (m.ty, m.flags, m.seq, m.pid));
        let payload = got.payload();
        prop_assert_eq!(&payload[..m.family.len()], &m.family[..]);
        prop_assert_eq!(read_nodes(Attrs::new(&payload[m.family.len()..])), m.attrs);
    }

    #[test]
    fn well_formed_datagrams_reencode_byte_for_byte(msgs in prop::collection::vec(msg(), 1..4)) {
        let mut wire = Vec::new();
        for m in &msgs {
            serialise_msg(m, &mut wire);
        }
        let mut again = Vec::new();
        for (parsed, m) in Messages::new(&wire).zip(&msgs) {
            let parsed = parsed.unwrap();
            let (family, attrs) = parsed.payload().split_at(m.family.len());
            let mut b = MessageBuilder::new(&mut again, parsed.message_type(), parsed.flags());
            b.set_seq(parsed.seq()).set_pid(parsed.pid());
            b.append(family).unwrap();
            build_nodes(&mut b, &read_nodes(Attrs::new(attrs)));
            b.finish().unwrap();
        }
        prop_assert_eq!(again, wire);
    }

    #[test]
    fn scalar_values_round_trip(
        a in any::<u8>(), b in any::<u16>(), c in any::<u32>(), d in any::<u64>(),
        e in any::<i32>(), f in any::<i64>(),
    ) {
        fn round<T: Encode + for<'x> Decode<'x> + PartialEq + std::fmt::Debug>(v: T) {
            let mut out = Vec::new();
            netlink_core::attr::write(&mut out, 1, &v).unwrap();
            let attr = Attrs::new(&out).next().unwrap().unwrap();
            assert_eq!(attr.payload().len(), v.encoded_len());
            assert_eq!(T::decode(attr.payload()).unwrap(), v);
        }
        round(a); round(b); round(c); round(d); round(e); round(f);
    }

    #[test]
    fn address_and_string_values_round_trip(
        v4 in any::<[u8; 4]>(), v6 in any::<[u8; 16]>(), mac in any::<[u8; 6]>(),
        text in "[^\u{0}]{0,40}",
    ) {
        let mut out = Vec::new();
        netlink_core::attr::write(&mut out, 1, &Ipv4Addr::from(v4)).unwrap();
        netlink_core::attr::write(&mut out, 2, &Ipv6Addr::from(v6)).unwrap();
        netlink_core::attr::write(&mut out, 3, &MacAddr(mac)).unwrap();
        netlink_core::attr::write(&mut out, 4, text.as_str()).unwrap();
        let attrs: Vec<_> = Attrs::new(&out).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(Ipv4Addr::decode(attrs[0].payload()).unwrap(), Ipv4Addr::from(v4));
        prop_assert_eq!(Ipv6Addr::decode(attrs[1].payload()).unwrap(), Ipv6Addr::from(v6));
        prop_assert_eq!(MacAddr::decode(attrs[2].payload()).unwrap(), MacAddr(mac));
        prop_assert_eq!(<&str>::decode(attrs[3].payload()).unwrap(), text.as_str());
    }
}
