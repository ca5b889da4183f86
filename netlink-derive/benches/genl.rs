//! Derived against hand-written codecs of one generic-netlink-style
//! message, in the same run: `genlmsghdr`, then a u32, a u64, a 16-byte
//! string, a 64-byte binary, a nest of four u16 and three repeats of a u32.
//!
//! The `decode` rows collect the repeated u32 into a `Vec` on both sides;
//! the `decode_borrowed` rows allocate nothing: the derived struct reads it
//! through a `Repeated` view, the hand-written decoder into an array, and
//! both sum the three values.
//!
//! Run with `cargo bench -p netlink-derive --bench genl`.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use netlink_core::{
    Attrs, Decode, DecodeError, DecodeErrorKind, Encode, EncodeError, Repeated, attr,
};
use netlink_derive::NetlinkMessage;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct GenlMsgHdr {
    cmd: u8,
    version: u8,
    reserved: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
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

#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
struct Sample<'a> {
    #[netlink(header)]
    header: GenlMsgHdr,
    #[netlink(attr = 1)]
    id: u32,
    #[netlink(attr = 2)]
    counter: u64,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    blob: &'a [u8],
    #[netlink(attr = 5, nested)]
    quad: Quad,
    #[netlink(attr = 6)]
    repeats: Vec<u32>,
}

/// The same message, borrowing everything: the repeated u32 is a view.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
struct SampleView<'a> {
    #[netlink(header)]
    header: GenlMsgHdr,
    #[netlink(attr = 1)]
    id: u32,
    #[netlink(attr = 2)]
    counter: u64,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    blob: &'a [u8],
    #[netlink(attr = 5, nested)]
    quad: Quad,
    #[netlink(attr = 6)]
    repeats: Repeated<'a, u32>,
}

/// The same message, written and read by hand with `netlink_core`.
mod by_hand {
    use super::*;

    pub(crate) fn encode(s: &Sample<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(s.header.as_bytes());
        attr::write(out, 1, &s.id)?;
        attr::write(out, 2, &s.counter)?;
        attr::write(out, 3, s.name)?;
        attr::write(out, 4, s.blob)?;
        attr::write_nest(out, 5, |out| {
            attr::write(out, 1, &s.quad.a)?;
            attr::write(out, 2, &s.quad.b)?;
            attr::write(out, 3, &s.quad.c)?;
            attr::write(out, 4, &s.quad.d)
        })?;
        for r in &s.repeats {
            attr::write(out, 6, r)?;
        }
        Ok(())
    }

    fn missing(name: &'static str, kind: u16) -> DecodeError {
        DecodeError::new(DecodeErrorKind::MissingAttribute { name, kind }, 0)
    }

    fn quad(bytes: &[u8]) -> Result<Quad, DecodeError> {
        let (mut a, mut b, mut c, mut d) = (None, None, None, None);
        for at in Attrs::new(bytes) {
            let at = at?;
            let v = u16::decode(at.payload())?;
            match at.kind() {
                1 => a = Some(v),
                2 => b = Some(v),
                3 => c = Some(v),
                4 => d = Some(v),
                _ => {}
            }
        }
        Ok(Quad {
            a: a.ok_or_else(|| missing("a", 1))?,
            b: b.ok_or_else(|| missing("b", 2))?,
            c: c.ok_or_else(|| missing("c", 3))?,
            d: d.ok_or_else(|| missing("d", 4))?,
        })
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Sample<'_>, DecodeError> {
        let s = decode_with(bytes, |repeats: &mut Vec<u32>, v| repeats.push(v))?;
        Ok(Sample {
            header: s.header,
            id: s.id,
            counter: s.counter,
            name: s.name,
            blob: s.blob,
            quad: s.quad,
            repeats: s.repeats,
        })
    }

    /// The message's fields, the repeated u32 gathered into `R`.
    pub(crate) struct Parts<'a, R> {
        pub(crate) header: GenlMsgHdr,
        pub(crate) id: u32,
        pub(crate) counter: u64,
        pub(crate) name: &'a str,
        pub(crate) blob: &'a [u8],
        pub(crate) quad: Quad,
        pub(crate) repeats: R,
    }

    #[inline]
    pub(crate) fn decode_with<R: Default>(
        bytes: &[u8],
        mut push: impl FnMut(&mut R, u32),
    ) -> Result<Parts<'_, R>, DecodeError> {
        let (header, rest) = GenlMsgHdr::read_from_prefix(bytes).map_err(|_| {
            let kind = DecodeErrorKind::Truncated {
                what: "genlmsghdr",
                needed: 4,
                found: bytes.len(),
            };
            DecodeError::new(kind, 0)
        })?;
        let (mut id, mut counter, mut name, mut blob, mut q) = (None, None, None, None, None);
        let mut repeats = R::default();
        for at in Attrs::with_base(rest, 4) {
            let at = at?;
            let p = at.payload();
            match at.kind() {
                1 => id = Some(u32::decode(p)?),
                2 => counter = Some(u64::decode(p)?),
                3 => name = Some(<&str>::decode(p)?),
                4 => blob = Some(p),
                5 => q = Some(quad(p)?),
                6 => push(&mut repeats, u32::decode(p)?),
                _ => {}
            }
        }
        Ok(Parts {
            header,
            id: id.ok_or_else(|| missing("id", 1))?,
            counter: counter.ok_or_else(|| missing("counter", 2))?,
            name: name.ok_or_else(|| missing("name", 3))?,
            blob: blob.ok_or_else(|| missing("blob", 4))?,
            quad: q.ok_or_else(|| missing("quad", 5))?,
            repeats,
        })
    }
}

/// What the borrowed decoders hand back: everything but the repeated u32,
/// which is summed.
type Borrowed<'a> = (GenlMsgHdr, u32, u64, &'a str, &'a [u8], Quad, u32);

fn derived_borrowed(bytes: &[u8]) -> Result<Borrowed<'_>, DecodeError> {
    let s = SampleView::decode(bytes)?;
    let sum = s.repeats.iter().fold(0u32, u32::wrapping_add);
    Ok((s.header, s.id, s.counter, s.name, s.blob, s.quad, sum))
}

/// The hand-written borrowed decoder: the same checks as the derived one
/// (lengths, required attributes), the repeated u32 into an array.
fn by_hand_borrowed(bytes: &[u8]) -> Result<Borrowed<'_>, DecodeError> {
    let s = by_hand::decode_with(bytes, |repeats: &mut ([u32; 3], usize), v| {
        if let Some(slot) = repeats.0.get_mut(repeats.1) {
            *slot = v;
            repeats.1 += 1;
        }
    })?;
    let sum = s.repeats.0.iter().fold(0u32, |a, &b| a.wrapping_add(b));
    Ok((s.header, s.id, s.counter, s.name, s.blob, s.quad, sum))
}

fn sample(blob: &[u8]) -> Sample<'_> {
    Sample {
        header: GenlMsgHdr {
            cmd: 1,
            version: 1,
            reserved: 0,
        },
        id: 7,
        counter: 1 << 40,
        name: "fifteen-letters",
        blob,
        quad: Quad {
            a: 1,
            b: 2,
            c: 3,
            d: 4,
        },
        repeats: vec![10, 20, 30],
    }
}

fn codecs(c: &mut Criterion) {
    let blob = [0xabu8; 64];
    let value = sample(&blob);
    let mut derived = Vec::new();
    value.encode(&mut derived).unwrap();
    let mut manual = Vec::new();
    by_hand::encode(&value, &mut manual).unwrap();
    assert_eq!(derived, manual, "both write the same bytes");
    assert_eq!(by_hand::decode(&derived).unwrap(), value);
    assert_eq!(Sample::decode(&derived).unwrap(), value);
    assert_eq!(
        derived_borrowed(&derived).unwrap(),
        by_hand_borrowed(&derived).unwrap()
    );
    let view = SampleView::decode(&derived).unwrap();
    assert_eq!(view.repeats, Repeated::from_slice(&value.repeats));

    let mut group = c.benchmark_group("genl_message");
    let mut out = Vec::with_capacity(512);
    group.bench_function("encode/derived", |b| {
        b.iter(|| {
            out.clear();
            black_box(&value).encode(&mut out).unwrap();
            black_box(out.len())
        });
    });
    group.bench_function("encode/by_hand", |b| {
        b.iter(|| {
            out.clear();
            by_hand::encode(black_box(&value), &mut out).unwrap();
            black_box(out.len())
        });
    });
    group.bench_function("decode/derived", |b| {
        b.iter(|| Sample::decode(black_box(&derived)).unwrap());
    });
    group.bench_function("decode/by_hand", |b| {
        b.iter(|| by_hand::decode(black_box(&derived)).unwrap());
    });
    group.bench_function("decode_borrowed/derived", |b| {
        b.iter(|| derived_borrowed(black_box(&derived)).unwrap());
    });
    group.bench_function("decode_borrowed/by_hand", |b| {
        b.iter(|| by_hand_borrowed(black_box(&derived)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, codecs);
criterion_main!(benches);
