//! What every implementation of a workload must agree on: how many items
//! it decoded and a sum over the decoded values.

use std::fmt;

/// A count of decoded items and wrapping sums over their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tally {
    /// Items decoded (messages, links, routes, round trips).
    pub(crate) count: u64,
    /// Wrapping sum of the decoded numbers.
    pub(crate) sum: u64,
    /// Wrapping sum of the decoded byte strings: length and bytes.
    pub(crate) bytes: u64,
}

impl Tally {
    /// Counts one item.
    #[inline]
    pub(crate) fn item(&mut self) {
        self.count += 1;
    }

    /// Adds a number.
    #[inline]
    pub(crate) fn num(&mut self, value: u64) {
        self.sum = self.sum.wrapping_add(value);
    }

    /// Adds a byte string: its length, first and last byte.
    #[inline]
    pub(crate) fn text(&mut self, value: &[u8]) {
        let first = value.first().copied().unwrap_or(0);
        let last = value.last().copied().unwrap_or(0);
        let mix = (value.len() as u64) << 16 | u64::from(first) << 8 | u64::from(last);
        self.bytes = self.bytes.wrapping_add(mix);
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "count {} sum {:#x} bytes {:#x}",
            self.count, self.sum, self.bytes
        )
    }
}
