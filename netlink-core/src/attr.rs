//! Attributes: checked views, iteration, nesting and writing.
//!
//! ```text
//!  0       2       4                         nla_len   aligned
//! +-------+-------+---------------------------+-------+
//! |nla_len|nla_type|         payload          |  pad  |
//! +-------+-------+---------------------------+-------+
//!          |
//!          +-- bit 15 NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER, bits 0-13 type
//! ```
//!
//! [`Attrs`] walks an attribute stream (`nla_for_each_attr`): an attribute
//! is valid when at least 4 bytes remain, `nla_len >= 4` and `nla_len` fits
//! in what remains; the next starts at the aligned length. A fault ends the
//! walk after one error, so every loop terminates. [`Attr::kind`] is the one
//! place where the flag bits are masked off the type.
//!
//! Writing goes through [`write()`], [`begin_nest`] and [`end_nest`], which
//! append to a `Vec<u8>` and refuse (never truncate) what `nla_len` cannot
//! describe. The flag `NLA_F_NESTED` is always set on nests: strict generic
//! netlink families require it, and rtnetlink ignores it.

use zerocopy::{FromBytes, IntoBytes};

use crate::align::{NLA_ALIGNTO, NLA_HDRLEN, padding};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::value::Encode;

/// The nested flag bit of `nla_type`, `NLA_F_NESTED`.
pub const NLA_F_NESTED: u16 = 1 << 15;
/// The network-byte-order flag bit of `nla_type`, `NLA_F_NET_BYTEORDER`.
pub const NLA_F_NET_BYTEORDER: u16 = 1 << 14;
/// The mask that leaves the type without flags, `NLA_TYPE_MASK`.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// A checked view of one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    raw_type: u16,
    offset: usize,
    payload: &'a [u8],
}

impl<'a> Attr<'a> {
    /// Returns the attribute type with the flag bits masked off.
    #[inline]
    #[must_use]
    pub const fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }

    /// Returns `nla_type` as received, flag bits included.
    #[inline]
    #[must_use]
    pub const fn raw_type(&self) -> u16 {
        self.raw_type
    }

    /// Returns whether the sender set `NLA_F_NESTED`. Decoders do not rely
    /// on it: rtnetlink leaves it off some nests.
    #[inline]
    #[must_use]
    pub const fn is_nested(&self) -> bool {
        self.raw_type & NLA_F_NESTED != 0
    }

    /// Returns whether the sender set `NLA_F_NET_BYTEORDER`.
    #[inline]
    #[must_use]
    pub const fn is_net_byteorder(&self) -> bool {
        self.raw_type & NLA_F_NET_BYTEORDER != 0
    }

    /// Returns the payload, without header or padding.
    #[inline]
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Returns where the attribute header starts, counted from the start of
    /// the stream the outermost [`Attrs`] walked.
    #[inline]
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Returns where the payload starts, counted like [`Attr::offset`].
    #[inline]
    #[must_use]
    pub const fn payload_offset(&self) -> usize {
        self.offset.saturating_add(NLA_HDRLEN)
    }

    /// Returns an iterator over the payload read as nested attributes,
    /// whatever the `NLA_F_NESTED` bit says. Offsets stay counted from the
    /// outermost stream.
    #[inline]
    #[must_use]
    pub const fn nested(&self) -> Attrs<'a> {
        Attrs::with_base(self.payload, self.payload_offset())
    }
}

/// An iterator over an attribute stream.
///
/// Yields `Ok` for every well-framed attribute in order, then at most one
/// `Err` for a framing fault, then ends.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    // What is left to walk, and where it starts in the outermost stream.
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Attrs<'a> {
    /// Returns an iterator over the attributes in `buf`.
    #[inline]
    #[must_use]
    pub const fn new(buf: &'a [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    /// Returns an iterator over `buf` whose offsets (of attributes and of
    /// errors) count from `base` instead of 0.
    #[inline]
    #[must_use]
    pub const fn with_base(buf: &'a [u8], base: usize) -> Self {
        Self {
            rest: buf,
            offset: base,
        }
    }

    /// Ends the walk after a framing fault and returns its error. The
    /// error is built out of line, from values only, so that the walk's
    /// state can stay in registers on the common path.
    #[inline]
    fn fault(&mut self, kind: DecodeErrorKind) -> Option<Result<Attr<'a>, DecodeError>> {
        self.rest = &[];
        Some(Err(framing_error(kind, self.offset)))
    }
}

#[cold]
#[inline(never)]
fn framing_error(kind: DecodeErrorKind, offset: usize) -> DecodeError {
    DecodeError::new(kind, offset)
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        let (nla_len, raw_type) = match *rest {
            [] => return None,
            [l0, l1, t0, t1, ..] => (u16::from_ne_bytes([l0, l1]), u16::from_ne_bytes([t0, t1])),
            _ => {
                let count = rest.len();
                return self.fault(DecodeErrorKind::TrailingBytes {
                    what: "attribute",
                    count,
                });
            }
        };
        let len = usize::from(nla_len);
        if len < NLA_HDRLEN {
            return self.fault(DecodeErrorKind::AttrTooShort { len: nla_len });
        }
        let Some(payload) = rest.get(NLA_HDRLEN..len) else {
            let kind = DecodeErrorKind::AttrPastEnd {
                len: nla_len,
                remaining: rest.len(),
            };
            return self.fault(kind);
        };
        // `len` fits in a u16, so aligning it cannot overflow. Only an
        // unpadded last attribute aligns past the end, and then nothing
        // remains either way.
        let advance = len.wrapping_add(NLA_ALIGNTO - 1) & !(NLA_ALIGNTO - 1);
        let offset = self.offset;
        self.rest = rest.get(advance..).unwrap_or_default();
        self.offset = offset.saturating_add(advance);
        Some(Ok(Attr {
            raw_type,
            offset,
            payload,
        }))
    }
}

impl core::iter::FusedIterator for Attrs<'_> {}

/// The nesting depth below the outermost stream that [`NestedWalk`] users
/// are advised to allow: deeper than any kernel family nests, small enough
/// that a hostile message cannot make a recursive decoder exhaust its stack.
pub const MAX_NEST_DEPTH: usize = 32;

/// A depth-first walk over an attribute stream and the nests within it,
/// bounded in depth.
///
/// It yields every attribute with its depth (0 for the outermost stream)
/// and descends into those for which `descend(path, &attr)` returns
/// `true`, where `path` lists the types of the enclosing nests, outermost
/// first (empty for the outermost stream). Rtnetlink leaves
/// `NLA_F_NESTED` off some nests, so the caller, not the flag, decides
/// what is a nest ([`Attr::is_nested`] is one choice). The walk keeps its own stack instead of recursing: memory and
/// stack use stay bounded on any input. Attributes are yielded down to
/// depth `max_depth`; a nest at that depth that `descend` selects is
/// yielded as [`DecodeErrorKind::TooDeep`] at its offset instead. That
/// error, or a framing fault at any depth, ends the walk.
///
/// # Examples
///
/// ```
/// use netlink_core::attr::{self, NestedWalk};
///
/// let mut buf = Vec::new();
/// attr::write_nest(&mut buf, 1, |o| attr::write(o, 2, &7u32))?;
/// let walk = NestedWalk::new(&buf, 8, |_: &[u16], a: &netlink_core::Attr<'_>| a.is_nested());
/// let seen: Vec<_> = walk.map(|r| r.map(|(depth, a)| (depth, a.kind()))).collect::<Result<_, _>>()?;
/// assert_eq!(seen, [(0, 1), (1, 2)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct NestedWalk<'a, F> {
    stack: Vec<Attrs<'a>>,
    // Types of the nests the stack descended into: one less than `stack`.
    path: Vec<u16>,
    max_depth: usize,
    descend: F,
}

impl<'a, F> NestedWalk<'a, F>
where
    F: FnMut(&[u16], &Attr<'a>) -> bool,
{
    /// Returns a walk over `buf` that descends where `descend` says, at
    /// most `max_depth` levels below the outermost stream.
    #[must_use]
    pub fn new(buf: &'a [u8], max_depth: usize, descend: F) -> Self {
        Self::over(Attrs::new(buf), max_depth, descend)
    }

    /// Returns a walk that starts from `attrs` (for example the attributes
    /// after a family header, with their offsets).
    #[must_use]
    pub fn over(attrs: Attrs<'a>, max_depth: usize, descend: F) -> Self {
        Self {
            stack: vec![attrs],
            path: Vec::new(),
            max_depth,
            descend,
        }
    }

    #[cold]
    #[inline(never)]
    fn fault(&mut self, err: DecodeError) -> Option<<Self as Iterator>::Item> {
        self.stack.clear();
        self.path.clear();
        Some(Err(err))
    }
}

impl<'a, F> Iterator for NestedWalk<'a, F>
where
    F: FnMut(&[u16], &Attr<'a>) -> bool,
{
    type Item = Result<(usize, Attr<'a>), DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let depth = self.stack.len().checked_sub(1)?;
            match self.stack.last_mut()?.next() {
                None => {
                    self.stack.pop();
                    self.path.pop();
                }
                Some(Err(err)) => return self.fault(err),
                Some(Ok(attr)) => {
                    if (self.descend)(&self.path, &attr) {
                        if depth >= self.max_depth {
                            let kind = DecodeErrorKind::TooDeep {
                                limit: self.max_depth,
                            };
                            return self.fault(DecodeError::new(kind, attr.offset()));
                        }
                        self.stack.push(attr.nested());
                        self.path.push(attr.kind());
                    }
                    return Some(Ok((depth, attr)));
                }
            }
        }
    }
}

impl<'a, F> core::iter::FusedIterator for NestedWalk<'a, F> where F: FnMut(&[u16], &Attr<'a>) -> bool
{}

/// The attribute header, `struct nlattr`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    FromBytes,
    IntoBytes,
    zerocopy::KnownLayout,
    zerocopy::Immutable,
)]
#[repr(C)]
pub struct NlAttrHdr {
    /// Length of header and payload without padding, `nla_len`.
    pub len: u16,
    /// Type and flag bits, `nla_type`.
    pub ty: u16,
}

/// Appends one attribute of type `kind` holding `value`, with padding.
///
/// The header is written with its final length, taken from
/// [`Encode::encoded_len`], before the value: one pass and no patching. A
/// value that writes another length than it announced is measured and its
/// header corrected (or refused as too long), so a wrong `encoded_len`
/// never produces a wrong `nla_len`.
///
/// # Errors
///
/// [`EncodeError::AttributeTooLong`] when the payload is over 65,531
/// bytes; `out` is then left as it was. Errors of `value` pass through.
#[inline]
pub fn write<V: Encode + ?Sized>(
    out: &mut Vec<u8>,
    kind: u16,
    value: &V,
) -> Result<(), EncodeError> {
    let too_long = |len: usize| EncodeError::AttributeTooLong {
        kind,
        len: len.saturating_sub(NLA_HDRLEN),
    };
    write_sized(
        out,
        kind & NLA_TYPE_MASK,
        value.encoded_len(),
        too_long,
        |out| value.encode(out),
    )
}

/// Appends an attribute whose `nla_type` is `raw_type` and whose payload,
/// announced as `len` bytes, `fill` writes; then pads it. The header goes
/// first with its final length when `len` fits, and is corrected should
/// `fill` write another length. `too_long` makes the error from the
/// attribute's length with its header.
#[inline]
pub(crate) fn write_sized<F>(
    out: &mut Vec<u8>,
    raw_type: u16,
    len: usize,
    too_long: impl FnOnce(usize) -> EncodeError,
    fill: F,
) -> Result<(), EncodeError>
where
    F: FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
{
    let start = out.len();
    let Some(nla_len) = len
        .checked_add(NLA_HDRLEN)
        .and_then(|l| u16::try_from(l).ok())
    else {
        return Err(too_long(len.saturating_add(NLA_HDRLEN)));
    };
    let header = NlAttrHdr {
        len: nla_len,
        ty: raw_type,
    };
    out.extend_from_slice(header.as_bytes());
    if let Err(err) = fill(out) {
        out.truncate(start);
        return Err(err);
    }
    if out.len().wrapping_sub(start) != usize::from(nla_len) {
        return remeasure(out, start, raw_type, too_long);
    }
    pad(out, len);
    Ok(())
}

/// Corrects the header of an attribute whose value wrote another length
/// than it announced: a broken `Encode` impl, never the common case.
#[cold]
#[inline(never)]
fn remeasure(
    out: &mut Vec<u8>,
    start: usize,
    raw_type: u16,
    too_long: impl FnOnce(usize) -> EncodeError,
) -> Result<(), EncodeError> {
    close(out, start, raw_type, too_long)
}

/// Appends the zeros that align `len` bytes to four.
#[inline]
pub(crate) fn pad(out: &mut Vec<u8>, len: usize) {
    const ZEROS: [u8; NLA_ALIGNTO] = [0; NLA_ALIGNTO];
    out.extend_from_slice(ZEROS.get(..padding(len)).unwrap_or_default());
}

/// Appends one attribute of type `kind` whose payload is `bytes`.
///
/// # Errors
///
/// [`EncodeError::AttributeTooLong`] when `bytes` is over 65,531 bytes.
pub fn write_bytes(out: &mut Vec<u8>, kind: u16, bytes: &[u8]) -> Result<(), EncodeError> {
    write(out, kind, bytes)
}

/// Appends one attribute whose `nla_type` is `raw_type` exactly as given,
/// flag bits included, holding `bytes`: what an attribute kept as received
/// needs to be written back unchanged.
///
/// # Errors
///
/// [`EncodeError::AttributeTooLong`] when `bytes` is over 65,531 bytes;
/// `out` is then left as it was.
#[inline]
pub fn write_raw(out: &mut Vec<u8>, raw_type: u16, bytes: &[u8]) -> Result<(), EncodeError> {
    let too_long = |len: usize| EncodeError::AttributeTooLong {
        kind: raw_type & NLA_TYPE_MASK,
        len: len.saturating_sub(NLA_HDRLEN),
    };
    write_sized(out, raw_type, bytes.len(), too_long, |out| {
        out.extend_from_slice(bytes);
        Ok(())
    })
}

/// The start of an open nest, returned by [`begin_nest`] and consumed by
/// [`end_nest`].
#[derive(Debug)]
#[must_use = "a nest must be closed with end_nest"]
pub struct Nest {
    start: usize,
    kind: u16,
}

/// Opens a nest of type `kind` (`nla_nest_start`): appends a header whose
/// length [`end_nest`] fills in. `NLA_F_NESTED` is set.
pub fn begin_nest(out: &mut Vec<u8>, kind: u16) -> Nest {
    let start = out.len();
    out.extend_from_slice(&[0; NLA_HDRLEN]);
    Nest { start, kind }
}

/// Closes a nest (`nla_nest_end`): sets its length to everything appended
/// since [`begin_nest`].
///
/// # Errors
///
/// [`EncodeError::NestTooLong`] when the nest is over 65,535 bytes; the
/// nest and all that follows it are then removed from `out`.
pub fn end_nest(out: &mut Vec<u8>, nest: Nest) -> Result<(), EncodeError> {
    let Nest { start, kind } = nest;
    close(out, start, (kind & NLA_TYPE_MASK) | NLA_F_NESTED, |len| {
        EncodeError::NestTooLong { kind, len }
    })
}

/// Appends a nest of type `kind` whose content `fill` writes.
///
/// # Errors
///
/// Errors of `fill`, and [`EncodeError::NestTooLong`]; `out` is then left
/// as it was.
pub fn write_nest<F>(out: &mut Vec<u8>, kind: u16, fill: F) -> Result<(), EncodeError>
where
    F: FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
{
    let nest = begin_nest(out, kind);
    let start = nest.start;
    if let Err(err) = fill(out) {
        out.truncate(start);
        return Err(err);
    }
    end_nest(out, nest)
}

fn close(
    out: &mut Vec<u8>,
    start: usize,
    raw_type: u16,
    too_long: impl FnOnce(usize) -> EncodeError,
) -> Result<(), EncodeError> {
    let len = out.len().saturating_sub(start);
    let Ok(nla_len) = u16::try_from(len) else {
        out.truncate(start);
        return Err(too_long(len));
    };
    let header = NlAttrHdr {
        len: nla_len,
        ty: raw_type,
    };
    if let Some(slot) = out.get_mut(start..start.saturating_add(NLA_HDRLEN)) {
        slot.copy_from_slice(header.as_bytes());
    }
    out.resize(out.len().saturating_add(padding(len)), 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(len: u16, ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = NlAttrHdr { len, ty }.as_bytes().to_vec();
        out.extend_from_slice(payload);
        out
    }

    fn kinds(buf: &[u8]) -> Vec<Result<(u16, Vec<u8>), DecodeErrorKind>> {
        Attrs::new(buf)
            .map(|r| {
                r.map(|a| (a.kind(), a.payload().to_vec()))
                    .map_err(|e| e.kind().clone())
            })
            .collect()
    }

    #[test]
    fn nla_len_zero_ends_instead_of_looping() {
        assert_eq!(
            kinds(&attr(0, 1, &[0; 8])),
            [Err(DecodeErrorKind::AttrTooShort { len: 0 })]
        );
    }

    #[test]
    fn nla_len_one_to_three_is_refused() {
        for len in 1..4 {
            assert_eq!(
                kinds(&attr(len, 1, &[0; 4])),
                [Err(DecodeErrorKind::AttrTooShort { len })]
            );
        }
    }

    #[test]
    fn nla_len_past_the_parent_is_refused() {
        assert_eq!(
            kinds(&attr(12, 1, &[0; 4])),
            [Err(DecodeErrorKind::AttrPastEnd {
                len: 12,
                remaining: 8
            })]
        );
    }

    #[test]
    fn nla_len_near_u16_max_is_refused_without_wrapping() {
        assert_eq!(
            kinds(&attr(u16::MAX, 1, &[0; 4])),
            [Err(DecodeErrorKind::AttrPastEnd {
                len: u16::MAX,
                remaining: 8
            })]
        );
    }

    #[test]
    fn flag_bits_are_masked_off_the_type_and_kept() {
        let buf = attr(4, 0x8000 | 0x4000 | 7, &[]);
        let a = Attrs::new(&buf).next().unwrap().unwrap();
        assert_eq!(a.kind(), 7);
        assert_eq!(a.raw_type(), 0xC007);
        assert!(a.is_nested() && a.is_net_byteorder());
    }

    #[test]
    fn type_zero_and_unknown_types_are_yielded() {
        let mut buf = attr(4, 0, &[]);
        buf.extend(attr(5, 0x3fff, &[1, 0, 0, 0]));
        assert_eq!(kinds(&buf), [Ok((0, vec![])), Ok((0x3fff, vec![1]))]);
    }

    #[test]
    fn trailing_bytes_after_the_last_attribute_are_reported() {
        let mut buf = attr(8, 1, &[1, 2, 3, 4]);
        buf.extend([0, 0]);
        assert_eq!(
            kinds(&buf),
            [
                Ok((1, vec![1, 2, 3, 4])),
                Err(DecodeErrorKind::TrailingBytes {
                    what: "attribute",
                    count: 2
                })
            ]
        );
    }

    #[test]
    fn unpadded_last_attribute_is_accepted() {
        let mut buf = attr(5, 1, &[9, 0, 0, 0]);
        buf.extend(attr(5, 2, &[8]));
        assert_eq!(kinds(&buf), [Ok((1, vec![9])), Ok((2, vec![8]))]);
    }

    #[test]
    fn nested_iteration_reports_outer_offsets() {
        let inner = attr(2, 1, &[]);
        let mut buf = attr(4, 9, &[]);
        buf.extend(attr(8, 2, &inner));
        let outer: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
        let err = outer[1].nested().next().unwrap().unwrap_err();
        assert_eq!(err.offset(), 8);
        assert_eq!(err.kind(), &DecodeErrorKind::AttrTooShort { len: 2 });
    }

    #[test]
    fn empty_nest_yields_nothing() {
        let buf = attr(4, NLA_F_NESTED | 3, &[]);
        let a = Attrs::new(&buf).next().unwrap().unwrap();
        assert_eq!(a.nested().count(), 0);
    }

    #[test]
    fn write_pads_and_sets_length() {
        let mut out = Vec::new();
        write(&mut out, 3, &[1u8, 2, 3][..]).unwrap();
        assert_eq!(out, [7, 0, 3, 0, 1, 2, 3, 0]);
    }

    /// A value whose `encoded_len` announces 2 bytes whatever it writes.
    struct Liar(usize);

    impl Encode for Liar {
        fn encoded_len(&self) -> usize {
            2
        }

        fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
            out.resize(out.len() + self.0, 7);
            Ok(())
        }
    }

    #[test]
    fn a_value_that_misstates_its_length_still_gets_a_true_header() {
        let mut out = Vec::new();
        write(&mut out, 1, &Liar(5)).unwrap();
        assert_eq!(out, [9, 0, 1, 0, 7, 7, 7, 7, 7, 0, 0, 0]);
        let a = Attrs::new(&out).next().unwrap().unwrap();
        assert_eq!(a.payload(), [7; 5]);
        let mut out = vec![0xEE];
        assert_eq!(
            write(&mut out, 1, &Liar(65_532)),
            Err(EncodeError::AttributeTooLong {
                kind: 1,
                len: 65_532
            })
        );
        assert_eq!(out, [0xEE]);
    }

    #[test]
    fn nest_sets_the_nested_flag_and_covers_its_children() {
        let mut out = Vec::new();
        write_nest(&mut out, 5, |o| write(o, 1, &7u32)).unwrap();
        assert_eq!(out, [12, 0, 5, 0x80, 8, 0, 1, 0, 7, 0, 0, 0]);
    }

    #[test]
    fn attribute_over_65531_bytes_is_refused_and_rolled_back() {
        let mut out = vec![0xEE];
        let big = vec![0u8; 65_532];
        assert_eq!(
            write(&mut out, 1, &big[..]),
            Err(EncodeError::AttributeTooLong {
                kind: 1,
                len: 65_532
            })
        );
        assert_eq!(out, [0xEE]);
        write(&mut out, 1, &big[..65_531]).unwrap();
        assert_eq!(out.len(), 1 + 65_535 + 1);
    }

    #[test]
    fn nest_over_65535_bytes_is_refused_and_rolled_back() {
        let mut out = Vec::new();
        let chunk = vec![0u8; 40_000];
        let err = write_nest(&mut out, 2, |o| {
            write(o, 1, &chunk[..])?;
            write(o, 1, &chunk[..])
        });
        assert_eq!(
            err,
            Err(EncodeError::NestTooLong {
                kind: 2,
                len: 80_012
            })
        );
        assert!(out.is_empty());
    }
}
