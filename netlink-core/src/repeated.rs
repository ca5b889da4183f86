//! Repeated attributes read in place: [`Repeated`], a borrowed view of
//! every attribute of one type in a stream.
//!
//! A repeated attribute (an attribute type that occurs several times in one
//! message, such as three `CTRL_ATTR_MCAST_GRP_ID`-like entries side by
//! side) is usually collected into a `Vec`, which costs an allocation per
//! message. A `Repeated<'a, T>` instead remembers where the occurrences lie
//! in the received bytes and decodes them again, one by one, whenever it is
//! iterated:
//!
//! ```text
//! attribute stream:  | 6: 10 | 1: .. | 6: 20 | 2: .. | 6: 30 | 3: .. |
//!                    ^-------- span of the view --------^
//! Repeated<'a, u32>: kind 6, count 3  ->  iter() yields 10, 20, 30
//! ```
//!
//! Views over wire bytes are made by derived decoders only (through
//! [`RepeatedSpan`]), and only after every occurrence decoded and met the
//! field's policy, so iterating one cannot fail. A view to be written is
//! made from a slice of values with [`Repeated::from_slice`]. Either kind
//! is compared, printed and encoded by its values.
//!
//! Each occurrence of a view over wire bytes is decoded twice: once when
//! the enclosing struct is decoded (to check it) and again on every
//! iteration. For integers and borrowed strings that is a length check and
//! a load; a `Vec` is the better shape when the values are nests that are
//! expensive to decode and read many times.

use core::fmt;

use crate::align::{NLA_ALIGNTO, NLA_HDRLEN};
use crate::attr::{Attr, NLA_TYPE_MASK};
use crate::value::Decode;

/// A borrowed, lazily decoded sequence of the attributes of one type: the
/// `Repeated` shape of derived structs, an alternative to `Vec<T>` that
/// allocates nothing.
///
/// # Examples
///
/// ```
/// use netlink_core::Repeated;
///
/// let values = [10u32, 20, 30];
/// let items = Repeated::from_slice(&values);
/// assert_eq!(items.len(), 3);
/// assert_eq!(items.iter().sum::<u32>(), 60);
/// assert_eq!(items, Repeated::from_slice(&[10, 20, 30][..]));
/// ```
pub struct Repeated<'a, T> {
    inner: Inner<'a, T>,
}

enum Inner<'a, T> {
    /// Occurrences of `kind` inside `span`, all of which decode.
    Wire {
        span: &'a [u8],
        kind: u16,
        count: usize,
    },
    /// Values given by the caller.
    Values(&'a [T]),
}

impl<'a, T> Repeated<'a, T> {
    /// Returns an empty view.
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self::from_slice(&[])
    }

    /// Returns a view of `values`, for writing.
    #[inline]
    #[must_use]
    pub const fn from_slice(values: &'a [T]) -> Self {
        Self {
            inner: Inner::Values(values),
        }
    }

    /// Returns the number of values.
    #[inline]
    #[must_use]
    pub const fn len(&self) -> usize {
        match self.inner {
            Inner::Wire { count, .. } => count,
            Inner::Values(values) => values.len(),
        }
    }

    /// Returns whether there are no values.
    #[inline]
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: Decode<'a>> Repeated<'a, T> {
    /// Calls `f` with a reference to each value in order, stopping at the
    /// first error. Unlike [`Repeated::iter`] it needs no `Clone`: this is
    /// how derived encoders write the values.
    ///
    /// # Errors
    ///
    /// The first error `f` returns.
    #[inline]
    pub fn try_for_each_value<E>(&self, mut f: impl FnMut(&T) -> Result<(), E>) -> Result<(), E> {
        match self.inner {
            Inner::Wire { span, kind, count } => {
                Occurrences::new(span, kind, count).try_for_each(|v| f(&v))
            }
            Inner::Values(values) => values.iter().try_for_each(f),
        }
    }

    /// Folds the values in order by reference, as
    /// [`Repeated::try_for_each_value`] visits them.
    #[inline]
    pub fn fold_values<B>(&self, init: B, mut f: impl FnMut(B, &T) -> B) -> B {
        match self.inner {
            Inner::Wire { span, kind, count } => {
                Occurrences::new(span, kind, count).fold(init, |acc, v| f(acc, &v))
            }
            Inner::Values(values) => values.iter().fold(init, f),
        }
    }
}

impl<'a, T: Decode<'a> + Clone> Repeated<'a, T> {
    /// Returns an iterator over the values, decoding each one as it goes
    /// (values given with [`Repeated::from_slice`] are cloned).
    #[inline]
    #[must_use]
    pub fn iter(&self) -> Iter<'a, T> {
        let inner = match self.inner {
            Inner::Wire { span, kind, count } => {
                IterInner::Wire(Occurrences::new(span, kind, count))
            }
            Inner::Values(values) => IterInner::Values(values.iter()),
        };
        Iter { inner }
    }
}

// Manual impls: both variants hold references, so the view is `Copy`
// whatever `T` is, which `derive` would not see.
impl<T> Clone for Repeated<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Repeated<'_, T> {}

impl<T> Clone for Inner<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Inner<'_, T> {}

impl<T> Default for Repeated<'_, T> {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, T> From<&'a [T]> for Repeated<'a, T> {
    #[inline]
    fn from(values: &'a [T]) -> Self {
        Self::from_slice(values)
    }
}

impl<'a, T, const N: usize> From<&'a [T; N]> for Repeated<'a, T> {
    #[inline]
    fn from(values: &'a [T; N]) -> Self {
        Self::from_slice(values)
    }
}

impl<'a, T> From<&'a Vec<T>> for Repeated<'a, T> {
    #[inline]
    fn from(values: &'a Vec<T>) -> Self {
        Self::from_slice(values)
    }
}

/// Prints the values as a list.
impl<'a, T: Decode<'a> + Clone + fmt::Debug> fmt::Debug for Repeated<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Two views are equal when they hold equal values in the same order,
/// whether they read wire bytes or a slice.
impl<'a, T: Decode<'a> + Clone + PartialEq> PartialEq for Repeated<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Decode<'a> + Clone + Eq> Eq for Repeated<'a, T> {}

impl<'a, T: Decode<'a> + Clone> IntoIterator for Repeated<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T: Decode<'a> + Clone> IntoIterator for &Repeated<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An iterator over the values of a [`Repeated`].
pub struct Iter<'a, T> {
    inner: IterInner<'a, T>,
}

enum IterInner<'a, T> {
    Wire(Occurrences<'a, T>),
    Values(core::slice::Iter<'a, T>),
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            IterInner::Wire(o) => IterInner::Wire(o.clone()),
            IterInner::Values(v) => IterInner::Values(v.clone()),
        };
        Self { inner }
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.remaining())
            .finish_non_exhaustive()
    }
}

impl<T> Iter<'_, T> {
    fn remaining(&self) -> usize {
        match &self.inner {
            IterInner::Wire(o) => o.left,
            IterInner::Values(v) => v.len(),
        }
    }
}

impl<'a, T: Decode<'a> + Clone> Iterator for Iter<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match &mut self.inner {
            IterInner::Wire(o) => o.next(),
            IterInner::Values(v) => v.next().cloned(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining();
        (n, Some(n))
    }
}

impl<'a, T: Decode<'a> + Clone> ExactSizeIterator for Iter<'a, T> {}

impl<'a, T: Decode<'a> + Clone> core::iter::FusedIterator for Iter<'a, T> {}

/// The occurrences of one attribute type in a checked span, decoded.
struct Occurrences<'a, T> {
    rest: &'a [u8],
    kind: u16,
    left: usize,
    _marker: core::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for Occurrences<'_, T> {
    fn clone(&self) -> Self {
        Self {
            rest: self.rest,
            kind: self.kind,
            left: self.left,
            _marker: core::marker::PhantomData,
        }
    }
}

impl<'a, T> Occurrences<'a, T> {
    #[inline]
    fn new(span: &'a [u8], kind: u16, count: usize) -> Self {
        Self {
            rest: span,
            kind,
            left: count,
            _marker: core::marker::PhantomData,
        }
    }
}

impl<'a, T: Decode<'a>> Iterator for Occurrences<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        // The span was walked with `Attrs`, and each occurrence decoded
        // with this same `T::decode`, when the view was made, so this walk
        // needs no offsets or error values: it only steps over the headers,
        // still with checked slicing. Were the bytes broken anyway, the
        // iteration ends instead of panicking.
        loop {
            let [l0, l1, t0, t1, ..] = *self.rest else {
                return None;
            };
            let len = usize::from(u16::from_ne_bytes([l0, l1]));
            let payload = self.rest.get(NLA_HDRLEN..len)?;
            let advance = len.wrapping_add(NLA_ALIGNTO - 1) & !(NLA_ALIGNTO - 1);
            self.rest = self.rest.get(advance..).unwrap_or_default();
            if u16::from_ne_bytes([t0, t1]) & NLA_TYPE_MASK == self.kind {
                self.left = self.left.saturating_sub(1);
                return T::decode(payload).ok();
            }
        }
    }
}

/// Where the occurrences of one attribute type lie in a stream: what a
/// derived decoder records while it walks, then turns into a [`Repeated`].
/// Not meant for other callers: a view must only cover occurrences that
/// were decoded with the view's `T` and checked.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct RepeatedSpan {
    start: usize,
    end: usize,
    count: usize,
}

impl RepeatedSpan {
    /// Returns an empty record.
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            start: 0,
            end: 0,
            count: 0,
        }
    }

    /// Records `attr`, an occurrence that decoded and met its policy, whose
    /// offsets count from the start of the bytes later given to
    /// [`RepeatedSpan::finish`].
    #[inline]
    pub fn add(&mut self, attr: &Attr<'_>) {
        if self.count == 0 {
            self.start = attr.offset();
        }
        self.end = attr.payload_offset().saturating_add(attr.payload().len());
        self.count = self.count.saturating_add(1);
    }

    /// Returns the view of the recorded occurrences of `kind` in `bytes`.
    #[inline]
    #[must_use]
    pub fn finish<T>(self, bytes: &[u8], kind: u16) -> Repeated<'_, T> {
        let span = bytes.get(self.start..self.end).unwrap_or_default();
        Repeated {
            inner: Inner::Wire {
                span,
                kind,
                count: self.count,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{Attrs, write};

    /// Builds a stream with `values` as attributes of type 6, interleaved
    /// with others, and returns it with the view a decoder would make.
    fn stream(values: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            write(&mut out, 1, &(i as u16)).unwrap();
            write(&mut out, 6, v).unwrap();
        }
        write(&mut out, 2, "tail").unwrap();
        out
    }

    fn view(bytes: &[u8]) -> Repeated<'_, u32> {
        let mut span = RepeatedSpan::new();
        for attr in Attrs::new(bytes) {
            let attr = attr.unwrap();
            if attr.kind() == 6 {
                u32::decode(attr.payload()).unwrap();
                span.add(&attr);
            }
        }
        span.finish(bytes, 6)
    }

    #[test]
    fn wire_view_yields_only_its_type_in_order() {
        let bytes = stream(&[10, 20, 30]);
        let items = view(&bytes);
        assert_eq!(items.len(), 3);
        assert_eq!(items.iter().collect::<Vec<_>>(), [10, 20, 30]);
        assert_eq!(items.iter().size_hint(), (3, Some(3)));
        let mut it = items.iter();
        it.next();
        assert_eq!(it.len(), 2);
    }

    #[test]
    fn wire_and_slice_views_compare_by_value() {
        let bytes = stream(&[1, 2]);
        assert_eq!(view(&bytes), Repeated::from_slice(&[1u32, 2][..]));
        assert_ne!(view(&bytes), Repeated::from_slice(&[1u32, 3][..]));
        assert_ne!(view(&bytes), Repeated::from_slice(&[1u32][..]));
        assert_eq!(format!("{:?}", view(&bytes)), "[1, 2]");
    }

    #[test]
    fn empty_views_are_empty() {
        let bytes = stream(&[]);
        assert!(view(&bytes).is_empty());
        assert_eq!(view(&bytes).iter().next(), None);
        assert_eq!(Repeated::<u32>::default(), view(&bytes));
    }

    #[test]
    fn visiting_by_reference_sees_every_value() {
        let bytes = stream(&[4, 5, 6]);
        let sum = view(&bytes).fold_values(0, |n, v| n + v);
        assert_eq!(sum, 15);
        let mut seen = Vec::new();
        let stopped = view(&bytes).try_for_each_value(|v| {
            seen.push(*v);
            if *v == 5 { Err(()) } else { Ok(()) }
        });
        assert_eq!((stopped, seen), (Err(()), vec![4, 5]));
    }

    #[test]
    fn a_span_over_broken_bytes_ends_instead_of_panicking() {
        // Not a view a decoder would make: the second occurrence is one
        // byte short. Iteration stops there.
        let mut bytes = stream(&[1, 2]);
        assert_eq!(view(&bytes).len(), 2);
        bytes[24] = 7;
        let broken = RepeatedSpan {
            start: 0,
            end: bytes.len(),
            count: 2,
        }
        .finish::<u32>(&bytes, 6);
        assert_eq!(broken.iter().collect::<Vec<_>>(), [1]);
    }
}
