//! Traits and helpers behind `#[derive(NetlinkMessage)]`.
//!
//! The derive turns three kinds of items into codecs, and each kind meets
//! the wire through one trait of this module:
//!
//! - a struct (a message payload or the content of a nest) implements
//!   [`Encode`], [`Decode`] and [`Nest`];
//! - an attribute enum (one variant per attribute type) implements
//!   [`AttrEnum`]; a sequence of them is read lazily with [`AttrIter`] or
//!   into a `Vec` with [`decode_attrs`], and written with [`encode_attrs`];
//! - a message enum (one variant per message type) implements
//!   [`MessageEnum`], or, keyed by the generic netlink command,
//!   [`GenlCommand`] together with [`Encode`] and [`Decode`].
//!
//! Hand-written types can implement these traits too: nothing here knows
//! about the macro.
//!
//! Nests are decoded with a depth counter so that a recursive type cannot
//! exhaust the stack on hostile input: past [`MAX_DEPTH`] levels decoding
//! stops with [`DecodeErrorKind::TooDeep`].

use core::fmt;
use core::marker::PhantomData;

use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::align::{align, attr_space, padding};
use crate::attr::{self, Attr, Attrs};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::message::Message;
use crate::value::{Decode, Encode};

/// How many nests deep a derived decoder descends before it gives up with
/// [`DecodeErrorKind::TooDeep`]. The kernel's own policies nest far less.
pub const MAX_DEPTH: usize = 32;

/// A type that is the content of a nest (or a whole payload): derived
/// structs, `Vec`s of attribute enums and [`AttrIter`].
///
/// Unlike [`Decode`], decoding carries the nesting depth, which derived
/// decoders raise by one for every nest they enter.
pub trait Nest<'a>: Sized {
    /// Returns the number of bytes [`Nest::encode_content`] appends.
    fn content_len(&self) -> usize;

    /// Appends the content, without the nest's own header.
    ///
    /// # Errors
    ///
    /// Errors of the attributes inside.
    fn encode_content(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Decodes the content of a nest found `depth` levels down.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] whose offset counts from the start of `bytes`.
    fn decode_content(bytes: &'a [u8], depth: usize) -> Result<Self, DecodeError>;
}

impl<'a, T: Nest<'a>> Nest<'a> for Box<T> {
    fn content_len(&self) -> usize {
        (**self).content_len()
    }

    fn encode_content(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        (**self).encode_content(out)
    }

    fn decode_content(bytes: &'a [u8], depth: usize) -> Result<Self, DecodeError> {
        T::decode_content(bytes, depth).map(Box::new)
    }
}

/// One attribute of a known set: a derived attribute enum, or a
/// [`RawAttr`] that keeps any attribute as it came.
pub trait AttrEnum<'a>: Sized {
    /// Returns the attribute type, flag bits masked off.
    fn kind(&self) -> u16;

    /// Returns the bytes [`AttrEnum::write_attr`] appends: header, payload
    /// and padding.
    fn attr_size(&self) -> usize;

    /// Appends the attribute with its header and padding.
    ///
    /// # Errors
    ///
    /// [`EncodeError::AttributeTooLong`] and errors of the value.
    fn write_attr(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Decodes one attribute found `depth` nests down. Returns `None` for an
    /// attribute type the set does not know and does not keep.
    ///
    /// # Errors
    ///
    /// Errors of the value, with the variant's name and the attribute's
    /// payload offset in their path; [`DecodeErrorKind::UnknownAttribute`]
    /// for an unknown type in a strict set.
    fn decode_attr(attr: &Attr<'a>, depth: usize) -> Result<Option<Self>, DecodeError>;
}

/// Returns the sum of [`AttrEnum::attr_size`] over `attrs`.
pub fn attrs_len<'a, E: AttrEnum<'a>>(attrs: &[E]) -> usize {
    attrs
        .iter()
        .fold(0usize, |n, a| n.saturating_add(a.attr_size()))
}

/// Appends every attribute of `attrs`, in order.
///
/// # Errors
///
/// The first error of [`AttrEnum::write_attr`].
pub fn encode_attrs<'a, E: AttrEnum<'a>>(
    out: &mut Vec<u8>,
    attrs: &[E],
) -> Result<(), EncodeError> {
    attrs.iter().try_for_each(|a| a.write_attr(out))
}

/// Decodes a whole attribute stream into a `Vec`, in wire order.
///
/// # Errors
///
/// The first framing or value error.
pub fn decode_attrs<'a, E: AttrEnum<'a>>(bytes: &'a [u8]) -> Result<Vec<E>, DecodeError> {
    AttrIter::new(bytes).collect()
}

impl<'a, E: AttrEnum<'a>> Nest<'a> for Vec<E> {
    fn content_len(&self) -> usize {
        attrs_len(self)
    }

    fn encode_content(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_attrs(out, self)
    }

    fn decode_content(bytes: &'a [u8], depth: usize) -> Result<Self, DecodeError> {
        AttrIter::at_depth(bytes, depth).collect()
    }
}

/// A lazy decoder of an attribute stream into an attribute enum `E`.
///
/// Yields every attribute `E` knows in wire order, skips those it neither
/// knows nor keeps, and after the first error yields nothing more. As a
/// [`Nest`] it encodes by copying the bytes it was made from, so decode then
/// encode loses nothing.
pub struct AttrIter<'a, E> {
    bytes: &'a [u8],
    attrs: Attrs<'a>,
    depth: usize,
    failed: bool,
    _marker: PhantomData<fn() -> E>,
}

impl<'a, E> AttrIter<'a, E> {
    /// Returns an iterator over the attributes in `bytes`.
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::at_depth(bytes, 0)
    }

    /// Returns an iterator over a nest's content found `depth` levels down.
    #[must_use]
    pub fn at_depth(bytes: &'a [u8], depth: usize) -> Self {
        Self {
            bytes,
            attrs: Attrs::new(bytes),
            depth,
            failed: false,
            _marker: PhantomData,
        }
    }

    /// Returns the bytes the iterator reads.
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<E> Clone for AttrIter<'_, E> {
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes,
            attrs: self.attrs.clone(),
            depth: self.depth,
            failed: self.failed,
            _marker: PhantomData,
        }
    }
}

impl<E> fmt::Debug for AttrIter<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttrIter")
            .field("len", &self.bytes.len())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// Two iterators are equal when they read the same bytes.
impl<E> PartialEq for AttrIter<'_, E> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<'a, E: AttrEnum<'a>> Iterator for AttrIter<'a, E> {
    type Item = Result<E, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let step = self
                .attrs
                .next()?
                .and_then(|a| E::decode_attr(&a, self.depth));
            match step {
                Ok(Some(value)) => return Some(Ok(value)),
                Ok(None) => {}
                Err(err) => {
                    self.failed = true;
                    return Some(Err(err));
                }
            }
        }
    }
}

impl<'a, E: AttrEnum<'a>> core::iter::FusedIterator for AttrIter<'a, E> {}

impl<'a, E: AttrEnum<'a>> Nest<'a> for AttrIter<'a, E> {
    fn content_len(&self) -> usize {
        self.bytes.len()
    }

    fn encode_content(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.bytes);
        Ok(())
    }

    fn decode_content(bytes: &'a [u8], depth: usize) -> Result<Self, DecodeError> {
        Ok(Self::at_depth(bytes, depth))
    }
}

/// An attribute kept as it came: `nla_type` with its flag bits, and the
/// payload. The catch-all of derived structs and enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawAttr<'a> {
    /// `nla_type` as received, `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER`
    /// included; written back unchanged.
    pub raw_type: u16,
    /// The payload, without header or padding.
    pub payload: &'a [u8],
}

/// An owned [`RawAttr`], for owned message types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawAttrBuf {
    /// `nla_type` as received, flag bits included.
    pub raw_type: u16,
    /// The payload, without header or padding.
    pub payload: Vec<u8>,
}

impl<'a> AttrEnum<'a> for RawAttr<'a> {
    fn kind(&self) -> u16 {
        self.raw_type & attr::NLA_TYPE_MASK
    }

    fn attr_size(&self) -> usize {
        attr_size(self.payload.len())
    }

    fn write_attr(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_raw(out, self.raw_type, self.payload)
    }

    fn decode_attr(attr: &Attr<'a>, _depth: usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Self {
            raw_type: attr.raw_type(),
            payload: attr.payload(),
        }))
    }
}

impl AttrEnum<'_> for RawAttrBuf {
    fn kind(&self) -> u16 {
        self.raw_type & attr::NLA_TYPE_MASK
    }

    fn attr_size(&self) -> usize {
        attr_size(self.payload.len())
    }

    fn write_attr(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_raw(out, self.raw_type, &self.payload)
    }

    fn decode_attr(attr: &Attr<'_>, _depth: usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Self {
            raw_type: attr.raw_type(),
            payload: attr.payload().to_vec(),
        }))
    }
}

/// A message kept as it came: the catch-all variant of message enums. For
/// generic netlink command enums `ty` is the command and `payload` starts
/// with the `genlmsghdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawMessage<'a> {
    /// The `nlmsg_type`, or the command of a generic netlink message.
    pub ty: u16,
    /// The whole payload.
    pub payload: &'a [u8],
}

impl Encode for RawMessage<'_> {
    fn encoded_len(&self) -> usize {
        self.payload.len()
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.payload);
        Ok(())
    }
}

/// A message enum keyed by `nlmsg_type`: decodes whatever arrived in one
/// call.
pub trait MessageEnum<'a>: Encode + Sized {
    /// Decodes the payload of a message of type `ty`.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::UnexpectedMessageType`] for a type the enum does
    /// not know and does not keep, and errors of the payload.
    fn decode_message(ty: u16, payload: &'a [u8]) -> Result<Self, DecodeError>;

    /// Returns the `nlmsg_type` this value is sent as.
    fn message_type(&self) -> u16;

    /// Decodes a checked message view.
    ///
    /// # Errors
    ///
    /// As [`MessageEnum::decode_message`].
    fn from_message(message: &Message<'a>) -> Result<Self, DecodeError> {
        Self::decode_message(message.message_type().0, message.payload())
    }
}

/// A generic netlink message enum keyed by `genlmsghdr.cmd`, the first byte
/// of the payload. Its [`Decode`] dispatches on that byte; its [`Encode`]
/// writes the variant's payload and sets that byte to [`GenlCommand::command`].
pub trait GenlCommand {
    /// Returns the command this value is sent as.
    ///
    /// A kept [`RawMessage`] answers with its `ty`. One whose `ty` is above
    /// 255 cannot be sent (encoding it fails, see [`raw_command`]) and
    /// answers `u8::MAX`.
    fn command(&self) -> u8;
}

/// Returns the command byte of a kept generic netlink message: its `ty`.
///
/// # Errors
///
/// [`EncodeError::Invalid`] when `ty` is above 255 and so does not fit in
/// `genlmsghdr.cmd`.
#[inline]
pub fn raw_command(raw: &RawMessage<'_>) -> Result<u8, EncodeError> {
    u8::try_from(raw.ty).map_err(|_| EncodeError::Invalid {
        what: "generic netlink command",
        reason: "kept message type is above 255, the largest genlmsghdr.cmd",
    })
}

/// Returns what [`GenlCommand::command`] answers for a kept message: its
/// `ty`, or `u8::MAX` when that does not fit in a byte.
#[inline]
#[must_use]
pub fn kept_command(raw: &RawMessage<'_>) -> u8 {
    raw_command(raw).unwrap_or(u8::MAX)
}

/// Writes a kept generic netlink message with its `ty` as the command
/// byte, as the other variants of a command enum are written.
///
/// # Errors
///
/// [`EncodeError::Invalid`] when `ty` is above 255; `out` is then
/// unchanged.
#[inline]
pub fn encode_raw_command(out: &mut Vec<u8>, raw: &RawMessage<'_>) -> Result<(), EncodeError> {
    let command = raw_command(raw)?;
    encode_command(out, command, raw)
}

/// Writes a big-endian integer (the `be` option): wraps a host integer on
/// its way to and from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Be<T>(pub T);

impl<T> Be<T> {
    /// Returns the wrapped integer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0
    }
}

macro_rules! impl_be {
    ($($ty:ty),*) => {$(
        impl Encode for Be<$ty> {
            #[inline]
            fn encoded_len(&self) -> usize {
                core::mem::size_of::<$ty>()
            }

            #[inline]
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                out.extend_from_slice(&self.0.to_be_bytes());
                Ok(())
            }
        }

        impl Decode<'_> for Be<$ty> {
            #[inline]
            fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
                let array = <[u8; core::mem::size_of::<$ty>()]>::try_from(bytes).map_err(|_| {
                    let kind = DecodeErrorKind::WrongLength {
                        what: stringify!($ty),
                        expected: core::mem::size_of::<$ty>(),
                        found: bytes.len(),
                    };
                    DecodeError::new(kind, 0)
                })?;
                Ok(Self(<$ty>::from_be_bytes(array)))
            }
        }
    )*};
}

impl_be!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

/// Text whose bytes are written without a NUL terminator (the `nul = false`
/// option). Decoding is unchanged: it stops at a NUL if there is one.
#[derive(Debug, Clone, Copy)]
pub struct NoNul<'r, T: ?Sized>(pub &'r T);

/// Text that [`NoNul`] can write: strings and byte strings.
pub trait Text {
    /// Returns the bytes without any terminator.
    fn text_bytes(&self) -> &[u8];
}

impl Text for str {
    fn text_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Text for String {
    fn text_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Text for [u8] {
    fn text_bytes(&self) -> &[u8] {
        self
    }
}

impl Text for Vec<u8> {
    fn text_bytes(&self) -> &[u8] {
        self
    }
}

impl<T: Text + ?Sized> Text for &T {
    fn text_bytes(&self) -> &[u8] {
        (**self).text_bytes()
    }
}

impl<T: Text + ?Sized> Encode for NoNul<'_, T> {
    fn encoded_len(&self) -> usize {
        self.0.text_bytes().len()
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.0.text_bytes());
        Ok(())
    }
}

/// A value a `range = a..=b` policy can check.
pub trait RangeValue {
    /// Returns the value widened to `i128`.
    fn to_i128(&self) -> i128;
}

macro_rules! impl_range {
    ($($ty:ty),*) => {$(
        impl RangeValue for $ty {
            #[inline]
            fn to_i128(&self) -> i128 {
                i128::from(*self)
            }
        }
    )*};
}

impl_range!(u8, u16, u32, u64, i8, i16, i32, i64);

macro_rules! impl_range_ordered {
    ($($ty:ident),*) => {$(
        impl<O: zerocopy::byteorder::ByteOrder> RangeValue for zerocopy::byteorder::$ty<O> {
            #[inline]
            fn to_i128(&self) -> i128 {
                i128::from(self.get())
            }
        }
    )*};
}

impl_range_ordered!(U16, U32, U64, I16, I32, I64);

impl<T: RangeValue + ?Sized> RangeValue for &T {
    fn to_i128(&self) -> i128 {
        (**self).to_i128()
    }
}

/// Returns the space an attribute with `payload` bytes takes, header and
/// padding included (`nla_total_size`), saturating instead of overflowing.
#[inline]
#[must_use]
pub fn attr_size(payload: usize) -> usize {
    attr_space(payload).unwrap_or(usize::MAX)
}

/// Returns `len` rounded up to four, saturating.
#[inline]
#[must_use]
pub fn aligned(len: usize) -> usize {
    align(len).unwrap_or(usize::MAX)
}

/// Returns `depth + 1`, the depth of a nest entered at `depth`.
///
/// # Errors
///
/// [`DecodeErrorKind::TooDeep`] past [`MAX_DEPTH`].
#[inline]
pub fn deeper(depth: usize) -> Result<usize, DecodeError> {
    if depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(depth.saturating_add(1))
}

#[cold]
#[inline(never)]
fn too_deep() -> DecodeError {
    DecodeError::new(DecodeErrorKind::TooDeep { limit: MAX_DEPTH }, 0)
}

/// Appends an attribute whose `nla_type` is `raw_type` exactly, flag bits
/// included.
///
/// # Errors
///
/// [`EncodeError::AttributeTooLong`] over 65,531 bytes; `out` is unchanged.
#[inline]
pub fn write_raw(out: &mut Vec<u8>, raw_type: u16, payload: &[u8]) -> Result<(), EncodeError> {
    attr::write_raw(out, raw_type, payload)
}

/// Appends a flag attribute: a header and no payload.
///
/// # Errors
///
/// None in practice; the signature matches the other writers.
#[inline]
pub fn write_flag(out: &mut Vec<u8>, kind: u16) -> Result<(), EncodeError> {
    write_raw(out, kind & attr::NLA_TYPE_MASK, &[])
}

/// Appends a nest of type `kind` holding `value`. With `flagged` the
/// `NLA_F_NESTED` bit is set (the default); without it the nest looks like
/// one written by the kernel's `nla_nest_start_noflag`.
///
/// # Errors
///
/// Errors of `value` and [`EncodeError::NestTooLong`]; `out` is then
/// unchanged.
#[inline]
pub fn write_nest<'a, T: Nest<'a>>(
    out: &mut Vec<u8>,
    kind: u16,
    flagged: bool,
    value: &T,
) -> Result<(), EncodeError> {
    // The content announces its length, so the header is written once with
    // its final value (and corrected should the content disagree).
    let flag = if flagged { attr::NLA_F_NESTED } else { 0 };
    let raw_type = (kind & attr::NLA_TYPE_MASK) | flag;
    let too_long = |len| EncodeError::NestTooLong { kind, len };
    attr::write_sized(out, raw_type, value.content_len(), too_long, |out| {
        value.encode_content(out)
    })
}

/// Appends a nest of type `kind` whose content `fill` writes; `flagged` as
/// in [`write_nest`].
///
/// # Errors
///
/// Errors of `fill` and [`EncodeError::NestTooLong`]; `out` is then
/// unchanged.
#[inline]
pub fn write_nest_with<F>(
    out: &mut Vec<u8>,
    kind: u16,
    flagged: bool,
    fill: F,
) -> Result<(), EncodeError>
where
    F: FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
{
    let start = out.len();
    attr::write_nest(out, kind, fill)?;
    if !flagged {
        // NLA_F_NESTED is bit 15 of the host-order `nla_type` at bytes 2..4.
        let high = if cfg!(target_endian = "little") { 3 } else { 2 };
        if let Some(byte) = out.get_mut(start.saturating_add(high)) {
            *byte &= 0x7f;
        }
    }
    Ok(())
}

/// Returns the attribute type of entry `index` (counted from 0) of an
/// indexed array: entries are numbered from 1.
///
/// # Errors
///
/// [`EncodeError::Invalid`] past the 14-bit attribute type space.
#[inline]
pub fn index_kind(index: usize) -> Result<u16, EncodeError> {
    u16::try_from(index.saturating_add(1))
        .ok()
        .filter(|&k| k <= attr::NLA_TYPE_MASK)
        .ok_or(EncodeError::Invalid {
            what: "indexed array",
            reason: "more entries than attribute types",
        })
}

/// Reads a fixed header of type `T` at `*pos` and advances `*pos` past it.
///
/// # Errors
///
/// [`DecodeErrorKind::Truncated`] naming `what` when the bytes end first.
#[inline]
pub fn read_header<T: FromBytes>(
    bytes: &[u8],
    pos: &mut usize,
    what: &'static str,
) -> Result<T, DecodeError> {
    let rest = bytes.get(*pos..).unwrap_or(&[]);
    let Ok((value, _)) = T::read_from_prefix(rest) else {
        let kind = DecodeErrorKind::Truncated {
            what,
            needed: core::mem::size_of::<T>(),
            found: rest.len(),
        };
        return Err(DecodeError::new(kind, *pos));
    };
    *pos = pos.saturating_add(core::mem::size_of::<T>());
    Ok(value)
}

/// Appends the bytes of a fixed header.
#[inline]
pub fn write_header<T: IntoBytes + Immutable>(out: &mut Vec<u8>, header: &T) {
    out.extend_from_slice(header.as_bytes());
}

/// Pads `out` with zeros so that what was written since `start` is a
/// multiple of four long (headers are followed by aligned attributes,
/// `NLMSG_ALIGN`).
#[inline]
pub fn pad_from(out: &mut Vec<u8>, start: usize) {
    let written = out.len().saturating_sub(start);
    out.resize(out.len().saturating_add(padding(written)), 0);
}

/// Returns the attribute stream that follows headers ending at `pos`,
/// starting at the aligned position.
#[inline]
#[must_use]
pub fn attrs_after(bytes: &[u8], pos: usize) -> Attrs<'_> {
    let start = aligned(pos);
    Attrs::with_base(bytes.get(start..).unwrap_or(&[]), start)
}

/// Returns the value of a required attribute.
///
/// # Errors
///
/// [`DecodeErrorKind::MissingAttribute`] naming it when it is absent.
#[inline]
pub fn required<T>(value: Option<T>, name: &'static str, kind: u16) -> Result<T, DecodeError> {
    match value {
        Some(value) => Ok(value),
        None => Err(missing(name, kind)),
    }
}

#[cold]
#[inline(never)]
fn missing(name: &'static str, kind: u16) -> DecodeError {
    DecodeError::new(DecodeErrorKind::MissingAttribute { name, kind }, 0)
}

/// Returns the error for an attribute a strict decoder does not know.
#[cold]
#[must_use]
pub fn unknown(attr: &Attr<'_>) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::UnknownAttribute { kind: attr.kind() },
        attr.offset(),
    )
}

/// Returns the error for a message type an enum does not know.
#[cold]
#[must_use]
pub fn unexpected_type(ty: u16) -> DecodeError {
    DecodeError::new(DecodeErrorKind::UnexpectedMessageType { ty }, 0)
}

/// Returns the first byte of a generic netlink payload, its command.
///
/// # Errors
///
/// [`DecodeErrorKind::Truncated`] for an empty payload.
#[inline]
pub fn genl_command(payload: &[u8]) -> Result<u8, DecodeError> {
    payload.first().copied().ok_or_else(|| {
        let kind = DecodeErrorKind::Truncated {
            what: "genlmsghdr",
            needed: 4,
            found: 0,
        };
        DecodeError::new(kind, 0)
    })
}

/// Encodes `value` and sets the first byte it wrote to `command`.
///
/// # Errors
///
/// Errors of `value`.
#[inline]
pub fn encode_command<T: Encode + ?Sized>(
    out: &mut Vec<u8>,
    command: u8,
    value: &T,
) -> Result<(), EncodeError> {
    let start = out.len();
    value.encode(out)?;
    if let Some(first) = out.get_mut(start) {
        *first = command;
    }
    Ok(())
}

/// A length policy (`len`, `min_len`, `max_len`), like the kernel's
/// `nla_policy`.
#[derive(Debug, Clone, Copy)]
pub struct LenPolicy {
    /// The field the policy belongs to.
    pub what: &'static str,
    /// The exact length, if any.
    pub exact: Option<usize>,
    /// The minimum length, if any.
    pub min: Option<usize>,
    /// The maximum length, if any.
    pub max: Option<usize>,
}

impl LenPolicy {
    /// Returns `payload` if its length meets the policy.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::WrongLength`], [`DecodeErrorKind::TooShort`] or
    /// [`DecodeErrorKind::TooLong`] at offset 0 of the payload.
    #[inline]
    pub fn check<'a>(&self, payload: &'a [u8]) -> Result<&'a [u8], DecodeError> {
        let found = payload.len();
        let what = self.what;
        let kind = match (self.exact, self.min, self.max) {
            (Some(expected), _, _) if found != expected => DecodeErrorKind::WrongLength {
                what,
                expected,
                found,
            },
            (_, Some(min), _) if found < min => DecodeErrorKind::TooShort { what, min, found },
            (_, _, Some(max)) if found > max => DecodeErrorKind::TooLong { what, max, found },
            _ => return Ok(payload),
        };
        Err(DecodeError::new(kind, 0))
    }

    /// Checks that a decoded value, written back, would meet the policy:
    /// a value may be shorter than its payload (a string ends at its first
    /// NUL), and one that broke the policy could not be encoded again.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::Invalid`] naming the field, at offset 0 of the
    /// payload.
    #[inline]
    pub fn check_decoded(&self, len: usize) -> Result<(), DecodeError> {
        if self.breaks(len) {
            return Err(policy_broken_on_decode(self.what));
        }
        Ok(())
    }

    fn breaks(&self, len: usize) -> bool {
        self.exact.is_some_and(|n| len != n)
            || self.min.is_some_and(|n| len < n)
            || self.max.is_some_and(|n| len > n)
    }

    /// Checks the length of a value about to be written.
    ///
    /// # Errors
    ///
    /// [`EncodeError::Invalid`] naming the field.
    #[inline]
    pub fn check_encode(&self, len: usize) -> Result<(), EncodeError> {
        if self.breaks(len) {
            return Err(EncodeError::Invalid {
                what: self.what,
                reason: "payload length breaks the field's length policy",
            });
        }
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn policy_broken_on_decode(what: &'static str) -> DecodeError {
    let reason = "value read breaks the length policy once bytes after its first NUL are dropped";
    DecodeError::new(DecodeErrorKind::Invalid { what, reason }, 0)
}

/// Returns `value` if it lies in `min..=max`.
///
/// # Errors
///
/// [`DecodeErrorKind::OutOfRange`] at offset 0 of the payload.
#[inline]
pub fn check_range<T: RangeValue>(value: T, min: i128, max: i128) -> Result<T, DecodeError> {
    let v = value.to_i128();
    if v < min || v > max {
        let kind = DecodeErrorKind::OutOfRange { value: v, min, max };
        return Err(DecodeError::new(kind, 0));
    }
    Ok(value)
}

/// Checks a value about to be written against `min..=max`.
///
/// # Errors
///
/// [`EncodeError::Invalid`] naming the field.
#[inline]
pub fn check_range_encode<T: RangeValue + ?Sized>(
    value: &T,
    min: i128,
    max: i128,
    what: &'static str,
) -> Result<(), EncodeError> {
    let v = value.to_i128();
    if v < min || v > max {
        return Err(EncodeError::Invalid {
            what,
            reason: "value outside the field's range policy",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_attributes_keep_their_flag_bits() {
        let mut out = Vec::new();
        write_raw(&mut out, 0x8003, &[1, 2]).unwrap();
        assert_eq!(out, [6, 0, 3, 0x80, 1, 2, 0, 0]);
        let a = Attrs::new(&out).next().unwrap().unwrap();
        let raw = RawAttr::decode_attr(&a, 0).unwrap().unwrap();
        assert_eq!(raw.raw_type, 0x8003);
        assert_eq!(raw.kind(), 3);
    }

    #[test]
    fn unflagged_nests_clear_only_the_nested_bit() {
        let mut out = Vec::new();
        write_nest_with(&mut out, 7, false, |o| attr::write(o, 1, &1u8)).unwrap();
        assert_eq!(&out[..4], &[12, 0, 7, 0]);
    }

    #[test]
    fn depth_stops_at_the_limit() {
        assert_eq!(deeper(0).unwrap(), 1);
        let err = deeper(MAX_DEPTH).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
    }

    #[test]
    fn big_endian_wrapper_uses_network_order() {
        let mut out = Vec::new();
        Be(0x0102u16).encode(&mut out).unwrap();
        assert_eq!(out, [1, 2]);
        assert_eq!(Be::<u16>::decode(&[1, 2]).unwrap().0, 0x0102);
        assert!(Be::<u32>::decode(&[1, 2]).is_err());
    }

    #[test]
    fn length_policy_reports_what_it_expected() {
        let p = LenPolicy {
            what: "f",
            exact: None,
            min: Some(2),
            max: Some(3),
        };
        assert!(p.check(&[1, 2]).is_ok());
        assert_eq!(
            p.check(&[1]).unwrap_err().kind(),
            &DecodeErrorKind::TooShort {
                what: "f",
                min: 2,
                found: 1
            }
        );
        assert!(p.check_encode(4).is_err());
    }

    #[test]
    fn index_kinds_start_at_one() {
        assert_eq!(index_kind(0).unwrap(), 1);
        assert!(index_kind(0x3fff).is_err());
    }
}
