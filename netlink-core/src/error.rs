//! Typed decode and encode errors.
//!
//! A [`DecodeError`] says what went wrong ([`DecodeErrorKind`]), at which
//! byte offset, and inside which named attributes. Decoders of nested data
//! call [`DecodeError::within`] as the error travels up, so the caller reads
//! a whole path:
//!
//! ```text
//! link.linkinfo.kind: attribute length 2 is shorter than its 4-byte header at offset 52
//! ```
//!
//! The error is boxed so that `Result<T, DecodeError>` stays one pointer
//! wide on the success path.

use core::fmt;

/// What went wrong while decoding, without the location.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    /// Fewer bytes remain than a fixed-size item needs.
    #[error("{what} needs {needed} bytes but {found} remain")]
    Truncated {
        /// The item being read.
        what: &'static str,
        /// Bytes the item needs.
        needed: usize,
        /// Bytes that remain.
        found: usize,
    },
    /// `nlmsg_len` is smaller than the 16-byte header.
    #[error("message length {len} is shorter than its 16-byte header")]
    MessageTooShort {
        /// The `nlmsg_len` read.
        len: u32,
    },
    /// `nlmsg_len` runs past the end of the datagram.
    #[error("message length {len} runs past the end of the datagram ({remaining} bytes remain)")]
    MessagePastEnd {
        /// The `nlmsg_len` read.
        len: u32,
        /// Bytes left in the datagram.
        remaining: usize,
    },
    /// `nla_len` is smaller than the 4-byte attribute header.
    #[error("attribute length {len} is shorter than its 4-byte header")]
    AttrTooShort {
        /// The `nla_len` read.
        len: u16,
    },
    /// `nla_len` runs past the end of the enclosing payload.
    #[error("attribute length {len} runs past its parent ({remaining} bytes remain)")]
    AttrPastEnd {
        /// The `nla_len` read.
        len: u16,
        /// Bytes left in the parent.
        remaining: usize,
    },
    /// Bytes too few to form a header follow the last item.
    #[error("{count} stray bytes follow the last {what}")]
    TrailingBytes {
        /// What the bytes follow: "message" or "attribute".
        what: &'static str,
        /// How many bytes.
        count: usize,
    },
    /// A value has a length other than the one its type requires.
    #[error("{what} must be {expected} bytes, found {found}")]
    WrongLength {
        /// The value's type.
        what: &'static str,
        /// The length the type requires.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A value is shorter than its minimum length.
    #[error("{what} needs at least {min} bytes, found {found}")]
    TooShort {
        /// The value being decoded.
        what: &'static str,
        /// The minimum.
        min: usize,
        /// The length found.
        found: usize,
    },
    /// A value is longer than its maximum length.
    #[error("{what} takes at most {max} bytes, found {found}")]
    TooLong {
        /// The value being decoded.
        what: &'static str,
        /// The maximum.
        max: usize,
        /// The length found.
        found: usize,
    },
    /// A string is not valid UTF-8.
    #[error("string is not valid UTF-8 after byte {valid_up_to}")]
    InvalidUtf8 {
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// A C string has no terminating NUL.
    #[error("string has no NUL terminator")]
    MissingNul,
    /// A required attribute is absent.
    #[error("required attribute {name} (type {kind}) is missing")]
    MissingAttribute {
        /// The field or attribute name.
        name: &'static str,
        /// The attribute type.
        kind: u16,
    },
    /// An attribute type is unknown where unknown types are refused.
    #[error("unknown attribute type {kind}")]
    UnknownAttribute {
        /// The attribute type.
        kind: u16,
    },
    /// A value is outside the range its policy allows.
    #[error("value {value} is outside {min}..={max}")]
    OutOfRange {
        /// The value read.
        value: i128,
        /// The smallest value allowed.
        min: i128,
        /// The largest value allowed.
        max: i128,
    },
    /// Nests go deeper than the decoder allows.
    #[error("attributes nest deeper than {limit} levels")]
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// A message has a type the decoder does not know.
    #[error("unexpected message type {ty}")]
    UnexpectedMessageType {
        /// The `nlmsg_type`, or a command number for generic netlink.
        ty: u16,
    },
    /// A value breaks a rule of its type.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The value being decoded.
        what: &'static str,
        /// The rule it breaks.
        reason: &'static str,
    },
}

/// A decode failure: its kind, the byte offset where it happened, and the
/// path of named attributes that lead to it.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError {
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: DecodeErrorKind,
    offset: usize,
    // Innermost name first: pushing is cheap while the error travels up.
    path: Vec<&'static str>,
}

impl DecodeError {
    /// Returns an error of `kind` at byte `offset` of the current buffer.
    // Errors are the rare path: kept out of line so that decoders that
    // build them stay small enough to inline.
    #[cold]
    #[inline(never)]
    #[must_use]
    pub fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                offset,
                path: Vec::new(),
            }),
        }
    }

    /// Returns what went wrong.
    #[must_use]
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.inner.kind
    }

    /// Returns the byte offset of the fault, counted from the start of the
    /// outermost buffer the error has travelled through.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.inner.offset
    }

    /// Returns the names that lead to the fault, outermost first.
    pub fn path(&self) -> impl DoubleEndedIterator<Item = &'static str> + '_ {
        self.inner.path.iter().rev().copied()
    }

    /// Returns the error seen from an enclosing buffer: `name` is prefixed
    /// to the path and `base`, where the inner buffer starts in the outer
    /// one, is added to the offset.
    #[cold]
    #[inline(never)]
    #[must_use]
    pub fn within(mut self, name: &'static str, base: usize) -> Self {
        self.inner.path.push(name);
        self.inner.offset = self.inner.offset.saturating_add(base);
        self
    }

    /// Returns the error with `base` added to its offset and no new name.
    #[cold]
    #[inline(never)]
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        self.inner.offset = self.inner.offset.saturating_add(base);
        self
    }
}

impl From<DecodeErrorKind> for DecodeError {
    #[cold]
    fn from(kind: DecodeErrorKind) -> Self {
        Self::new(kind, 0)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.path();
        if let Some(first) = names.next() {
            f.write_str(first)?;
            for name in names {
                write!(f, ".{name}")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{} at offset {}", self.inner.kind, self.inner.offset)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecodeError({self})")
    }
}

impl std::error::Error for DecodeError {}

/// An encode failure. Nothing is ever truncated to fit: a value that does
/// not fit is refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// An attribute payload is over 65,531 bytes, the most `nla_len` can
    /// describe.
    #[error("attribute {kind} payload of {len} bytes exceeds the 65531-byte limit")]
    AttributeTooLong {
        /// The attribute type.
        kind: u16,
        /// The payload length.
        len: usize,
    },
    /// A nest is over 65,535 bytes with its header.
    #[error("nested attribute {kind} of {len} bytes exceeds the 65535-byte limit")]
    NestTooLong {
        /// The attribute type.
        kind: u16,
        /// The nest length, header included.
        len: usize,
    },
    /// A message payload is over the maximum set on its builder, or the
    /// message is over `u32::MAX` bytes.
    #[error("message payload of {len} bytes exceeds the maximum of {max}")]
    MessageTooLong {
        /// The payload length reached.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// A value breaks a rule of its type or policy.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The value being encoded.
        what: &'static str,
        /// The rule it breaks.
        reason: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_errors_read_as_a_path_with_the_outer_offset() {
        let err = DecodeError::new(DecodeErrorKind::AttrTooShort { len: 2 }, 8)
            .within("kind", 4)
            .within("linkinfo", 20)
            .within("link", 20);
        assert_eq!(
            err.to_string(),
            "link.linkinfo.kind: attribute length 2 is shorter than its 4-byte header at offset 52"
        );
        assert_eq!(err.path().collect::<Vec<_>>(), ["link", "linkinfo", "kind"]);
    }

    #[test]
    fn error_stays_pointer_sized() {
        assert_eq!(
            core::mem::size_of::<DecodeError>(),
            core::mem::size_of::<usize>()
        );
    }
}
