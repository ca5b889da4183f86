//! One named test per item of the fault catalogue (`RELIABILITY.md`) that
//! the wire layer answers for and that no unit test next to the code
//! covers yet; `README.md` in this folder maps every item to its test.

use netlink_core::ack::{normalize_errno, tlv};
use netlink_core::attr::{self, MAX_NEST_DEPTH, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NestedWalk};
use netlink_core::{
    Attr, Attrs, Control, Decode, DecodeErrorKind, DoneMessage, EncodeError, ErrorMessage, ExtAck,
    Message, MessageBuilder, MessageType, Messages, NlMsgHdr, NlmFlags,
};
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

const LINK_DUMP: &[u8] = include_bytes!("fixtures/link_dump.bin");

/// Returns a message with a correct `nlmsg_len`.
fn msg(ty: MessageType, flags: NlmFlags, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(16 + payload.len()).unwrap();
    raw_msg(len, ty.0, flags.bits(), seq, payload)
}

/// Returns a message whose header says whatever it is told.
fn raw_msg(len: u32, ty: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let hdr = NlMsgHdr {
        len,
        ty,
        flags,
        seq,
        pid: 0,
    };
    [hdr.as_bytes(), payload].concat()
}

fn nla(len: u16, ty: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = [len.to_ne_bytes(), ty.to_ne_bytes()].concat();
    out.extend_from_slice(payload);
    out.resize(out.len().next_multiple_of(4), 0);
    out
}

fn tlv_u32(kind: u16, value: u32) -> Vec<u8> {
    nla(8, kind, &value.to_ne_bytes())
}

fn tlv_str(kind: u16, text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    attr::write(&mut out, kind, text).unwrap();
    out
}

fn parsed(buf: &[u8]) -> Message<'_> {
    Message::parse(buf).unwrap().0
}

/// The echoed header of a request of `len` bytes, type 16, seq 7.
fn echo(len: u32) -> Vec<u8> {
    raw_msg(len, 16, 0x5, 7, &[])
}

fn error_payload(errno: i32, rest: &[&[u8]]) -> Vec<u8> {
    let mut out = errno.to_ne_bytes().to_vec();
    for part in rest {
        out.extend_from_slice(part);
    }
    out
}

fn control(buf: &[u8]) -> Control<'_> {
    Control::parse(parsed(buf)).unwrap()
}

fn error(buf: &[u8]) -> ErrorMessage<'_> {
    ErrorMessage::parse(&parsed(buf)).unwrap()
}

// Framing.

#[test]
fn messages_after_done_and_with_a_foreign_seq_are_still_yielded() {
    let mut buf = msg(MessageType(16), NlmFlags::MULTI, 5, &[]);
    buf.extend(msg(
        MessageType::DONE,
        NlmFlags::MULTI,
        5,
        &0i32.to_ne_bytes(),
    ));
    buf.extend(msg(MessageType(16), NlmFlags::empty(), 99, &[1, 2, 3, 4]));
    let seen: Vec<_> = Messages::new(&buf)
        .map(|m| m.map(|m| (m.message_type(), m.seq())))
        .collect::<Result<_, _>>()
        .unwrap();
    // Deciding what belongs to a request is the socket's job: the wire
    // layer drops nothing.
    assert_eq!(
        seen,
        [
            (MessageType(16), 5),
            (MessageType::DONE, 5),
            (MessageType(16), 99)
        ]
    );
}

#[test]
fn truncated_datagram_keeps_the_complete_messages_before_the_cut() {
    // What MSG_TRUNC leaves: the captured dump cut in its third message.
    let cut = &LINK_DUMP[..1468 + 1496 + 100];
    let got: Vec<_> = Messages::new(cut).collect();
    assert_eq!(got.len(), 3);
    assert!(got[0].is_ok() && got[1].is_ok());
    let err = got[2].as_ref().unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::MessagePastEnd {
            len: 1496,
            remaining: 100
        }
    );
    assert_eq!(err.offset(), 1468 + 1496);
}

#[test]
fn message_over_32k_builds_and_parses() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::MULTI);
    for kind in 1..=3 {
        b.attr(kind, &vec![kind as u8; 20_000][..]).unwrap();
    }
    assert_eq!(b.finish().unwrap(), 16 + 3 * 20_004);
    let msgs: Vec<_> = Messages::new(&buf).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 1);
    let sizes: Vec<_> = Attrs::new(msgs[0].payload())
        .map(|a| a.unwrap().payload().len())
        .collect();
    assert_eq!(sizes, [20_000; 3]);
}

#[derive(Debug, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct IfInfoMsg {
    family: u8,
    pad: u8,
    ty: u16,
    index: i32,
    flags: u32,
    change: u32,
}

#[test]
fn family_header_shorter_than_its_struct_is_truncated() {
    let buf = msg(MessageType(16), NlmFlags::empty(), 1, &[0; 12]);
    let err = parsed(&buf).family_header::<IfInfoMsg>().unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::Truncated {
            what: "family header",
            needed: 16,
            found: 12
        }
    );
    assert_eq!(err.offset(), 16);
}

#[test]
fn family_header_of_unaligned_size_leaves_the_padding_out_of_the_attributes() {
    // A 3-byte header is followed by one byte of padding (NLMSG_ALIGN).
    let mut payload = vec![7, 8, 9, 0];
    payload.extend(tlv_u32(1, 5));
    let buf = msg(MessageType(16), NlmFlags::empty(), 1, &payload);
    let (header, mut attrs) = parsed(&buf).family_header::<[u8; 3]>().unwrap();
    assert_eq!(header, [7, 8, 9]);
    let a = attrs.next().unwrap().unwrap();
    assert_eq!((a.kind(), a.offset()), (1, 20));
    assert!(attrs.next().is_none());
}

// Control messages.

#[test]
fn error_shorter_than_4_bytes_is_never_success() {
    for len in 0..4 {
        let buf = msg(MessageType::ERROR, NlmFlags::empty(), 1, &[0; 3][..len]);
        let err = Control::parse(parsed(&buf)).unwrap_err();
        assert_eq!(
            err.kind(),
            &DecodeErrorKind::Truncated {
                what: "error code",
                needed: 4,
                found: len
            }
        );
        assert_eq!(err.offset(), 16);
    }
}

#[test]
fn error_with_errno_but_short_echoed_header_keeps_the_errno() {
    let payload = error_payload(-1, &[&[0; 10]]);
    let buf = msg(MessageType::ERROR, NlmFlags::empty(), 1, &payload);
    let err = error(&buf);
    assert_eq!(err.errno(), 1);
    assert!(!err.is_ack());
    assert_eq!(err.request(), None);
    let fault = err.ext_ack().unwrap_err();
    assert_eq!(
        fault.kind(),
        &DecodeErrorKind::Truncated {
            what: "echoed request header",
            needed: 16,
            found: 10
        }
    );
    assert_eq!(fault.offset(), 20);
}

#[test]
fn success_ack_with_warning_tlv_stays_a_success() {
    // Hand-made twin of the captured `ack_warning.bin`, with an offset too.
    let tlvs = [tlv_str(tlv::MSG, "careful"), tlv_u32(tlv::OFFS, 20)].concat();
    let payload = error_payload(0, &[&echo(40), &tlvs]);
    let flags = NlmFlags::CAPPED | NlmFlags::ACK_TLVS;
    let buf = msg(MessageType::ERROR, flags, 1, &payload);
    let ack = error(&buf);
    assert!(ack.is_ack() && ack.to_io_error().is_none());
    let ext = ack.ext_ack().unwrap();
    assert_eq!(ext.message().as_deref(), Some("careful"));
    assert_eq!(ext.offset(), Some(20));
}

#[test]
fn success_ack_without_capped_flag_reads_tlvs_after_the_header() {
    // Kernels before 4.15 did not flag success acks as capped; they never
    // echoed the payload either.
    let payload = error_payload(0, &[&echo(40), &tlv_str(tlv::MSG, "old")]);
    let buf = msg(MessageType::ERROR, NlmFlags::ACK_TLVS, 1, &payload);
    let ack = error(&buf);
    assert!(ack.request_payload().is_empty());
    assert_eq!(ack.ext_ack().unwrap().message().as_deref(), Some("old"));
}

#[test]
fn capped_error_ack_reads_tlvs_after_the_echoed_header_despite_its_length() {
    let payload = error_payload(-22, &[&echo(76), &tlv_u32(tlv::OFFS, 36)]);
    let flags = NlmFlags::CAPPED | NlmFlags::ACK_TLVS;
    let buf = msg(MessageType::ERROR, flags, 1, &payload);
    let err = error(&buf);
    assert!(err.is_capped());
    assert_eq!(err.request().unwrap().len, 76);
    assert!(err.request_payload().is_empty());
    assert_eq!(err.ext_ack().unwrap().offset(), Some(36));
}

#[test]
fn uncapped_ack_with_unaligned_echoed_length_finds_tlvs_after_the_padding() {
    // Echoed length 21: 5 payload bytes, 3 padding bytes, then the TLVs.
    let payload = error_payload(
        -22,
        &[&echo(21), &[1, 2, 3, 4, 5, 0, 0, 0], &tlv_u32(2, 16)],
    );
    let buf = msg(MessageType::ERROR, NlmFlags::ACK_TLVS, 1, &payload);
    let err = error(&buf);
    assert_eq!(err.request_payload(), [1, 2, 3, 4, 5]);
    assert_eq!(err.ext_ack().unwrap().offset(), Some(16));
}

#[test]
fn uncapped_echo_longer_than_the_message_is_reported_not_cut() {
    let payload = error_payload(-22, &[&echo(60), &[0; 8]]);
    let buf = msg(MessageType::ERROR, NlmFlags::empty(), 1, &payload);
    let err = error(&buf);
    assert_eq!(err.errno(), 22);
    let fault = err.ext_ack().unwrap_err();
    assert_eq!(
        fault.kind(),
        &DecodeErrorKind::Truncated {
            what: "echoed request",
            needed: 60,
            found: 24
        }
    );
}

#[test]
fn malformed_tlvs_keep_the_errno() {
    let bad = nla(40, tlv::MSG, b"abc");
    let payload = error_payload(-13, &[&echo(16), &bad]);
    let buf = msg(MessageType::ERROR, NlmFlags::ACK_TLVS, 1, &payload);
    let err = error(&buf);
    assert_eq!(err.errno(), 13);
    let fault = err.ext_ack().unwrap_err();
    assert_eq!(
        fault.kind(),
        &DecodeErrorKind::AttrPastEnd {
            len: 40,
            remaining: 8
        }
    );
    assert_eq!(fault.offset(), 36, "counted from the start of the message");
    assert!(err.ext_ack_or_default().is_empty());
}

#[test]
fn wrong_sized_offset_tlv_is_an_error_naming_it() {
    let tlvs = nla(6, tlv::OFFS, &[1, 0]);
    let err = ExtAck::parse(&tlvs).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::WrongLength {
            what: "u32",
            expected: 4,
            found: 2
        }
    );
    assert_eq!(err.path().collect::<Vec<_>>(), ["offs"]);
    assert_eq!(err.offset(), 4);
}

#[test]
fn tlv_types_with_flag_bits_are_recognised() {
    let policy = nla(12, tlv::POLICY | NLA_F_NESTED, &tlv_u32(1, 11));
    let cookie = nla(6, tlv::COOKIE | NLA_F_NET_BYTEORDER, &[0xab, 0xcd]);
    let tlvs = [policy, cookie].concat();
    let ext = ExtAck::parse(&tlvs).unwrap();
    let entries: Vec<_> = ext.policy().unwrap().map(|a| a.unwrap().kind()).collect();
    assert_eq!(entries, [1]);
    assert_eq!(ext.cookie(), Some(&[0xab, 0xcd][..]));
}

#[test]
fn errno_positive_huge_and_i32_min_normalise_without_overflow() {
    assert_eq!(normalize_errno(-2), 2);
    assert_eq!(normalize_errno(2), 2, "a positive errno from a peer");
    assert_eq!(normalize_errno(i32::MAX), i32::MAX);
    assert_eq!(normalize_errno(-i32::MAX), i32::MAX);
    assert_eq!(normalize_errno(i32::MIN), i32::MAX);
    for raw in [5, 100_000, i32::MIN] {
        let payload = error_payload(raw, &[&echo(16)]);
        let buf = msg(MessageType::ERROR, NlmFlags::empty(), 1, &payload);
        let err = error(&buf);
        assert!(!err.is_ack());
        assert_eq!(err.raw_error(), raw);
        assert!(err.errno() > 0);
        let _ = err.to_io_error().unwrap().to_string();
    }
}

#[test]
fn done_empty_is_success() {
    let buf = msg(MessageType::DONE, NlmFlags::MULTI, 1, &[]);
    match control(&buf) {
        Control::Done(done) => {
            assert!(done.is_success());
            assert_eq!(done.errno(), 0);
            assert!(done.ext_ack().unwrap().is_empty());
        }
        other => panic!("expected DONE, got {other:?}"),
    }
}

#[test]
fn done_with_one_to_three_bytes_is_truncated() {
    let buf = msg(MessageType::DONE, NlmFlags::MULTI, 1, &[0, 0]);
    let err = Control::parse(parsed(&buf)).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::Truncated {
            what: "done status",
            needed: 4,
            found: 2
        }
    );
}

#[test]
fn done_with_errno_and_tlvs_reports_both() {
    let tlvs = [
        tlv_str(tlv::MSG, "bad filter"),
        tlv_u32(tlv::MISS_TYPE, 3),
        tlv_u32(tlv::MISS_NEST, 32),
    ]
    .concat();
    let payload = error_payload(-22, &[&tlvs]);
    let flags = NlmFlags::MULTI | NlmFlags::ACK_TLVS;
    let buf = msg(MessageType::DONE, flags, 1, &payload);
    let done = DoneMessage::parse(&parsed(&buf)).unwrap();
    assert_eq!((done.is_success(), done.errno()), (false, 22));
    let ext = done.ext_ack().unwrap();
    assert_eq!(ext.message().as_deref(), Some("bad filter"));
    assert_eq!(
        (ext.missing_type(), ext.missing_nest()),
        (Some(3), Some(32))
    );
    assert_eq!(
        ext.to_string(),
        "bad filter (missing attribute type 3)",
        "the display names what is missing"
    );
}

#[test]
fn overrun_noop_and_unknown_control_types_are_classified() {
    let noop = msg(MessageType::NOOP, NlmFlags::empty(), 1, &[]);
    let overrun = msg(MessageType::OVERRUN, NlmFlags::empty(), 1, &[]);
    let unknown = msg(MessageType(9), NlmFlags::empty(), 1, &[1, 2]);
    let zero = msg(MessageType(0), NlmFlags::empty(), 1, &[]);
    let data = msg(MessageType::MIN_TYPE, NlmFlags::empty(), 1, &[]);
    assert_eq!(control(&noop), Control::Noop);
    assert_eq!(control(&overrun), Control::Overrun);
    assert!(matches!(control(&unknown), Control::Unknown(m) if m.payload() == [1, 2]));
    assert!(matches!(control(&zero), Control::Unknown(_)));
    assert!(matches!(control(&data), Control::Data(_)));
}

#[test]
fn multi_part_reply_ended_by_an_ack_classifies_as_data_then_ack() {
    let mut buf = msg(MessageType(16), NlmFlags::MULTI, 4, &[]);
    buf.extend(msg(
        MessageType::ERROR,
        NlmFlags::CAPPED,
        4,
        &error_payload(0, &[&echo(20)]),
    ));
    let kinds: Vec<_> = Messages::new(&buf)
        .map(|m| match Control::parse(m.unwrap()).unwrap() {
            Control::Data(_) => "data",
            Control::Error(e) if e.is_ack() => "ack",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["data", "ack"]);
}

#[test]
fn dump_intr_is_visible_on_any_message_done_included() {
    let intr = NlmFlags::MULTI | NlmFlags::DUMP_INTR;
    let mut buf = msg(MessageType(16), intr, 1, &[]);
    buf.extend(msg(MessageType::DONE, intr, 1, &0i32.to_ne_bytes()));
    buf.extend(msg(
        MessageType::ERROR,
        NlmFlags::DUMP_INTR,
        1,
        &error_payload(0, &[&echo(16)]),
    ));
    let flagged: Vec<_> = Messages::new(&buf)
        .map(|m| match Control::parse(m.unwrap()).unwrap() {
            Control::Data(m) => m.flags().contains(NlmFlags::DUMP_INTR),
            Control::Done(d) => d.header().flags().contains(NlmFlags::DUMP_INTR),
            Control::Error(e) => e.header().flags().contains(NlmFlags::DUMP_INTR),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(flagged, [true, true, true]);
}

// Attributes.

#[test]
fn nested_attribute_past_its_parent_is_refused_at_its_outer_offset() {
    let inner = nla(12, 1, &[0; 4]);
    let outer = nla(12, 2 | NLA_F_NESTED, &inner[..8]);
    let buf = [tlv_u32(1, 1), outer].concat();
    let nest = Attrs::new(&buf).nth(1).unwrap().unwrap();
    let err = nest.nested().next().unwrap().unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::AttrPastEnd {
            len: 12,
            remaining: 8
        }
    );
    assert_eq!(err.offset(), 12);
}

#[test]
fn empty_scalar_attribute_error_stays_local_to_it() {
    let buf = [nla(4, 1, &[]), tlv_u32(2, 1500)].concat();
    let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
    let err = u32::decode(attrs[0].payload()).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::WrongLength {
            what: "u32",
            expected: 4,
            found: 0
        }
    );
    assert_eq!(u32::decode(attrs[1].payload()).unwrap(), 1500);
}

#[test]
fn nested_flag_missing_or_unexpected_changes_nothing() {
    let child = tlv_u32(1, 7);
    let unflagged = nla(12, 5, &child);
    let flagged_scalar = nla(8, 6 | NLA_F_NESTED, &9u32.to_ne_bytes());
    let buf = [unflagged, flagged_scalar].concat();
    let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
    assert!(!attrs[0].is_nested());
    let inner = attrs[0].nested().next().unwrap().unwrap();
    assert_eq!(u32::decode(inner.payload()).unwrap(), 7);
    assert!(attrs[1].is_nested());
    assert_eq!(attrs[1].kind(), 6);
    assert_eq!(u32::decode(attrs[1].payload()).unwrap(), 9);
}

#[test]
fn encoded_nests_always_carry_the_nested_flag() {
    let mut out = Vec::new();
    attr::write_nest(&mut out, 5 | NLA_F_NET_BYTEORDER, |_| Ok(())).unwrap();
    let nest = Attrs::new(&out).next().unwrap().unwrap();
    assert_eq!(nest.raw_type(), 5 | NLA_F_NESTED);
}

#[test]
fn net_byteorder_flag_is_masked_and_reported() {
    let buf = nla(6, 3 | NLA_F_NET_BYTEORDER, &[0x12, 0x34]);
    let a = Attrs::new(&buf).next().unwrap().unwrap();
    assert_eq!(a.kind(), 3);
    assert!(a.is_net_byteorder() && !a.is_nested());
    assert_eq!(U16::<BigEndian>::decode(a.payload()).unwrap().get(), 0x1234);
}

#[test]
fn duplicate_scalars_are_all_yielded_and_ext_ack_keeps_the_last() {
    // The wire layer hands over every occurrence in order; like the
    // kernel's nla_parse, a table of scalars keeps the last one.
    let buf = [tlv_u32(tlv::OFFS, 20), tlv_u32(tlv::OFFS, 24)].concat();
    let all: Vec<_> = Attrs::new(&buf)
        .map(|a| u32::decode(a.unwrap().payload()).unwrap())
        .collect();
    assert_eq!(all, [20, 24]);
    assert_eq!(ExtAck::parse(&buf).unwrap().offset(), Some(24));
}

#[test]
fn repeated_attributes_that_are_lists_are_all_yielded_in_order() {
    let mut buf = Vec::new();
    for port in [10u16, 20, 30] {
        attr::write(&mut buf, 4, &port).unwrap();
    }
    let ports: Vec<_> = Attrs::new(&buf)
        .map(|a| u16::decode(a.unwrap().payload()).unwrap())
        .collect();
    assert_eq!(ports, [10, 20, 30]);
}

#[test]
fn required_attribute_missing_error_names_it() {
    let err = netlink_core::DecodeError::new(
        DecodeErrorKind::MissingAttribute {
            name: "ifname",
            kind: 3,
        },
        16,
    )
    .within("link", 0);
    assert_eq!(
        err.to_string(),
        "link: required attribute ifname (type 3) is missing at offset 16"
    );
}

/// Returns `depth` nests inside one another around one `u32`.
fn deep_nests(depth: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(depth * 4 + 8);
    for level in 0..depth {
        let len = u16::try_from((depth - level) * 4 + 8).unwrap();
        buf.extend(len.to_ne_bytes());
        buf.extend(1u16.to_ne_bytes());
    }
    buf.extend(tlv_u32(2, 42));
    buf
}

#[test]
fn deep_nesting_stops_at_the_depth_limit_on_a_small_stack() {
    let buf = deep_nests(16_000);
    let outcome = std::thread::Builder::new()
        .stack_size(32 * 1024)
        .spawn(move || {
            let descend = |_: &[u16], a: &Attr<'_>| a.kind() == 1;
            let limited: Vec<_> = NestedWalk::new(&buf, MAX_NEST_DEPTH, descend)
                .map(|r| r.map(|(depth, a)| (depth, a.kind())))
                .collect();
            let unlimited = NestedWalk::new(&buf, usize::MAX, descend)
                .map(|r| r.map(|(depth, a)| (depth, a.kind())))
                .last();
            (limited, unlimited)
        })
        .unwrap()
        .join()
        .unwrap();
    let (limited, unlimited) = outcome;
    // Levels 0 to 31 are yielded; the nest at level 32 would take the walk
    // below the limit and is reported instead.
    assert_eq!(limited.len(), MAX_NEST_DEPTH + 1);
    assert_eq!(limited[31].as_ref().unwrap(), &(31, 1));
    let err = limited.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::TooDeep { limit: 32 });
    assert_eq!(err.offset(), 4 * MAX_NEST_DEPTH);
    assert_eq!(unlimited.unwrap().unwrap(), (16_000, 2));
}

#[test]
fn nest_whose_payload_is_an_array_yields_indexed_elements() {
    let mut buf = Vec::new();
    attr::write_nest(&mut buf, 6, |o| {
        for index in 1..=3u16 {
            attr::write_nest(o, index, |o| attr::write(o, 1, &u32::from(index * 10)))?;
        }
        Ok(())
    })
    .unwrap();
    let array = Attrs::new(&buf).next().unwrap().unwrap();
    let elements: Vec<_> = array
        .nested()
        .map(|e| {
            let e = e.unwrap();
            let id = e.nested().next().unwrap().unwrap();
            (e.kind(), u32::decode(id.payload()).unwrap())
        })
        .collect();
    assert_eq!(elements, [(1, 10), (2, 20), (3, 30)]);
}

// Strings.

#[test]
fn invalid_utf8_name_loses_nothing_else() {
    let buf = [nla(9, 3, b"br\xff\xfe\0"), tlv_u32(4, 1500)].concat();
    let attrs: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
    assert_eq!(attrs.len(), 2);
    assert!(<&str>::decode(attrs[0].payload()).is_err());
    let bytes = <&core::ffi::CStr>::decode(attrs[0].payload()).unwrap();
    assert_eq!(bytes.to_bytes(), b"br\xff\xfe");
    assert_eq!(u32::decode(attrs[1].payload()).unwrap(), 1500);
}

#[test]
fn invalid_utf8_name_in_a_dump_fails_only_its_own_message() {
    // Three RTM_NEWLINK-shaped messages with IFLA_IFNAME (3) and
    // IFLA_MTU (4); the middle name is not UTF-8.
    let names: [&[u8]; 3] = [b"lo\0", b"br\xff\xfe\0", b"eth0\0"];
    let mut datagram = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let len = u16::try_from(4 + name.len()).unwrap();
        let mtu = 1500 + u32::try_from(i).unwrap();
        let attrs = [nla(len, 3, name), tlv_u32(4, mtu)].concat();
        let payload = [&[0u8; 16][..], &attrs].concat();
        datagram.extend(msg(MessageType(16), NlmFlags::MULTI, 5, &payload));
    }
    datagram.extend(msg(
        MessageType::DONE,
        NlmFlags::MULTI,
        5,
        &0i32.to_ne_bytes(),
    ));

    let mut names_read = Vec::new();
    let mut mtus = Vec::new();
    let mut types = Vec::new();
    for m in Messages::new(&datagram) {
        let m = m.unwrap();
        types.push(m.message_type());
        if m.message_type() == MessageType::DONE {
            continue;
        }
        for a in Attrs::new(m.payload().get(16..).unwrap()) {
            let a = a.unwrap();
            match a.kind() {
                3 => names_read.push(<&str>::decode(a.payload()).map_err(|e| e.kind().clone())),
                4 => mtus.push(u32::decode(a.payload()).unwrap()),
                _ => {}
            }
        }
    }
    assert_eq!(types.len(), 4, "every message and DONE are yielded");
    assert_eq!(mtus, [1500, 1501, 1502], "every other attribute decodes");
    assert_eq!(names_read[0], Ok("lo"));
    assert!(
        matches!(names_read[1], Err(DecodeErrorKind::InvalidUtf8 { .. })),
        "{:?}",
        names_read[1]
    );
    assert_eq!(names_read[2], Ok("eth0"));
}

#[test]
fn over_long_string_is_refused_at_encode() {
    let long = "x".repeat(65_531);
    let mut buf = vec![0xEE];
    let err = attr::write(&mut buf, 3, long.as_str()).unwrap_err();
    assert_eq!(
        err,
        EncodeError::AttributeTooLong {
            kind: 3,
            len: 65_532
        },
        "65,531 characters and the NUL"
    );
    assert_eq!(buf, [0xEE], "nothing was written");
    attr::write(&mut buf, 3, &long[1..]).unwrap();
}

// Encode limits and isolation.

#[test]
fn malformed_message_content_does_not_poison_the_messages_after_it() {
    let bad_tlvs = nla(200, tlv::MSG, b"x");
    let mut buf = msg(
        MessageType::ERROR,
        NlmFlags::ACK_TLVS,
        1,
        &error_payload(-1, &[&echo(16), &bad_tlvs]),
    );
    buf.extend(msg(MessageType::ERROR, NlmFlags::empty(), 2, &[0xff]));
    buf.resize(buf.len().next_multiple_of(4), 0);
    buf.extend(msg(MessageType(16), NlmFlags::empty(), 3, &[]));
    let outcomes: Vec<_> = Messages::new(&buf)
        .map(|m| {
            let m = m.unwrap();
            (m.seq(), Control::parse(m).is_ok())
        })
        .collect();
    assert_eq!(outcomes, [(1, true), (2, false), (3, true)]);
}

#[test]
fn raw_attribute_keeps_its_flag_bits_and_refuses_oversize() {
    let mut out = Vec::new();
    attr::write_raw(&mut out, 0x803e, &[1, 2]).unwrap();
    assert_eq!(out, [6, 0, 0x3e, 0x80, 1, 2, 0, 0]);
    let big = vec![0; 65_532];
    assert_eq!(
        attr::write_raw(&mut out, 0x8001, &big),
        Err(EncodeError::AttributeTooLong {
            kind: 1,
            len: 65_532
        })
    );
    assert_eq!(out.len(), 8);
}

#[test]
fn message_over_the_builder_maximum_is_refused_and_left_out() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::REQUEST).max_payload(100);
    let err = b.attr(1, &[0u8; 200][..]).unwrap_err();
    assert_eq!(err, EncodeError::MessageTooLong { len: 204, max: 100 });
    assert_eq!(b.finish().unwrap(), 16, "the message holds only its header");
    assert_eq!(buf.len(), 16);
}
