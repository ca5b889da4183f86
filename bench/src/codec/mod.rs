//! The codec workload: generic-netlink-style messages encoded into one
//! buffer and decoded from it, with no socket involved.
//!
//! Every message is `nlmsghdr`, `genlmsghdr`, then seven attributes: a
//! u32, a u64, a 16-byte string (15 characters and the NUL), 64 bytes of
//! binary, a nest of four u16 and three repeats of a u32. Values change
//! with the message index so that the checksums catch a decoder that reads
//! the wrong field.

use crate::alloc::allocations;
use crate::report::Table;
use crate::tally::Tally;

mod handwritten;
mod neli_impl;
mod ours;
mod packet;

/// `nlmsg_type` of the messages: a generic netlink family id.
pub(crate) const FAMILY: u16 = 0x20;
/// `genlmsghdr.cmd`.
pub(crate) const CMD: u8 = 1;
/// `genlmsghdr.version`.
pub(crate) const VERSION: u8 = 1;

/// Attribute types of the message and of the nest.
pub(crate) mod kind {
    pub(crate) const COUNT: u16 = 1;
    pub(crate) const TOTAL: u16 = 2;
    pub(crate) const NAME: u16 = 3;
    pub(crate) const BLOB: u16 = 4;
    pub(crate) const QUAD: u16 = 5;
    pub(crate) const ITEM: u16 = 6;
}

/// The values of one message, borrowed from [`Input`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Values<'a> {
    pub(crate) seq: u32,
    pub(crate) count: u32,
    pub(crate) total: u64,
    pub(crate) name: &'a str,
    pub(crate) blob: &'a [u8; 64],
    pub(crate) quad: [u16; 4],
    pub(crate) items: [u32; 3],
}

impl Values<'_> {
    /// Adds these values to `tally` as every decoder must.
    pub(crate) fn tally(&self, tally: &mut Tally) {
        tally.item();
        tally.num(u64::from(self.seq));
        tally.num(u64::from(self.count));
        tally.num(self.total);
        tally.text(self.name.as_bytes());
        tally.text(self.blob);
        self.quad.iter().for_each(|&q| tally.num(u64::from(q)));
        self.items.iter().for_each(|&v| tally.num(u64::from(v)));
    }
}

/// Strings and blobs the messages borrow, made before any timing.
pub(crate) struct Input {
    names: Vec<String>,
    blobs: Vec<[u8; 64]>,
}

const VARIANTS: usize = 64;

impl Input {
    fn new() -> Self {
        let names = (0..VARIANTS)
            .map(|i| format!("sample-name-{i:03}"))
            .collect();
        let blobs = (0..VARIANTS)
            .map(|i| core::array::from_fn(|j| (i * 7 + j) as u8))
            .collect();
        Self { names, blobs }
    }

    /// Returns the values of message `i`.
    pub(crate) fn values(&self, i: usize) -> Values<'_> {
        let n = i as u32;
        Values {
            seq: n.wrapping_add(1),
            count: n,
            total: u64::from(n) << 32 | u64::from(n ^ 0x5555),
            name: &self.names[i % VARIANTS],
            blob: &self.blobs[i % VARIANTS],
            quad: core::array::from_fn(|k| (i + k) as u16),
            items: core::array::from_fn(|k| n.wrapping_mul(k as u32 + 1)),
        }
    }

    /// Returns the tally every decoder of `n` messages must produce.
    fn expected(&self, n: usize) -> Tally {
        let mut tally = Tally::default();
        (0..n).for_each(|i| self.values(i).tally(&mut tally));
        tally
    }
}

type Encoder = fn(&Input, usize, &mut Vec<u8>);
type Decoder = fn(&[u8]) -> Tally;

/// The implementations, the baseline first.
const ENCODERS: [(&str, Encoder); 4] = [
    ("hand-written", handwritten::encode),
    ("netlink-derive", ours::encode),
    ("neli", neli_impl::encode),
    ("netlink-packet-generic", packet::encode),
];

const DECODERS: [(&str, Decoder); 6] = [
    ("hand-written", handwritten::decode),
    ("netlink-derive struct", ours::decode_struct),
    ("netlink-derive struct, Vec", ours::decode_struct_vec),
    ("netlink-derive lazy", ours::decode_lazy),
    ("neli", neli_impl::decode),
    ("netlink-packet-generic", packet::decode),
];

/// Runs the codec workload: `n` messages, `reps` times, every
/// implementation once per repetition in turn.
pub(crate) fn run(n: usize, reps: usize, table: &mut Table) {
    let input = Input::new();
    let expected = input.expected(n);
    let mut canonical = Vec::new();
    handwritten::encode(&input, n, &mut canonical);
    check_encoders(&input, n, &canonical, expected);
    let mut out = Vec::with_capacity(canonical.len() * 2);
    for _ in 0..reps {
        for (name, encode) in ENCODERS {
            out.clear();
            let (start, allocs) = (crate::sys::CpuTimer::start(), allocations());
            encode(&input, n, &mut out);
            let elapsed = start.elapsed();
            let allocs = allocations() - allocs;
            table.record("codec encode", name, elapsed, allocs, n as u64);
            std::hint::black_box(&out);
        }
        for (name, decode) in DECODERS {
            let (start, allocs) = (crate::sys::CpuTimer::start(), allocations());
            let tally = decode(std::hint::black_box(&canonical));
            let elapsed = start.elapsed();
            let allocs = allocations() - allocs;
            crate::report::check("codec decode", name, tally, expected);
            table.record("codec decode", name, elapsed, allocs, n as u64);
        }
    }
}

/// Checks, before timing, that every encoder writes what the baseline
/// decodes to the expected values, and that every decoder reads the
/// baseline's bytes.
fn check_encoders(input: &Input, n: usize, canonical: &[u8], expected: Tally) {
    for (name, encode) in ENCODERS {
        let mut out = Vec::new();
        encode(input, n, &mut out);
        let tally = handwritten::decode(&out);
        crate::report::check("codec encode", name, tally, expected);
        if out.len() != canonical.len() {
            crate::report::abort(&format!(
                "codec encode: {name} wrote {} bytes, the baseline {}",
                out.len(),
                canonical.len()
            ));
        }
    }
}
