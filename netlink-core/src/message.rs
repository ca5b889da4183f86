//! Checked views over messages and datagrams.
//!
//! [`Message::parse`] validates one message at the start of a buffer: at
//! least 16 bytes, `nlmsg_len >= 16`, and `nlmsg_len` within the buffer
//! (`NLMSG_OK`). After that its accessors cannot fail. [`Messages`] walks a
//! datagram: the next message starts at the aligned length of the previous
//! one (`NLMSG_NEXT`), and the last one may be unaligned and unpadded.
//!
//! A framing error leaves no way to find the next message, so the iterator
//! yields the error once and then ends: every call returns, and no byte is
//! read twice. Nothing here panics.

use zerocopy::FromBytes;

use crate::align::{NLMSG_HDRLEN, align};
use crate::attr::Attrs;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::header::{MessageType, NlMsgHdr, NlmFlags};

/// A checked view of one netlink message: header and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    header: NlMsgHdr,
    payload: &'a [u8],
}

impl<'a> Message<'a> {
    /// Parses the message at the start of `buf` and returns it with the
    /// number of bytes it takes including padding (at most `buf.len()`).
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::Truncated`] when fewer than 16 bytes remain,
    /// [`DecodeErrorKind::MessageTooShort`] when `nlmsg_len < 16` and
    /// [`DecodeErrorKind::MessagePastEnd`] when it runs past `buf`; all at
    /// offset 0.
    #[inline]
    pub fn parse(buf: &'a [u8]) -> Result<(Self, usize), DecodeError> {
        let Ok((header, _)) = NlMsgHdr::read_from_prefix(buf) else {
            return Err(truncated("message header", NLMSG_HDRLEN, buf.len()));
        };
        let len = usize::try_from(header.len).unwrap_or(usize::MAX);
        if len < NLMSG_HDRLEN {
            return Err(DecodeError::new(
                DecodeErrorKind::MessageTooShort { len: header.len },
                0,
            ));
        }
        let Some(payload) = buf.get(NLMSG_HDRLEN..len) else {
            let kind = DecodeErrorKind::MessagePastEnd {
                len: header.len,
                remaining: buf.len(),
            };
            return Err(DecodeError::new(kind, 0));
        };
        let advance = align(len).map_or(buf.len(), |a| a.min(buf.len()));
        Ok((Self { header, payload }, advance))
    }

    /// Returns the header as received.
    #[inline]
    #[must_use]
    pub const fn header(&self) -> &NlMsgHdr {
        &self.header
    }

    /// Returns the message type.
    #[inline]
    #[must_use]
    pub const fn message_type(&self) -> MessageType {
        self.header.message_type()
    }

    /// Returns the flags.
    #[inline]
    #[must_use]
    pub const fn flags(&self) -> NlmFlags {
        self.header.flags()
    }

    /// Returns the sequence number the sender wrote.
    #[inline]
    #[must_use]
    pub const fn seq(&self) -> u32 {
        self.header.seq
    }

    /// Returns the port id the sender wrote in the header. Only the socket
    /// address of a datagram says who really sent it.
    #[inline]
    #[must_use]
    pub const fn pid(&self) -> u32 {
        self.header.pid
    }

    /// Returns the payload: everything after the header up to `nlmsg_len`.
    #[inline]
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Splits the payload into a fixed family header `T` (`ifinfomsg`,
    /// `genlmsghdr`, ...) and the attributes that start at its aligned size
    /// (`nlmsg_attrdata`). Offsets of those attributes and of their errors
    /// count from the start of the message, as the kernel's extended-ack
    /// offset does.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::Truncated`] at offset 16 when the payload is
    /// shorter than `T`: the attributes could not be found.
    pub fn family_header<T: FromBytes>(&self) -> Result<(T, Attrs<'a>), DecodeError> {
        let size = core::mem::size_of::<T>();
        let Ok((header, _)) = T::read_from_prefix(self.payload) else {
            let err = truncated("family header", size, self.payload.len());
            return Err(err.shifted(NLMSG_HDRLEN));
        };
        let start = align(size).unwrap_or(usize::MAX);
        let attrs = self.payload.get(start..).unwrap_or_default();
        let base = NLMSG_HDRLEN.saturating_add(start);
        Ok((header, Attrs::with_base(attrs, base)))
    }
}

/// An iterator over the messages of one datagram.
///
/// Yields `Ok` for every well-framed message in order, then at most one
/// `Err` for a framing fault, then ends.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    // What is left to walk, and where it starts in the datagram.
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Messages<'a> {
    /// Returns an iterator over the messages in `datagram`.
    #[inline]
    #[must_use]
    pub const fn new(datagram: &'a [u8]) -> Self {
        Self {
            rest: datagram,
            offset: 0,
        }
    }

    /// Returns the offset of the next message within the datagram (its
    /// length once the walk has ended).
    #[inline]
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Ends the walk after a framing fault; `err.shifted` is out of line,
    /// so the walk's state can stay in registers on the common path.
    #[inline]
    fn fault(&mut self, err: DecodeError) -> DecodeError {
        let at = self.offset;
        self.offset = at.saturating_add(self.rest.len());
        self.rest = &[];
        err.shifted(at)
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<Message<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        if rest.len() < NLMSG_HDRLEN {
            let kind = DecodeErrorKind::TrailingBytes {
                what: "message",
                count: rest.len(),
            };
            return Some(Err(self.fault(DecodeError::new(kind, 0))));
        }
        match Message::parse(rest) {
            Ok((msg, advance)) => {
                self.rest = rest.get(advance..).unwrap_or_default();
                self.offset = self.offset.saturating_add(advance);
                Some(Ok(msg))
            }
            Err(err) => Some(Err(self.fault(err))),
        }
    }
}

impl core::iter::FusedIterator for Messages<'_> {}

#[cold]
pub(crate) fn truncated(what: &'static str, needed: usize, found: usize) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::Truncated {
            what,
            needed,
            found,
        },
        0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::IntoBytes;

    fn msg(ty: u16, len: u32, payload: &[u8]) -> Vec<u8> {
        let hdr = NlMsgHdr {
            len,
            ty,
            flags: 0,
            seq: 1,
            pid: 0,
        };
        let mut out = hdr.as_bytes().to_vec();
        out.extend_from_slice(payload);
        out
    }

    fn collect(buf: &[u8]) -> Vec<Result<(u16, Vec<u8>), DecodeErrorKind>> {
        Messages::new(buf)
            .map(|r| {
                r.map(|m| (m.message_type().0, m.payload().to_vec()))
                    .map_err(|e| e.kind().clone())
            })
            .collect()
    }

    #[test]
    fn datagram_under_16_bytes_is_trailing_bytes() {
        assert_eq!(
            collect(&[0; 10]),
            [Err(DecodeErrorKind::TrailingBytes {
                what: "message",
                count: 10
            })]
        );
    }

    #[test]
    fn empty_datagram_yields_nothing() {
        assert!(collect(&[]).is_empty());
    }

    #[test]
    fn nlmsg_len_zero_ends_instead_of_looping() {
        let buf = msg(16, 0, &[0; 16]);
        assert_eq!(
            collect(&buf),
            [Err(DecodeErrorKind::MessageTooShort { len: 0 })]
        );
    }

    #[test]
    fn nlmsg_len_below_header_is_refused() {
        for len in 1..16 {
            let buf = msg(16, len, &[]);
            assert_eq!(
                collect(&buf),
                [Err(DecodeErrorKind::MessageTooShort { len })]
            );
        }
    }

    #[test]
    fn nlmsg_len_past_the_datagram_is_refused() {
        let buf = msg(16, 40, &[1, 2, 3, 4]);
        assert_eq!(
            collect(&buf),
            [Err(DecodeErrorKind::MessagePastEnd {
                len: 40,
                remaining: 20
            })]
        );
    }

    #[test]
    fn nlmsg_len_near_u32_max_does_not_wrap() {
        for len in [u32::MAX, u32::MAX - 1, u32::MAX - 3] {
            let buf = msg(16, len, &[0; 8]);
            assert_eq!(
                collect(&buf),
                [Err(DecodeErrorKind::MessagePastEnd { len, remaining: 24 })]
            );
        }
    }

    #[test]
    fn unaligned_last_message_is_accepted_unpadded() {
        let mut buf = msg(16, 20, &[9; 4]);
        buf.extend(msg(17, 19, &[7, 7, 7]));
        assert_eq!(collect(&buf), [Ok((16, vec![9; 4])), Ok((17, vec![7; 3]))]);
    }

    #[test]
    fn padded_middle_message_advances_past_its_padding() {
        let mut buf = msg(16, 19, &[1, 2, 3, 0]);
        buf.extend(msg(17, 16, &[]));
        assert_eq!(collect(&buf), [Ok((16, vec![1, 2, 3])), Ok((17, vec![]))]);
    }

    #[test]
    fn trailing_junk_under_16_bytes_follows_the_good_messages() {
        let mut buf = msg(16, 16, &[]);
        buf.extend([0xAA; 7]);
        let got = collect(&buf);
        assert_eq!(got[0], Ok((16, vec![])));
        assert_eq!(
            got[1],
            Err(DecodeErrorKind::TrailingBytes {
                what: "message",
                count: 7
            })
        );
        let err = Messages::new(&buf).nth(1).unwrap().unwrap_err();
        assert_eq!(err.offset(), 16);
    }

    #[test]
    fn several_messages_and_done_in_one_datagram() {
        let mut buf = msg(16, 20, &[1; 4]);
        buf.extend(msg(16, 20, &[2; 4]));
        buf.extend(msg(3, 20, &[0; 4]));
        let types: Vec<_> = collect(&buf).into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(types, [16, 16, 3]);
    }

    #[test]
    fn a_bad_message_is_reported_after_the_good_ones_before_it() {
        let mut buf = msg(16, 16, &[]);
        buf.extend(msg(16, 1000, &[]));
        let got = collect(&buf);
        assert_eq!(got.len(), 2);
        assert!(got[0].is_ok());
        assert_eq!(
            got[1],
            Err(DecodeErrorKind::MessagePastEnd {
                len: 1000,
                remaining: 16
            })
        );
    }
}
