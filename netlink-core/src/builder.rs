//! Writing messages into a reusable buffer.
//!
//! A [`MessageBuilder`] appends one message to a `Vec<u8>`: the header with
//! a placeholder length, then a fixed family header, attributes, nests and
//! raw bytes in any order, and [`MessageBuilder::finish`] patches
//! `nlmsg_len`. Several builders used one after the other on the same
//! buffer write a batch: consecutive messages in one datagram.
//!
//! Nothing is truncated: an attribute, nest or message that outgrows its
//! length field or the builder's maximum payload is refused with an
//! [`EncodeError`], and the buffer is left as it was before that call. A
//! builder dropped before `finish` removes its partial message.

use core::mem::offset_of;

use zerocopy::{Immutable, IntoBytes};

use crate::align::{NLMSG_HDRLEN, padding};
use crate::attr::{self, Nest};
use crate::error::EncodeError;
use crate::header::{MessageType, NlMsgHdr, NlmFlags};
use crate::value::Encode;

/// Writes one message into a borrowed buffer.
///
/// # Examples
///
/// ```
/// use netlink_core::{Message, MessageBuilder, MessageType, NlmFlags};
///
/// let mut buf = Vec::new();
/// let mut msg = MessageBuilder::new(&mut buf, MessageType(18), NlmFlags::REQUEST);
/// msg.family_header(&[0u8; 16])?;
/// msg.attr(3, "veth0")?;
/// let nest = msg.begin_nest(18)?;
/// msg.attr(1, "veth")?;
/// msg.end_nest(nest)?;
/// msg.finish()?;
///
/// let (parsed, _) = Message::parse(&buf)?;
/// assert_eq!(parsed.header().len as usize, buf.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MessageBuilder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    max_payload: usize,
    finished: bool,
}

impl<'b> MessageBuilder<'b> {
    /// Starts a message of type `ty` with `flags` at the end of `buf`,
    /// after padding `buf` to a four-byte boundary.
    #[inline]
    pub fn new(buf: &'b mut Vec<u8>, ty: MessageType, flags: NlmFlags) -> Self {
        attr::pad(buf, buf.len());
        let start = buf.len();
        let header = NlMsgHdr {
            len: 0,
            ty: ty.0,
            flags: flags.bits(),
            seq: 0,
            pid: 0,
        };
        buf.extend_from_slice(header.as_bytes());
        let max_payload = usize::try_from(u32::MAX)
            .unwrap_or(usize::MAX)
            .saturating_sub(NLMSG_HDRLEN);
        Self {
            buf,
            start,
            max_payload,
            finished: false,
        }
    }

    /// Limits the payload to `max` bytes; writes that would pass it are
    /// refused with [`EncodeError::MessageTooLong`].
    #[must_use]
    pub fn max_payload(mut self, max: usize) -> Self {
        self.max_payload = max.min(self.max_payload);
        self
    }

    /// Sets the sequence number.
    #[inline]
    pub fn set_seq(&mut self, seq: u32) -> &mut Self {
        self.patch_header(offset_of!(NlMsgHdr, seq), seq);
        self
    }

    /// Sets the port id the header names as sender.
    #[inline]
    pub fn set_pid(&mut self, pid: u32) -> &mut Self {
        self.patch_header(offset_of!(NlMsgHdr, pid), pid);
        self
    }

    /// Returns the payload length written so far.
    #[inline]
    #[must_use]
    pub fn payload_len(&self) -> usize {
        self.buf
            .len()
            .saturating_sub(self.start)
            .saturating_sub(NLMSG_HDRLEN)
    }

    /// Appends a fixed family header such as `ifinfomsg` or `genlmsghdr`,
    /// padded to four bytes.
    ///
    /// # Errors
    ///
    /// [`EncodeError::MessageTooLong`] past the maximum payload.
    pub fn family_header<T: IntoBytes + Immutable + ?Sized>(
        &mut self,
        header: &T,
    ) -> Result<&mut Self, EncodeError> {
        self.append(header.as_bytes())
    }

    /// Appends raw bytes to the payload and pads them to four bytes, as
    /// libnl's `nlmsg_append` does.
    ///
    /// # Errors
    ///
    /// [`EncodeError::MessageTooLong`] past the maximum payload.
    pub fn append(&mut self, bytes: &[u8]) -> Result<&mut Self, EncodeError> {
        self.guarded(|buf| {
            buf.extend_from_slice(bytes);
            buf.resize(buf.len().saturating_add(padding(bytes.len())), 0);
            Ok(())
        })
    }

    /// Appends an attribute of type `kind` holding `value`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::AttributeTooLong`] over 65,531 bytes,
    /// [`EncodeError::MessageTooLong`] past the maximum payload, and errors
    /// of `value`.
    #[inline]
    pub fn attr<V: Encode + ?Sized>(
        &mut self,
        kind: u16,
        value: &V,
    ) -> Result<&mut Self, EncodeError> {
        self.guarded(|buf| attr::write(buf, kind, value))
    }

    /// Appends an attribute whose `nla_type` is `raw_type` as given, flag
    /// bits included, holding `bytes`: how an attribute kept as received
    /// is written back unchanged.
    ///
    /// # Errors
    ///
    /// [`EncodeError::AttributeTooLong`] over 65,531 bytes and
    /// [`EncodeError::MessageTooLong`] past the maximum payload.
    pub fn raw_attr(&mut self, raw_type: u16, bytes: &[u8]) -> Result<&mut Self, EncodeError> {
        self.guarded(|buf| attr::write_raw(buf, raw_type, bytes))
    }

    /// Opens a nest of type `kind`; close it with
    /// [`MessageBuilder::end_nest`].
    ///
    /// # Errors
    ///
    /// [`EncodeError::MessageTooLong`] past the maximum payload.
    pub fn begin_nest(&mut self, kind: u16) -> Result<Nest, EncodeError> {
        let mut nest = None;
        self.guarded(|buf| {
            nest = Some(attr::begin_nest(buf, kind));
            Ok(())
        })?;
        nest.ok_or(EncodeError::Invalid {
            what: "nest",
            reason: "could not be opened",
        })
    }

    /// Closes a nest opened with [`MessageBuilder::begin_nest`].
    ///
    /// # Errors
    ///
    /// [`EncodeError::NestTooLong`] over 65,535 bytes; the nest is removed.
    pub fn end_nest(&mut self, nest: Nest) -> Result<&mut Self, EncodeError> {
        attr::end_nest(self.buf, nest)?;
        Ok(self)
    }

    /// Appends the encoding of a whole payload (for example a derived
    /// message type), padded to four bytes.
    ///
    /// # Errors
    ///
    /// [`EncodeError::MessageTooLong`] past the maximum payload, and errors
    /// of `value`.
    #[inline]
    pub fn payload<V: Encode + ?Sized>(&mut self, value: &V) -> Result<&mut Self, EncodeError> {
        self.guarded(|buf| {
            let before = buf.len();
            value.encode(buf)?;
            attr::pad(buf, buf.len().saturating_sub(before));
            Ok(())
        })
    }

    /// Patches `nlmsg_len` and returns the message's length.
    ///
    /// # Errors
    ///
    /// [`EncodeError::MessageTooLong`] if the message is over `u32::MAX`
    /// bytes; the message is then removed.
    #[inline]
    pub fn finish(mut self) -> Result<usize, EncodeError> {
        let len = self.buf.len().saturating_sub(self.start);
        let Ok(len32) = u32::try_from(len) else {
            return Err(EncodeError::MessageTooLong {
                len,
                max: self.max_payload,
            });
        };
        self.patch_header(offset_of!(NlMsgHdr, len), len32);
        self.finished = true;
        Ok(len)
    }

    #[inline]
    fn guarded<F>(&mut self, write: F) -> Result<&mut Self, EncodeError>
    where
        F: FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    {
        let mark = self.buf.len();
        if let Err(err) = write(self.buf) {
            self.buf.truncate(mark);
            return Err(err);
        }
        let len = self.payload_len();
        if len > self.max_payload {
            self.buf.truncate(mark);
            return Err(EncodeError::MessageTooLong {
                len,
                max: self.max_payload,
            });
        }
        Ok(self)
    }

    #[inline]
    fn patch_header(&mut self, field: usize, value: u32) {
        let at = self.start.saturating_add(field);
        put_u32(self.buf, at, value);
    }
}

impl Drop for MessageBuilder<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.buf.truncate(self.start);
        }
    }
}

/// Writes the sequence number and port id into the header at the start of
/// `message`, as a socket does before sending. Returns `false` when
/// `message` is shorter than a header. `message` may start at any address:
/// the fields are written byte by byte, not through an aligned reference.
pub fn set_seq_and_pid(message: &mut [u8], seq: u32, pid: u32) -> bool {
    if message.len() < NLMSG_HDRLEN {
        return false;
    }
    put_u32(message, offset_of!(NlMsgHdr, seq), seq);
    put_u32(message, offset_of!(NlMsgHdr, pid), pid);
    true
}

/// Writes `value` in host order at byte `at` of `buf`, whatever the
/// alignment of that byte; does nothing when the four bytes do not fit.
#[inline]
fn put_u32(buf: &mut [u8], at: usize, value: u32) {
    if let Some(bytes) = buf.get_mut(at..at.saturating_add(4)) {
        bytes.copy_from_slice(&value.to_ne_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Attrs, Message, Messages};

    #[test]
    fn builds_a_padded_message_whose_length_covers_everything() {
        let mut buf = Vec::new();
        let mut b =
            MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::REQUEST | NlmFlags::ACK);
        b.set_seq(5).set_pid(6);
        b.append(&[1, 2, 3]).unwrap();
        b.attr(1, &7u16).unwrap();
        assert_eq!(b.finish().unwrap(), 28);
        let (msg, advance) = Message::parse(&buf).unwrap();
        assert_eq!(advance, 28);
        assert_eq!((msg.seq(), msg.pid()), (5, 6));
        assert_eq!(msg.flags(), NlmFlags::REQUEST | NlmFlags::ACK);
        assert_eq!(msg.payload()[..4], [1, 2, 3, 0]);
        let a = Attrs::new(&msg.payload()[4..]).next().unwrap().unwrap();
        assert_eq!((a.kind(), a.payload()), (1, &7u16.to_ne_bytes()[..]));
    }

    #[test]
    fn consecutive_builders_form_a_batch() {
        let mut buf = Vec::new();
        for ty in 16..19 {
            let mut b = MessageBuilder::new(&mut buf, MessageType(ty), NlmFlags::REQUEST);
            b.append(&[ty as u8]).unwrap();
            b.finish().unwrap();
        }
        let types: Vec<_> = Messages::new(&buf)
            .map(|m| m.unwrap().message_type().0)
            .collect();
        assert_eq!(types, [16, 17, 18]);
    }

    #[test]
    fn maximum_payload_refuses_the_write_that_passes_it() {
        let mut buf = Vec::new();
        let mut b =
            MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::empty()).max_payload(8);
        b.attr(1, &1u32).unwrap();
        assert_eq!(
            b.attr(2, &1u32).unwrap_err(),
            EncodeError::MessageTooLong { len: 16, max: 8 }
        );
        assert_eq!(b.payload_len(), 8);
        b.finish().unwrap();
        assert_eq!(buf.len(), 24);
    }

    #[test]
    fn dropped_builder_leaves_no_partial_message() {
        let mut buf = vec![1, 2, 3, 4];
        {
            let mut b = MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::empty());
            b.attr(1, &1u32).unwrap();
        }
        assert_eq!(buf, [1, 2, 3, 4]);
    }

    #[test]
    fn nested_attributes_through_the_builder() {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::empty());
        let nest = b.begin_nest(7).unwrap();
        b.attr(1, "veth").unwrap();
        b.end_nest(nest).unwrap();
        b.finish().unwrap();
        let (msg, _) = Message::parse(&buf).unwrap();
        let outer = Attrs::new(msg.payload()).next().unwrap().unwrap();
        assert!(outer.is_nested());
        let inner = outer.nested().next().unwrap().unwrap();
        assert_eq!(inner.payload(), b"veth\0");
    }

    #[test]
    fn set_seq_and_pid_patches_a_finished_message() {
        let mut buf = Vec::new();
        MessageBuilder::new(&mut buf, MessageType(16), NlmFlags::empty())
            .finish()
            .unwrap();
        assert!(set_seq_and_pid(&mut buf, 9, 10));
        assert_eq!(Message::parse(&buf).unwrap().0.seq(), 9);
        assert!(!set_seq_and_pid(&mut buf[..8], 1, 1));
    }

    #[test]
    fn set_seq_and_pid_writes_a_header_at_an_odd_address() {
        let mut buf = vec![0xee];
        let mut message = Vec::new();
        MessageBuilder::new(&mut message, MessageType(16), NlmFlags::ACK)
            .finish()
            .unwrap();
        buf.extend_from_slice(&message);
        // One byte in, the header cannot be borrowed as an aligned struct.
        assert!(set_seq_and_pid(&mut buf[1..], 0x0102_0304, 77));
        let (parsed, _) = Message::parse(&buf[1..]).unwrap();
        assert_eq!((parsed.seq(), parsed.header().pid), (0x0102_0304, 77));
        assert_eq!(parsed.header().len, 16);
        assert_eq!(buf[0], 0xee);
    }
}
