//! Property tests: derived decoders never panic and always end on arbitrary
//! bytes, encode then decode is the identity, encode then decode then
//! encode gives the same bytes twice, and decode then encode of kernel
//! fixtures gives the kernel's bytes back.

mod common;

use std::net::Ipv4Addr;

use common::{Ctrl, Family, Link, LinkAttr, LinkMessage, RouteMessage, fixture};
use netlink_core::derive_support::{AttrIter, MessageEnum, RawAttr, decode_attrs};
use netlink_core::{Decode, Encode, Message, Messages, Repeated};
use netlink_derive::NetlinkMessage;
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Inner {
    #[netlink(attr = 1)]
    a: u16,
    #[netlink(attr = 2, be)]
    b: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Sample {
    #[netlink(attr = 1)]
    name: String,
    #[netlink(attr = 2)]
    mtu: Option<u32>,
    #[netlink(attr = 3)]
    addrs: Vec<Ipv4Addr>,
    #[netlink(attr = 4)]
    up: bool,
    #[netlink(attr = 5)]
    blob: Vec<u8>,
    #[netlink(attr = 6, nested)]
    inner: Option<Inner>,
    #[netlink(attr = 7, indexed, nested)]
    list: Vec<Inner>,
    #[netlink(attr = 8, range = -3..=3)]
    small: i8,
    #[netlink(attr = 9, nested)]
    tree: Option<Box<Sample>>,
}

/// Repeated attributes read in place, and the same fields as `Vec`s.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct Views<'a> {
    #[netlink(attr = 1, range = 0..=60_000)]
    items: Repeated<'a, u32>,
    #[netlink(attr = 2)]
    names: Repeated<'a, &'a str>,
    #[netlink(attr = 3, nested)]
    inners: Repeated<'a, Inner>,
}

#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
struct VecViews<'a> {
    #[netlink(attr = 1, range = 0..=60_000)]
    items: Vec<u32>,
    #[netlink(attr = 2)]
    names: Vec<&'a str>,
    #[netlink(attr = 3, nested)]
    inners: Vec<Inner>,
}

fn inner() -> impl Strategy<Value = Inner> {
    (any::<u16>(), any::<Option<u32>>()).prop_map(|(a, b)| Inner { a, b })
}

fn sample() -> impl Strategy<Value = Sample> {
    let leaf = (
        "[a-z0-9]{0,12}",
        any::<Option<u32>>(),
        prop::collection::vec(any::<[u8; 4]>().prop_map(Ipv4Addr::from), 0..4),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..40),
        prop::option::of(inner()),
        prop::collection::vec(inner(), 0..4),
        -3i8..=3,
    )
        .prop_map(|(name, mtu, addrs, up, blob, inner, list, small)| Sample {
            name,
            mtu,
            addrs,
            up,
            blob,
            inner,
            list,
            small,
            tree: None,
        });
    leaf.prop_recursive(3, 8, 1, |child| {
        (child.clone(), child).prop_map(|(mut outer, inner)| {
            outer.tree = Some(Box::new(inner));
            outer
        })
    })
}

/// Returns the bytes `value` encodes to, checking `encoded_len`.
fn encoded<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out).unwrap();
    assert_eq!(out.len(), value.encoded_len());
    out
}

/// Encodes `$value`, decodes the bytes as `$ty`, encodes that again, and
/// fails the property unless both encodings are the same bytes.
macro_rules! prop_assert_reencodes {
    ($ty:ty, $value:expr) => {{
        let first = encoded(&$value);
        let again = <$ty>::decode(&first);
        prop_assert!(again.is_ok(), "{:?} does not decode: {:?}", first, again);
        let second = again.map(|v| encoded(&v)).unwrap_or_default();
        prop_assert_eq!(first, second);
    }};
}

proptest! {
    #[test]
    fn encode_decode_encode_is_byte_identical(
        value in sample(),
        items in prop::collection::vec(0u32..=60_000, 0..6),
        names in prop::collection::vec("[a-z]{0,6}", 0..4),
        inners in prop::collection::vec(inner(), 0..3),
    ) {
        prop_assert_reencodes!(Sample, value);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let views = Views {
            items: Repeated::from_slice(&items),
            names: Repeated::from_slice(&names),
            inners: Repeated::from_slice(&inners),
        };
        prop_assert_reencodes!(Views<'_>, views);
        let twins = VecViews { items, names, inners };
        prop_assert_reencodes!(VecViews<'_>, twins);
    }

    #[test]
    fn whatever_decodes_encodes_the_same_bytes_twice(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        // Arbitrary input need not come back as it was (duplicates, flag
        // payloads, bytes after a NUL are dropped), but once encoded, the
        // bytes are a fixed point of decode then encode.
        if let Ok(v) = Sample::decode(&bytes) {
            prop_assert_reencodes!(Sample, v);
        }
        if let Ok(v) = Views::decode(&bytes) {
            prop_assert_reencodes!(Views<'_>, v);
        }
        if let Ok(v) = LinkMessage::decode(&bytes) {
            prop_assert_reencodes!(LinkMessage<'_>, v);
        }
        if let Ok(v) = Ctrl::decode(&bytes) {
            prop_assert_reencodes!(Ctrl<'_>, v);
        }
        if let Ok(v) = Family::decode(&bytes) {
            prop_assert_reencodes!(Family<'_>, v);
        }
    }

    #[test]
    fn encode_then_decode_is_the_identity(value in sample()) {
        let mut out = Vec::new();
        value.encode(&mut out).unwrap();
        prop_assert_eq!(out.len(), value.encoded_len());
        prop_assert_eq!(Sample::decode(&out).unwrap(), value);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Sample::decode(&bytes);
        let _ = Family::decode(&bytes);
        let _ = Ctrl::decode(&bytes);
        let _ = Link::decode(&bytes);
        let _ = LinkMessage::decode(&bytes);
        let _ = RouteMessage::decode_message(16, &bytes);
        let _ = decode_attrs::<LinkAttr<'_>>(&bytes);
        prop_assert!(AttrIter::<LinkAttr<'_>>::new(&bytes).count() <= bytes.len() / 4 + 1);
    }

    #[test]
    fn mutated_fixtures_never_panic_and_encode_the_same_bytes_twice(index in 0usize..136, byte in any::<u8>()) {
        let mut bytes = fixture("genl_ctrl_nlctrl.bin");
        bytes[index] = byte;
        if let Some(Ok(ctrl)) = bytes.get(16..).map(Ctrl::decode) {
            prop_assert_reencodes!(Ctrl<'_>, ctrl);
        }
    }

    #[test]
    fn repeated_views_decode_and_encode_as_their_vec_twins(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        match (Views::decode(&bytes), VecViews::decode(&bytes)) {
            (Ok(view), Ok(twin)) => {
                prop_assert_eq!(view.items.iter().collect::<Vec<_>>(), twin.items.clone());
                prop_assert_eq!(view.names.iter().collect::<Vec<_>>(), twin.names.clone());
                prop_assert_eq!(view.inners.iter().collect::<Vec<_>>(), twin.inners.clone());
                let (mut a, mut b) = (Vec::new(), Vec::new());
                view.encode(&mut a).unwrap();
                twin.encode(&mut b).unwrap();
                prop_assert_eq!(a.len(), view.encoded_len());
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(Views::decode(&a).unwrap(), view);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "views {:?} but vectors {:?}", a, b),
        }
    }

    #[test]
    fn repeated_views_of_values_round_trip(
        items in prop::collection::vec(0u32..=60_000, 0..6),
        names in prop::collection::vec("[a-z]{0,6}", 0..4),
        inners in prop::collection::vec(inner(), 0..3),
    ) {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let made = Views {
            items: Repeated::from_slice(&items),
            names: Repeated::from_slice(&names),
            inners: Repeated::from_slice(&inners),
        };
        let mut out = Vec::new();
        made.encode(&mut out).unwrap();
        prop_assert_eq!(out.len(), made.encoded_len());
        prop_assert_eq!(Views::decode(&out).unwrap(), made);
    }

    #[test]
    fn whatever_decodes_encodes_back_to_a_decodable_value(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(value) = Sample::decode(&bytes) {
            let mut out = Vec::new();
            value.encode(&mut out).unwrap();
            prop_assert_eq!(Sample::decode(&out).unwrap(), value);
        }
    }
}

/// Returns the payloads of the `RTM_NEWLINK` messages of a fixture.
fn link_payloads(bytes: &[u8]) -> Vec<&[u8]> {
    Messages::new(bytes)
        .map(Result::unwrap)
        .filter(|m| m.message_type().0 == 16)
        .map(|m: Message<'_>| m.payload())
        .collect()
}

#[test]
fn link_dumps_decode_then_encode_byte_for_byte() {
    for name in ["link_dump.bin", "link_dump_32k.bin"] {
        let bytes = fixture(name);
        let payloads = link_payloads(&bytes);
        assert!(payloads.len() >= 4, "{name}");
        for payload in payloads {
            let link = LinkMessage::decode(payload).unwrap();
            let mut out = Vec::new();
            link.encode(&mut out).unwrap();
            assert_eq!(out, payload, "{name}");
        }
    }
}

#[test]
fn link_dump_decodes_into_typed_fields() {
    let bytes = fixture("link_dump.bin");
    let links: Vec<Link<'_>> = link_payloads(&bytes)
        .into_iter()
        .map(|p| match RouteMessage::decode_message(16, p).unwrap() {
            RouteMessage::NewLink(link) => link,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let names: Vec<_> = links.iter().map(|l| l.name).collect();
    // The kernel lists the peer created second first.
    assert_eq!(names, ["lo", "veth1", "veth0", "br0"]);
    assert_eq!(links[0].mtu, Some(65536));
    assert_eq!(links[2].address, Some(&[2, 0, 0, 0, 0, 1][..]));
    let kinds: Vec<_> = links
        .iter()
        .map(|l| l.linkinfo.as_ref().map(|i| i.kind))
        .collect();
    assert_eq!(kinds, [None, Some("veth"), Some("veth"), Some("bridge")]);
    // Every attribute the typed struct does not name is skipped, yet the
    // wire-order view sees them all.
    let all = LinkMessage::decode(link_payloads(&bytes)[0]).unwrap();
    assert!(
        all.attrs
            .iter()
            .any(|a| matches!(a, LinkAttr::Other(RawAttr { .. })))
    );
    assert!(all.attrs.contains(&LinkAttr::Name("lo")));
}
