//! One behaviour test (or a few) per option of the derive.

mod common;

use std::net::Ipv4Addr;

use netlink_core::derive_support::{
    AttrEnum, AttrIter, MAX_DEPTH, MessageEnum, RawAttr, RawMessage, decode_attrs, encode_attrs,
};
use netlink_core::{Attrs, Decode, DecodeErrorKind, Encode, EncodeError, Repeated};
use netlink_derive::NetlinkMessage;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Returns one attribute: header, payload, padding.
fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    netlink_core::derive_support::write_raw(&mut out, kind, payload).unwrap();
    out
}

fn encode<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out).unwrap();
    assert_eq!(out.len(), value.encoded_len(), "encoded_len matches encode");
    out
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Basic<'a> {
    #[netlink(attr = 1)]
    name: &'a str,
    #[netlink(attr = 2)]
    mtu: Option<u32>,
    #[netlink(attr = 3)]
    addrs: Vec<Ipv4Addr>,
    #[netlink(attr = 4)]
    up: bool,
    #[netlink(attr = 5)]
    blob: Option<Vec<u8>>,
}

fn basic() -> Basic<'static> {
    Basic {
        name: "eth0",
        mtu: Some(1500),
        addrs: vec![Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2)],
        up: true,
        blob: Some(vec![1, 2, 3]),
    }
}

#[test]
fn fields_round_trip_in_declaration_order() {
    let bytes = encode(&basic());
    let kinds: Vec<u16> = Attrs::new(&bytes).map(|a| a.unwrap().kind()).collect();
    assert_eq!(kinds, [1, 2, 3, 3, 4, 5]);
    assert_eq!(Basic::decode(&bytes).unwrap(), basic());
}

#[test]
fn missing_required_attribute_is_named() {
    let err = Basic::decode(&attr(2, &7u32.to_ne_bytes())).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::MissingAttribute {
            name: "name",
            kind: 1
        }
    );
}

#[test]
fn absent_optional_repeated_and_flag_fields_are_empty() {
    let bytes = attr(1, b"lo\0");
    let b = Basic::decode(&bytes).unwrap();
    assert_eq!((b.mtu, b.addrs.len(), b.up, b.blob), (None, 0, false, None));
}

#[test]
fn false_flags_and_absent_options_are_not_written() {
    let mut b = basic();
    b.up = false;
    b.mtu = None;
    let kinds: Vec<u16> = Attrs::new(&encode(&b)).map(|a| a.unwrap().kind()).collect();
    assert_eq!(kinds, [1, 3, 3, 5]);
}

#[test]
fn duplicated_scalar_keeps_the_last_value_like_nla_parse() {
    let mut bytes = attr(1, b"a\0");
    bytes.extend(attr(5, &[1]));
    bytes.extend(attr(2, &1u32.to_ne_bytes()));
    bytes.extend(attr(2, &2u32.to_ne_bytes()));
    bytes.extend(attr(1, b"b\0"));
    let b = Basic::decode(&bytes).unwrap();
    assert_eq!((b.name, b.mtu), ("b", Some(2)));
}

#[test]
fn duplicated_scalar_must_still_decode_every_time() {
    let mut bytes = attr(1, b"a\0");
    bytes.extend(attr(2, &[1, 2]));
    bytes.extend(attr(2, &2u32.to_ne_bytes()));
    let err = Basic::decode(&bytes).unwrap_err();
    assert_eq!(err.path().collect::<Vec<_>>(), ["mtu"]);
}

#[test]
fn a_bad_attribute_is_reported_with_its_name_and_offset() {
    let mut bytes = attr(1, b"a\0");
    bytes.extend(attr(2, &[1, 2]));
    let err = Basic::decode(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mtu: u32 must be 4 bytes, found 2 at offset 12"
    );
}

#[test]
fn nests_are_read_without_the_nested_flag_and_written_with_it() {
    let link = common::Link {
        info: common::IfInfoMsg::default(),
        name: "br0",
        mtu: None,
        address: None,
        linkinfo: Some(common::LinkInfo {
            kind: "bridge",
            rest: Vec::new(),
        }),
    };
    let bytes = encode(&link);
    let nest = Attrs::new(&bytes[16..])
        .map(Result::unwrap)
        .find(|a| a.kind() == 18)
        .unwrap();
    assert!(nest.is_nested());
    // Clear the flag as rtnetlink does: it still decodes.
    let mut unflagged = bytes.clone();
    let at = nest.offset() + 16 + 3;
    unflagged[at] &= 0x7f;
    assert_eq!(common::Link::decode(&unflagged).unwrap(), link);
}

#[test]
fn nested_errors_read_as_a_path_with_outer_offsets() {
    let inner = attr(1, b"\xff\0");
    let mut bytes = vec![0u8; 16];
    bytes.extend(attr(3, b"x\0"));
    bytes.extend(attr(18, &inner));
    let err = common::Link::decode(&bytes).unwrap_err();
    assert_eq!(err.path().collect::<Vec<_>>(), ["linkinfo", "kind"]);
    // 16 header + 8 name + 4 nest header + 4 inner header.
    assert_eq!(err.offset(), 32);
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Ordered {
    #[netlink(attr = 1, be)]
    port: u16,
    #[netlink(attr = 2, be)]
    addr: Option<u32>,
    #[netlink(attr = 3, be)]
    list: Vec<u64>,
}

#[test]
fn be_writes_network_byte_order() {
    let v = Ordered {
        port: 0x1234,
        addr: Some(0x0a00_0001),
        list: vec![1],
    };
    let bytes = encode(&v);
    assert_eq!(&bytes[4..6], [0x12, 0x34]);
    assert_eq!(&bytes[12..16], [10, 0, 0, 1]);
    assert_eq!(Ordered::decode(&bytes).unwrap(), v);
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Strings<'a> {
    #[netlink(attr = 1, nul = false)]
    raw: &'a str,
    #[netlink(attr = 2)]
    terminated: String,
    #[netlink(attr = 3, nul = false)]
    owned: Option<String>,
}

#[test]
fn strings_with_and_without_nul() {
    let v = Strings {
        raw: "ab",
        terminated: "cd".into(),
        owned: Some("e".into()),
    };
    let bytes = encode(&v);
    assert_eq!(
        bytes,
        [attr(1, b"ab"), attr(2, b"cd\0"), attr(3, b"e")].concat()
    );
    assert_eq!(Strings::decode(&bytes).unwrap(), v);
    // A NUL sent anyway ends the string.
    let mut bytes = attr(1, b"ab\0");
    bytes.extend(attr(2, b"x"));
    assert_eq!(Strings::decode(&bytes).unwrap().raw, "ab");
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Policy<'a> {
    #[netlink(attr = 1, len = 6)]
    mac: Option<&'a [u8]>,
    #[netlink(attr = 2, min_len = 2, max_len = 4)]
    tag: Option<&'a [u8]>,
    #[netlink(attr = 3, max_len = 16)]
    name: Option<&'a str>,
    #[netlink(attr = 4, range = 1..=10)]
    level: Option<u8>,
    #[netlink(attr = 5, range = -5..=5)]
    delta: Option<i32>,
}

fn no_policy() -> Policy<'static> {
    Policy {
        mac: None,
        tag: None,
        name: None,
        level: None,
        delta: None,
    }
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Key<'a> {
    #[netlink(attr = 1, min_len = 3, max_len = 8)]
    key: &'a str,
}

#[test]
fn string_that_shrinks_at_a_nul_must_still_meet_its_length_policy() {
    // Payload "\0\0\0" has 3 bytes, but the string is empty: written back
    // it would be 1 byte, under the minimum, so it is refused at decode.
    let err = Key::decode(&attr(1, b"\0\0\0")).unwrap_err();
    assert!(
        matches!(err.kind(), DecodeErrorKind::Invalid { what: "key", .. }),
        "{err}"
    );
    assert_eq!(err.offset(), 4);
    // "ab" and its NUL meet the policy, padded with NULs or not.
    assert_eq!(Key::decode(&attr(1, b"ab\0\0")).unwrap().key, "ab");
    let mut out = Vec::new();
    Key { key: "ab" }.encode(&mut out).unwrap();
    assert_eq!(Key::decode(&out).unwrap().key, "ab");
}

#[test]
fn exact_length_policy() {
    let err = Policy::decode(&attr(1, &[0; 5])).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::WrongLength {
            what: "mac",
            expected: 6,
            found: 5
        }
    );
    assert!(Policy::decode(&attr(1, &[0; 6])).is_ok());
    let mut out = Vec::new();
    let bad = Policy {
        mac: Some(&[1]),
        ..no_policy()
    };
    assert!(matches!(
        bad.encode(&mut out),
        Err(EncodeError::Invalid { what: "mac", .. })
    ));
}

#[test]
fn minimum_and_maximum_length_policy() {
    let short = Policy::decode(&attr(2, &[1])).unwrap_err();
    assert_eq!(
        short.kind(),
        &DecodeErrorKind::TooShort {
            what: "tag",
            min: 2,
            found: 1
        }
    );
    let long = Policy::decode(&attr(2, &[1; 5])).unwrap_err();
    assert!(matches!(
        long.kind(),
        DecodeErrorKind::TooLong { max: 4, .. }
    ));
    assert!(Policy::decode(&attr(2, &[1; 3])).is_ok());
}

#[test]
fn over_long_string_is_refused_at_encode() {
    let v = Policy {
        name: Some("a-name-that-is-too-long"),
        ..no_policy()
    };
    let mut out = Vec::new();
    assert!(v.encode(&mut out).is_err());
}

#[test]
fn range_policy_on_decode_and_encode() {
    let err = Policy::decode(&attr(4, &[11])).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::OutOfRange {
            value: 11,
            min: 1,
            max: 10
        }
    );
    assert_eq!(err.path().collect::<Vec<_>>(), ["level"]);
    assert!(Policy::decode(&attr(5, &(-5i32).to_ne_bytes())).is_ok());
    assert!(Policy::decode(&attr(5, &(-6i32).to_ne_bytes())).is_err());
    let v = Policy {
        delta: Some(6),
        ..no_policy()
    };
    assert!(v.encode(&mut Vec::new()).is_err());
}

#[derive(Debug, PartialEq, NetlinkMessage)]
#[netlink(strict)]
struct Strict {
    #[netlink(attr = 1)]
    a: Option<u8>,
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Lenient {
    #[netlink(attr = 1)]
    a: Option<u8>,
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Keeping<'a> {
    #[netlink(attr = 1)]
    a: Option<u8>,
    #[netlink(unknown)]
    rest: Vec<RawAttr<'a>>,
}

#[test]
fn unknown_attributes_are_refused_skipped_or_kept() {
    let mut bytes = attr(1, &[1]);
    bytes.extend(attr(0x8009, &[8, 0, 1, 0, 0, 0, 0, 0]));
    bytes.extend(attr(0, &[]));
    let err = Strict::decode(&bytes).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::UnknownAttribute { kind: 9 });
    assert_eq!(err.offset(), 8);
    assert_eq!(Lenient::decode(&bytes).unwrap(), Lenient { a: Some(1) });
    let kept = Keeping::decode(&bytes).unwrap();
    assert_eq!(kept.rest.len(), 2);
    assert_eq!(kept.rest[0].raw_type, 0x8009);
    assert_eq!(encode(&kept), bytes, "type, flags and bytes survive");
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
enum Item<'a> {
    #[netlink(attr = 1)]
    Name(&'a str),
    #[netlink(attr = 2, be)]
    Port(u16),
    #[netlink(attr = 3)]
    Up,
    #[netlink(attr = 4, nested)]
    Info(common::LinkInfo<'a>),
    #[netlink(unknown)]
    Other(RawAttr<'a>),
}

#[derive(Debug, PartialEq, NetlinkMessage)]
#[netlink(strict)]
enum StrictItem {
    #[netlink(attr = 1)]
    A(u8),
}

#[derive(Debug, PartialEq, NetlinkMessage)]
enum SkippingItem {
    #[netlink(attr = 1)]
    A(u8),
}

fn items() -> Vec<Item<'static>> {
    vec![
        Item::Port(80),
        Item::Name("x"),
        Item::Other(RawAttr {
            raw_type: 9,
            payload: &[1, 2, 3, 4],
        }),
        Item::Up,
        Item::Info(common::LinkInfo {
            kind: "veth",
            rest: Vec::new(),
        }),
    ]
}

#[test]
fn attribute_enums_keep_wire_order_eagerly_and_lazily() {
    let mut bytes = Vec::new();
    encode_attrs(&mut bytes, &items()).unwrap();
    assert_eq!(
        bytes.len(),
        items().iter().map(AttrEnum::attr_size).sum::<usize>()
    );
    assert_eq!(&bytes[4..6], [0, 80]);
    assert_eq!(decode_attrs::<Item<'_>>(&bytes).unwrap(), items());
    let lazy: Vec<_> = AttrIter::<Item<'_>>::new(&bytes)
        .map(Result::unwrap)
        .collect();
    assert_eq!(lazy, items());
    assert_eq!(items()[2].kind(), 9);
}

#[test]
fn attribute_enums_without_a_catch_all_skip_or_refuse_unknown_types() {
    let mut bytes = attr(2, &[0]);
    bytes.extend(attr(1, &[5]));
    assert_eq!(
        decode_attrs::<SkippingItem>(&bytes).unwrap(),
        [SkippingItem::A(5)]
    );
    let mut lazy = AttrIter::<StrictItem>::new(&bytes);
    assert!(lazy.next().unwrap().is_err());
    assert!(lazy.next().is_none(), "the iterator ends after an error");
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct WithLists<'a> {
    #[netlink(attr = 1, attrs)]
    eager: Vec<Item<'a>>,
    #[netlink(attr = 2, attrs)]
    lazy: Option<AttrIter<'a, Item<'a>>>,
    #[netlink(attr = 3, nested)]
    repeated: Vec<common::LinkInfo<'a>>,
}

#[test]
fn nests_of_attribute_enums_and_repeated_nests() {
    let mut inner = Vec::new();
    encode_attrs(&mut inner, &items()).unwrap();
    let mut bytes = Vec::new();
    netlink_core::attr::write_nest(&mut bytes, 1, |o| {
        o.extend_from_slice(&inner);
        Ok(())
    })
    .unwrap();
    netlink_core::attr::write_nest(&mut bytes, 2, |o| {
        o.extend_from_slice(&inner);
        Ok(())
    })
    .unwrap();
    let info = common::LinkInfo {
        kind: "a",
        rest: Vec::new(),
    };
    let mut one = Vec::new();
    info.encode(&mut one).unwrap();
    for _ in 0..2 {
        netlink_core::attr::write_nest(&mut bytes, 3, |o| {
            o.extend_from_slice(&one);
            Ok(())
        })
        .unwrap();
    }
    let v = WithLists::decode(&bytes).unwrap();
    assert_eq!(v.eager, items());
    let lazy: Vec<_> = v.lazy.clone().unwrap().map(Result::unwrap).collect();
    assert_eq!(lazy, items());
    assert_eq!(v.repeated, [info.clone(), info]);
    assert_eq!(encode(&v), bytes);
}

#[derive(Debug, Clone, Copy, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct CacheInfo {
    max_reasm_len: u32,
    tstamp: u32,
}
netlink_core::pod_value!(CacheInfo);

bitflags::bitflags! {
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Mode: u32 {
        const A = 1;
        const _ = !0;
    }
}
netlink_core::flags_value!(Mode);

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Values {
    #[netlink(attr = 1)]
    cache: CacheInfo,
    #[netlink(attr = 2)]
    mode: Mode,
}

#[test]
fn pod_and_bitflags_values_go_through_the_core_macros() {
    let v = Values {
        cache: CacheInfo {
            max_reasm_len: 1,
            tstamp: 2,
        },
        mode: Mode::from_bits_retain(0x101),
    };
    assert_eq!(Values::decode(&encode(&v)).unwrap(), v);
}

mod reexport {
    pub(crate) use netlink_core as wire;
}

#[derive(Debug, PartialEq, NetlinkMessage)]
#[netlink(crate = reexport::wire)]
struct ThroughReexport {
    #[netlink(attr = 1)]
    a: u32,
}

#[derive(Debug, PartialEq, NetlinkMessage)]
#[netlink(crate = "::netlink_core")]
struct QuotedPath {
    #[netlink(attr = 1)]
    a: u32,
}

#[test]
fn crate_path_names_the_support_crate() {
    let v = ThroughReexport { a: 5 };
    assert_eq!(ThroughReexport::decode(&encode(&v)).unwrap(), v);
    assert_eq!(
        QuotedPath::decode(&encode(&QuotedPath { a: 1 })).unwrap().a,
        1
    );
}

#[test]
fn message_enums_dispatch_on_the_message_type() {
    let link = common::Link {
        info: common::IfInfoMsg::default(),
        name: "lo",
        mtu: Some(65536),
        address: None,
        linkinfo: None,
    };
    let msg = common::RouteMessage::DelLink(link.clone());
    let bytes = encode(&msg);
    assert_eq!(msg.message_type(), 17);
    assert_eq!(
        common::RouteMessage::decode_message(17, &bytes).unwrap(),
        msg
    );
    let other = common::RouteMessage::decode_message(99, &bytes).unwrap();
    assert_eq!(
        other,
        common::RouteMessage::Other(RawMessage {
            ty: 99,
            payload: &bytes
        })
    );
    assert_eq!(other.message_type(), 99);
}

#[derive(Debug, PartialEq, NetlinkMessage)]
#[netlink(message)]
enum OnlyNew {
    #[netlink(ty = 16)]
    New(Lenient),
}

#[test]
fn message_enums_without_catch_all_refuse_other_types() {
    let err = OnlyNew::decode_message(20, &[]).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::UnexpectedMessageType { ty: 20 }
    );
}

#[test]
fn a_header_shorter_than_its_struct_is_a_typed_error() {
    let err = common::Link::decode(&[0; 10]).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::Truncated {
            what: "info",
            needed: 16,
            found: 10
        }
    );
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Tree {
    #[netlink(attr = 1)]
    value: u32,
    #[netlink(attr = 2, nested)]
    child: Option<Box<Tree>>,
}

/// Returns `levels` nests of type 2 inside one another.
fn deep(levels: usize) -> Vec<u8> {
    let mut bytes = attr(1, &0u32.to_ne_bytes());
    for _ in 0..levels {
        let mut outer = attr(1, &0u32.to_ne_bytes());
        outer.extend(attr(2, &bytes));
        bytes = outer;
    }
    bytes
}

#[test]
fn recursion_stops_at_the_depth_limit_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let ok = Tree::decode(&deep(MAX_DEPTH)).map(|_| ());
            let too_deep = Tree::decode(&deep(4000)).map(|_| ());
            (ok, too_deep)
        })
        .unwrap();
    let (ok, too_deep) = handle.join().unwrap();
    assert!(ok.is_ok(), "{ok:?}");
    let err = too_deep.unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
    assert_eq!(err.path().count(), MAX_DEPTH + 1);
}

/// A recursive struct whose children are plain attribute values (no
/// `nested`): the depth limit must hold through them too.
#[derive(Debug, PartialEq, NetlinkMessage)]
struct PlainTree {
    #[netlink(attr = 1)]
    value: u32,
    #[netlink(attr = 2)]
    children: Vec<PlainTree>,
}

/// The same, as an attribute enum whose variant holds the struct.
#[derive(Debug, PartialEq, NetlinkMessage)]
enum PlainNode {
    #[netlink(attr = 2)]
    Child(PlainTree),
}

#[test]
fn recursion_through_plain_struct_values_stops_at_the_depth_limit_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let ok = PlainTree::decode(&deep(MAX_DEPTH - 1)).map(|_| ());
            let limit = PlainTree::decode(&deep(MAX_DEPTH + 1)).map(|_| ());
            let too_deep = PlainTree::decode(&deep(4000)).map(|_| ());
            let wrapped = decode_attrs::<PlainNode>(&attr(2, &deep(4000))).map(|_| ());
            (ok, limit, too_deep, wrapped)
        })
        .unwrap();
    let (ok, limit, too_deep, wrapped) = handle.join().unwrap();
    assert!(ok.is_ok(), "{ok:?}");
    for err in [limit, too_deep, wrapped] {
        let err = err.unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
    }
}

#[test]
fn plain_struct_values_count_one_level_each() {
    // `deep(n)` holds n children inside one another: with the top level
    // at depth 0, the innermost sits at depth n, the last one allowed.
    assert!(PlainTree::decode(&deep(MAX_DEPTH)).is_ok());
    let err = PlainTree::decode(&deep(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
    assert_eq!(err.path().count(), MAX_DEPTH + 1);
    let tree = PlainTree {
        value: 1,
        children: vec![PlainTree {
            value: 2,
            children: Vec::new(),
        }],
    };
    assert_eq!(PlainTree::decode(&encode(&tree)).unwrap(), tree);
}

#[test]
fn recursive_values_round_trip() {
    let tree = Tree {
        value: 1,
        child: Some(Box::new(Tree {
            value: 2,
            child: None,
        })),
    };
    assert_eq!(Tree::decode(&encode(&tree)).unwrap(), tree);
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Indexed {
    #[netlink(attr = 1, indexed)]
    list: Vec<u32>,
    #[netlink(attr = 2)]
    tag: u8,
}

#[test]
fn an_empty_indexed_nest_decodes_empty_and_is_not_written_back() {
    let bytes = [attr(1 | 0x8000, &[]), attr(2, &[7])].concat();
    let read = Indexed::decode(&bytes).unwrap();
    assert_eq!(
        read,
        Indexed {
            list: Vec::new(),
            tag: 7
        }
    );
    // The documented limitation: the empty nest is not written back.
    assert_eq!(encode(&read), attr(2, &[7]));
    let full = Indexed {
        list: vec![5, 6],
        tag: 7,
    };
    let mut entries = attr(1, &5u32.to_ne_bytes());
    entries.extend(attr(2, &6u32.to_ne_bytes()));
    let expected = [attr(1 | 0x8000, &entries), attr(2, &[7])].concat();
    assert_eq!(encode(&full), expected);
    assert_eq!(Indexed::decode(&expected).unwrap(), full);
}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Empty {}

#[derive(Debug, PartialEq, NetlinkMessage)]
struct Unit;

#[test]
fn empty_structs_encode_nothing_and_ignore_attributes() {
    assert!(encode(&Empty {}).is_empty());
    assert_eq!(Unit::decode(&attr(1, &[1])).unwrap(), Unit);
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Pair {
    #[netlink(attr = 1)]
    a: u16,
    #[netlink(attr = 2)]
    b: Option<u16>,
}

/// Repeated attributes read in place, next to their `Vec` twins.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Views<'a> {
    #[netlink(attr = 1)]
    name: &'a str,
    #[netlink(attr = 2, range = 0..=1000)]
    items: Repeated<'a, u32>,
    #[netlink(attr = 3, max_len = 8)]
    names: Repeated<'a, &'a str>,
    #[netlink(attr = 4, nested)]
    pairs: Repeated<'a, Pair>,
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct VecViews<'a> {
    #[netlink(attr = 1)]
    name: &'a str,
    #[netlink(attr = 2, range = 0..=1000)]
    items: Vec<u32>,
    #[netlink(attr = 3, max_len = 8)]
    names: Vec<&'a str>,
    #[netlink(attr = 4, nested)]
    pairs: Vec<Pair>,
}

/// Returns a stream whose repeated attributes are interleaved with others.
fn interleaved() -> Vec<u8> {
    let pair = |a: u16| {
        let mut p = attr(1, &a.to_ne_bytes());
        p.extend(attr(2, &(a + 1).to_ne_bytes()));
        p
    };
    let mut bytes = attr(2, &10u32.to_ne_bytes());
    bytes.extend(attr(3, b"a\0"));
    bytes.extend(attr(4, &pair(7)));
    bytes.extend(attr(1, b"x\0"));
    bytes.extend(attr(2, &20u32.to_ne_bytes()));
    bytes.extend(attr(9, b"skipped"));
    bytes.extend(attr(3, b"bc\0"));
    bytes.extend(attr(2, &30u32.to_ne_bytes()));
    bytes
}

#[test]
fn repeated_views_yield_every_occurrence_in_wire_order() {
    let bytes = interleaved();
    let v = Views::decode(&bytes).unwrap();
    assert_eq!(v.name, "x");
    assert_eq!(v.items.len(), 3);
    assert_eq!(v.items.iter().collect::<Vec<_>>(), [10, 20, 30]);
    assert_eq!(v.names.iter().collect::<Vec<_>>(), ["a", "bc"]);
    let pairs: Vec<Pair> = v.pairs.iter().collect();
    assert_eq!(pairs, [Pair { a: 7, b: Some(8) }]);
    // Iterating twice decodes the same values again.
    assert_eq!(v.items.iter().sum::<u32>(), 60);

    let twin = VecViews::decode(&bytes).unwrap();
    assert_eq!(
        (twin.items, twin.names),
        (vec![10, 20, 30], vec!["a", "bc"])
    );
}

#[test]
fn repeated_views_encode_and_compare_like_vectors() {
    let pairs = [Pair { a: 1, b: None }, Pair { a: 2, b: Some(3) }];
    let made = Views {
        name: "eth0",
        items: Repeated::from_slice(&[5, 6, 7]),
        names: Repeated::from_slice(&["p", "q"]),
        pairs: Repeated::from_slice(&pairs),
    };
    let twin = VecViews {
        name: "eth0",
        items: vec![5, 6, 7],
        names: vec!["p", "q"],
        pairs: pairs.to_vec(),
    };
    let bytes = encode(&made);
    assert_eq!(bytes, encode(&twin));
    let decoded = Views::decode(&bytes).unwrap();
    // A view over wire bytes equals a view over the same values.
    assert_eq!(decoded, made);
    assert_ne!(decoded.items, Repeated::from_slice(&[5, 6][..]));
    // Decoded views encode back to the same bytes.
    assert_eq!(encode(&decoded), bytes);
    assert_eq!(format!("{:?}", decoded.items), "[5, 6, 7]");
}

#[test]
fn repeated_views_check_every_occurrence_when_the_struct_decodes() {
    // The third occurrence of `items` is two bytes long.
    let mut bytes = interleaved();
    let at = bytes.len();
    bytes.extend(attr(2, &[1, 2]));
    let err = Views::decode(&bytes).unwrap_err();
    assert_eq!(err.path().collect::<Vec<_>>(), ["items"]);
    assert_eq!(err.offset(), at + 4);
    assert!(matches!(err.kind(), DecodeErrorKind::WrongLength { .. }));

    // Policies hold for every occurrence, on decode and on encode.
    let mut bytes = interleaved();
    bytes.extend(attr(2, &1001u32.to_ne_bytes()));
    let err = Views::decode(&bytes).unwrap_err();
    assert!(matches!(err.kind(), DecodeErrorKind::OutOfRange { .. }));
    let mut bytes = interleaved();
    bytes.extend(attr(3, b"too long a name\0"));
    let err = Views::decode(&bytes).unwrap_err();
    assert_eq!(err.path().collect::<Vec<_>>(), ["names"]);
    let good = interleaved();
    let mut over = Views::decode(&good).unwrap();
    over.items = Repeated::from_slice(&[1, 5000]);
    assert!(matches!(
        over.encode(&mut Vec::new()),
        Err(EncodeError::Invalid { what: "items", .. })
    ));

    // A nested occurrence is decoded with its struct's rules.
    let mut bytes = interleaved();
    bytes.extend(attr(4, &attr(2, &1u16.to_ne_bytes())));
    let err = Views::decode(&bytes).unwrap_err();
    assert_eq!(err.path().collect::<Vec<_>>(), ["pairs"]);
    assert!(matches!(
        err.kind(),
        DecodeErrorKind::MissingAttribute { name: "a", .. }
    ));
}

#[test]
fn absent_repeated_views_are_empty() {
    let bytes = attr(1, b"lo\0");
    let v = Views::decode(&bytes).unwrap();
    assert!(v.items.is_empty() && v.names.is_empty() && v.pairs.is_empty());
    assert_eq!(v.items.iter().next(), None);
    assert_eq!(encode(&v), attr(1, b"lo\0"));
}
