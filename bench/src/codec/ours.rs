//! This framework: the message as a `#[derive(NetlinkMessage)]` struct
//! (encode and decode; the repeated u32 read in place by a `Repeated`
//! view, or collected into a `Vec`) and as an attribute enum read lazily
//! (decode).

use netlink_core::derive_support::AttrIter;
use netlink_core::{Decode, MessageBuilder, MessageType, Messages, NlmFlags, Repeated};
use netlink_derive::NetlinkMessage;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CMD, FAMILY, Input, VERSION, Values};
use crate::tally::Tally;

/// `struct genlmsghdr`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct GenlHeader {
    cmd: u8,
    version: u8,
    reserved: u16,
}

/// The nest of four u16.
#[derive(Debug, NetlinkMessage)]
struct Quad {
    #[netlink(attr = 1)]
    a: u16,
    #[netlink(attr = 2)]
    b: u16,
    #[netlink(attr = 3)]
    c: u16,
    #[netlink(attr = 4)]
    d: u16,
}

/// The message payload as one struct that borrows everything: the
/// repeated u32 is a view over the received bytes.
#[derive(Debug, NetlinkMessage)]
struct Sample<'a> {
    #[netlink(header)]
    header: GenlHeader,
    #[netlink(attr = 1)]
    count: u32,
    #[netlink(attr = 2)]
    total: u64,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    blob: &'a [u8],
    #[netlink(attr = 5, nested)]
    quad: Quad,
    #[netlink(attr = 6)]
    items: Repeated<'a, u32>,
}

/// The same payload with the repeated u32 collected into a `Vec`: one
/// allocation per message.
#[derive(Debug, NetlinkMessage)]
struct SampleVec<'a> {
    #[netlink(header)]
    header: GenlHeader,
    #[netlink(attr = 1)]
    count: u32,
    #[netlink(attr = 2)]
    total: u64,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    blob: &'a [u8],
    #[netlink(attr = 5, nested)]
    quad: Quad,
    #[netlink(attr = 6)]
    items: Vec<u32>,
}

/// The message's attributes, one variant each, for lazy reading.
#[derive(Debug, NetlinkMessage)]
enum SampleAttr<'a> {
    #[netlink(attr = 1)]
    Count(u32),
    #[netlink(attr = 2)]
    Total(u64),
    #[netlink(attr = 3)]
    Name(&'a str),
    #[netlink(attr = 4)]
    Blob(&'a [u8]),
    #[netlink(attr = 5, nested)]
    Quad(Quad),
    #[netlink(attr = 6)]
    Item(u32),
}

/// Appends messages `0..n` to `out`; the repeated attribute is a view of
/// the values' array.
pub(super) fn encode(input: &Input, n: usize, out: &mut Vec<u8>) {
    for i in 0..n {
        let v = input.values(i);
        let sample = Sample {
            header: GenlHeader {
                cmd: CMD,
                version: VERSION,
                reserved: 0,
            },
            count: v.count,
            total: v.total,
            name: v.name,
            blob: v.blob,
            quad: Quad {
                a: v.quad[0],
                b: v.quad[1],
                c: v.quad[2],
                d: v.quad[3],
            },
            items: Repeated::from_slice(&v.items),
        };
        let mut msg = MessageBuilder::new(out, MessageType(FAMILY), NlmFlags::REQUEST);
        msg.set_seq(v.seq);
        msg.payload(&sample).expect("payload fits");
        msg.finish().expect("message fits");
    }
}

fn blob(bytes: &[u8]) -> &[u8; 64] {
    bytes.try_into().expect("64-byte blob")
}

/// Returns the three values of a repeated u32.
fn three(items: impl IntoIterator<Item = u32>) -> [u32; 3] {
    let mut out = [0; 3];
    let mut n = 0;
    for (slot, v) in out.iter_mut().zip(items) {
        *slot = v;
        n += 1;
    }
    assert_eq!(n, 3, "three items");
    out
}

/// Decodes every message of `buf` into [`Sample`], allocating nothing.
pub(super) fn decode_struct(buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for msg in Messages::new(buf) {
        let msg = msg.expect("well-framed message");
        let s = Sample::decode(msg.payload()).expect("valid sample");
        let v = Values {
            seq: msg.seq(),
            count: s.count,
            total: s.total,
            name: s.name,
            blob: blob(s.blob),
            quad: [s.quad.a, s.quad.b, s.quad.c, s.quad.d],
            items: three(s.items),
        };
        v.tally(&mut tally);
    }
    tally
}

/// Decodes every message of `buf` into [`SampleVec`].
pub(super) fn decode_struct_vec(buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for msg in Messages::new(buf) {
        let msg = msg.expect("well-framed message");
        let s = SampleVec::decode(msg.payload()).expect("valid sample");
        let v = Values {
            seq: msg.seq(),
            count: s.count,
            total: s.total,
            name: s.name,
            blob: blob(s.blob),
            quad: [s.quad.a, s.quad.b, s.quad.c, s.quad.d],
            items: s.items.as_slice().try_into().expect("three items"),
        };
        v.tally(&mut tally);
    }
    tally
}

/// Decodes every message of `buf` by walking [`SampleAttr`] lazily.
pub(super) fn decode_lazy(buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for msg in Messages::new(buf) {
        let msg = msg.expect("well-framed message");
        let attrs = msg.payload().get(4..).expect("genlmsghdr");
        let mut v = Values {
            seq: msg.seq(),
            count: 0,
            total: 0,
            name: "",
            blob: &[0; 64],
            quad: [0; 4],
            items: [0; 3],
        };
        let mut items = 0;
        for attr in AttrIter::<SampleAttr<'_>>::new(attrs) {
            match attr.expect("valid attribute") {
                SampleAttr::Count(x) => v.count = x,
                SampleAttr::Total(x) => v.total = x,
                SampleAttr::Name(x) => v.name = x,
                SampleAttr::Blob(x) => v.blob = blob(x),
                SampleAttr::Quad(q) => v.quad = [q.a, q.b, q.c, q.d],
                SampleAttr::Item(x) => {
                    if let Some(slot) = v.items.get_mut(items) {
                        *slot = x;
                        items += 1;
                    }
                }
            }
        }
        v.tally(&mut tally);
    }
    tally
}
