//! `neli` 0.7: messages built with its builders and serialized with
//! `ToBytes`; decoded with `FromBytes` into `Nlmsghdr<u16, Genlmsghdr>`,
//! attributes read through its `Attribute` trait.

use std::io::Cursor;

use neli::attr::Attribute;
use neli::consts::nl::NlmF;
use neli::genl::{AttrTypeBuilder, Genlmsghdr, GenlmsghdrBuilder, Nlattr, NlattrBuilder};
use neli::nl::{NlPayload, Nlmsghdr, NlmsghdrBuilder};
use neli::types::{Buffer, GenlBuffer};
use neli::{FromBytes, ToBytes};

use super::{CMD, FAMILY, Input, VERSION, Values, kind};
use crate::tally::Tally;

type Message = Nlmsghdr<u16, Genlmsghdr<u8, u16>>;

fn attr<P>(ty: u16, payload: P, nested: bool) -> Nlattr<u16, Buffer>
where
    P: neli::Size + ToBytes,
{
    let nla_type = AttrTypeBuilder::default()
        .nla_type(ty)
        .nla_nested(nested)
        .build()
        .expect("attribute type");
    NlattrBuilder::default()
        .nla_type(nla_type)
        .nla_payload(payload)
        .build()
        .expect("attribute")
}

fn message(v: &Values<'_>) -> Message {
    let mut quad = attr(kind::QUAD, Buffer::new(), true);
    for (k, q) in (1u16..).zip(v.quad) {
        quad = quad.nest(&attr(k, q, false)).expect("nest");
    }
    let mut attrs = GenlBuffer::new();
    attrs.push(attr(kind::COUNT, v.count, false));
    attrs.push(attr(kind::TOTAL, v.total, false));
    attrs.push(attr(kind::NAME, v.name, false));
    attrs.push(attr(kind::BLOB, &v.blob[..], false));
    attrs.push(quad);
    for item in v.items {
        attrs.push(attr(kind::ITEM, item, false));
    }
    let genl = GenlmsghdrBuilder::default()
        .cmd(CMD)
        .version(VERSION)
        .attrs(attrs)
        .build()
        .expect("genlmsghdr");
    NlmsghdrBuilder::default()
        .nl_type(FAMILY)
        .nl_flags(NlmF::REQUEST)
        .nl_seq(v.seq)
        .nl_payload(NlPayload::Payload(genl))
        .build()
        .expect("nlmsghdr")
}

/// Appends messages `0..n` to `out`.
pub(super) fn encode(input: &Input, n: usize, out: &mut Vec<u8>) {
    let mut cursor = Cursor::new(std::mem::take(out));
    for i in 0..n {
        message(&input.values(i))
            .to_bytes(&mut cursor)
            .expect("serialize");
    }
    *out = cursor.into_inner();
}

fn read(msg: &Message, tally: &mut Tally) {
    let genl = msg.get_payload().expect("payload");
    let mut v = Values {
        seq: *msg.nl_seq(),
        count: 0,
        total: 0,
        name: "",
        blob: &[0; 64],
        quad: [0; 4],
        items: [0; 3],
    };
    let mut name = String::new();
    let mut items = 0;
    for a in genl.attrs().iter() {
        match *a.nla_type().nla_type() {
            kind::COUNT => v.count = a.get_payload_as().expect("u32"),
            kind::TOTAL => v.total = a.get_payload_as().expect("u64"),
            kind::NAME => name = a.get_payload_as_with_len().expect("string"),
            kind::BLOB => {
                let bytes: &[u8] = a.get_payload_as_with_len_borrowed().expect("bytes");
                v.blob = bytes.try_into().expect("64-byte blob");
            }
            kind::QUAD => {
                let nest = a.get_attr_handle::<u16>().expect("nest");
                for q in nest.iter() {
                    let slot = usize::from(*q.nla_type().nla_type()).wrapping_sub(1);
                    if let Some(slot) = v.quad.get_mut(slot) {
                        *slot = q.get_payload_as().expect("u16");
                    }
                }
            }
            kind::ITEM => {
                if let Some(slot) = v.items.get_mut(items) {
                    *slot = a.get_payload_as().expect("u32");
                    items += 1;
                }
            }
            _ => {}
        }
    }
    v.name = &name;
    v.tally(tally);
}

/// Decodes every message of `buf`.
pub(super) fn decode(buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut cursor = Cursor::new(buf);
    while (cursor.position() as usize) < buf.len() {
        let msg = Message::from_bytes(&mut cursor).expect("neli decode");
        read(&msg, &mut tally);
    }
    tally
}
