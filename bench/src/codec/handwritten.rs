//! The baseline: a hand-written encoder that appends bytes directly and a
//! zero-copy decoder that reads fields in place. Both check every length
//! (no panic on any input) but know nothing beyond this one message.

use super::{CMD, FAMILY, Input, VERSION, Values, kind};
use crate::tally::Tally;

const NLA_F_MASK: u16 = 0x3fff;

#[inline]
fn put_attr(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let len = 4 + payload.len();
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize(out.len() + (len.next_multiple_of(4) - len), 0);
}

#[inline]
fn put_message(out: &mut Vec<u8>, v: &Values<'_>) {
    let start = out.len();
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&FAMILY.to_ne_bytes());
    out.extend_from_slice(&1u16.to_ne_bytes());
    out.extend_from_slice(&v.seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[CMD, VERSION, 0, 0]);
    put_attr(out, kind::COUNT, &v.count.to_ne_bytes());
    put_attr(out, kind::TOTAL, &v.total.to_ne_bytes());
    let mut name = [0u8; 16];
    name[..v.name.len()].copy_from_slice(v.name.as_bytes());
    put_attr(out, kind::NAME, &name[..=v.name.len()]);
    put_attr(out, kind::BLOB, v.blob);
    let nest = out.len();
    out.extend_from_slice(&[0; 4]);
    for (k, q) in (1u16..).zip(v.quad) {
        put_attr(out, k, &q.to_ne_bytes());
    }
    let nest_len = (out.len() - nest) as u16;
    out[nest..nest + 2].copy_from_slice(&nest_len.to_ne_bytes());
    out[nest + 2..nest + 4].copy_from_slice(&(kind::QUAD | 0x8000).to_ne_bytes());
    for item in v.items {
        put_attr(out, kind::ITEM, &item.to_ne_bytes());
    }
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

/// Appends messages `0..n` to `out`.
pub(super) fn encode(input: &Input, n: usize, out: &mut Vec<u8>) {
    for i in 0..n {
        put_message(out, &input.values(i));
    }
}

/// Splits `buf` into `(type, payload, rest)` at the next TLV whose header
/// holds a `u16` length (attributes) at `at`; `None` at a framing fault.
#[inline]
fn next_attr(buf: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let [l0, l1, t0, t1, ..] = *buf else {
        return None;
    };
    let len = usize::from(u16::from_ne_bytes([l0, l1]));
    let payload = buf.get(4..len)?;
    let rest = buf.get(len.next_multiple_of(4).min(buf.len())..)?;
    Some((u16::from_ne_bytes([t0, t1]) & NLA_F_MASK, payload, rest))
}

#[inline]
fn u16_of(b: &[u8]) -> u16 {
    b.try_into().map(u16::from_ne_bytes).expect("u16 attribute")
}

#[inline]
fn u32_of(b: &[u8]) -> u32 {
    b.try_into().map(u32::from_ne_bytes).expect("u32 attribute")
}

#[inline]
fn u64_of(b: &[u8]) -> u64 {
    b.try_into().map(u64::from_ne_bytes).expect("u64 attribute")
}

#[inline]
fn decode_one(seq: u32, mut attrs: &[u8], tally: &mut Tally) {
    let mut v = Values {
        seq,
        count: 0,
        total: 0,
        name: "",
        blob: &[0; 64],
        quad: [0; 4],
        items: [0; 3],
    };
    let mut items = 0;
    while !attrs.is_empty() {
        let (ty, payload, rest) = next_attr(attrs).expect("well-framed attribute");
        attrs = rest;
        match ty {
            kind::COUNT => v.count = u32_of(payload),
            kind::TOTAL => v.total = u64_of(payload),
            kind::NAME => {
                let text = payload.split(|&b| b == 0).next().unwrap_or_default();
                v.name = core::str::from_utf8(text).expect("UTF-8 name");
            }
            kind::BLOB => v.blob = payload.try_into().expect("64-byte blob"),
            kind::QUAD => {
                let mut nest = payload;
                while !nest.is_empty() {
                    let (k, p, rest) = next_attr(nest).expect("well-framed nest");
                    nest = rest;
                    if let Some(slot) = v.quad.get_mut(usize::from(k).wrapping_sub(1)) {
                        *slot = u16_of(p);
                    }
                }
            }
            kind::ITEM => {
                if let Some(slot) = v.items.get_mut(items) {
                    *slot = u32_of(payload);
                    items += 1;
                }
            }
            _ => {}
        }
    }
    v.tally(tally);
}

/// Decodes every message of `buf`.
pub(super) fn decode(mut buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    while !buf.is_empty() {
        let header: [u8; 16] = buf
            .get(..16)
            .and_then(|h| h.try_into().ok())
            .expect("header");
        let len = u32_of(&header[..4]) as usize;
        let seq = u32_of(&header[8..12]);
        let message = buf
            .get(..len)
            .filter(|_| len >= 20)
            .expect("message length");
        decode_one(seq, &message[20..], &mut tally);
        buf = buf
            .get(len.next_multiple_of(4).min(buf.len())..)
            .unwrap_or_default();
    }
    tally
}
