//! Cost of the checked message and attribute iterators against a minimal
//! hand-written walker, both over a captured 32 KiB link dump datagram.
//!
//! Both walkers visit every message, every attribute after `ifinfomsg`, and
//! one nesting level into `IFLA_LINKINFO`, `IFLA_AF_SPEC` and every nest
//! that carries `NLA_F_NESTED`, folding type and payload length of each
//! attribute into a checksum so that neither walk can be optimised away.

// `criterion_group!` generates public functions without doc comments.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netlink_core::{Attr, Messages};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

const DATAGRAM: &[u8] = include_bytes!("../tests/fixtures/link_dump_32k.bin");

const IFLA_LINKINFO: u16 = 18;
const IFLA_AF_SPEC: u16 = 26;

/// `struct ifinfomsg`.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct IfInfoMsg {
    family: u8,
    pad: u8,
    ty: u16,
    index: i32,
    flags: u32,
    change: u32,
}

fn fold(sum: u64, kind: u16, len: usize) -> u64 {
    sum.wrapping_mul(31)
        .wrapping_add(u64::from(kind))
        .wrapping_add(len as u64)
}

fn is_nest(attr: &Attr<'_>) -> bool {
    attr.is_nested() || matches!(attr.kind(), IFLA_LINKINFO | IFLA_AF_SPEC)
}

/// The walk through the crate's checked views.
fn checked(datagram: &[u8]) -> u64 {
    let mut sum = 0;
    for msg in Messages::new(datagram) {
        let Ok(msg) = msg else { break };
        let Ok((_, attrs)) = msg.family_header::<IfInfoMsg>() else {
            continue;
        };
        for attr in attrs {
            let Ok(attr) = attr else { break };
            sum = fold(sum, attr.kind(), attr.payload().len());
            if is_nest(&attr) {
                for inner in attr.nested() {
                    let Ok(inner) = inner else { break };
                    sum = fold(sum, inner.kind(), inner.payload().len());
                }
            }
        }
    }
    sum
}

fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

/// Walks one attribute stream the shortest safe way, descending one level
/// when `depth` allows it.
fn hand_attrs(buf: &[u8], mut sum: u64, descend: bool) -> u64 {
    let mut off = 0;
    while let (Some(len), Some(ty)) = (read_u16(buf, off), read_u16(buf, off + 2)) {
        let len = usize::from(len);
        let Some(payload) = buf.get(off + 4..off + len) else {
            break;
        };
        let kind = ty & 0x3fff;
        sum = fold(sum, kind, payload.len());
        if descend && (ty & 0x8000 != 0 || matches!(kind, IFLA_LINKINFO | IFLA_AF_SPEC)) {
            sum = hand_attrs(payload, sum, false);
        }
        off += (len + 3) & !3;
    }
    sum
}

/// A minimal hand-written walker: only the checks that keep it from
/// panicking or looping.
fn hand_written(datagram: &[u8]) -> u64 {
    let mut sum = 0;
    let mut off = 0;
    while let Some(len) = read_u32(datagram, off) {
        let len = len as usize;
        let Some(msg) = datagram.get(off..off + len).filter(|_| len >= 16) else {
            break;
        };
        if let Some(attrs) = msg.get(32..) {
            sum = hand_attrs(attrs, sum, true);
        }
        off += (len + 3) & !3;
    }
    sum
}

fn iterators(c: &mut Criterion) {
    assert_eq!(
        checked(DATAGRAM),
        hand_written(DATAGRAM),
        "both walks see the same"
    );
    let mut group = c.benchmark_group("link_dump_32k");
    group.throughput(Throughput::Bytes(DATAGRAM.len() as u64));
    group.bench_function("checked_iterators", |b| {
        b.iter(|| checked(black_box(DATAGRAM)))
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| hand_written(black_box(DATAGRAM)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = iterators
}
criterion_main!(benches);
