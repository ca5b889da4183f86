//! Acknowledgements, errors and the end of dumps.
//!
//! An `NLMSG_ERROR` payload is laid out as (`netlink(7)`,
//! `net/netlink/af_netlink.c: netlink_ack`):
//!
//! ```text
//! +-----------+----------------------+---------------------+----------------+
//! | i32 error | echoed request header| request payload     | extended-ack   |
//! |           | (16 bytes)           | (absent if CAPPED)  | TLVs (ACK_TLVS)|
//! +-----------+----------------------+---------------------+----------------+
//! ```
//!
//! Success acks (error 0) are always capped and may still carry TLVs: a
//! warning. Error acks are capped when the socket asked for
//! `NETLINK_CAP_ACK`; the echoed `nlmsg_len` then still states the
//! original request length, so TLVs start right after the echoed header,
//! never at the length it claims. Uncapped, they start at
//! `4 + NLMSG_ALIGN(echoed nlmsg_len)`.
//!
//! A dump that fails ends with `NLMSG_DONE` carrying a negative errno and
//! TLVs instead of an `NLMSG_ERROR`; [`DoneMessage`] reads both.
//!
//! Parsing fails only when the errno itself is missing: an `NLMSG_ERROR`
//! shorter than 4 bytes is never taken for success. A short echoed header
//! or malformed TLVs keep the errno and are reported beside it.

use core::fmt;
use std::borrow::Cow;

use zerocopy::FromBytes;

use crate::align::{NLMSG_HDRLEN, align};
use crate::attr::Attrs;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::header::{MessageType, NlMsgHdr, NlmFlags};
use crate::message::{Message, truncated};

/// Extended-ack TLV types, `enum nlmsgerr_attrs`.
pub mod tlv {
    /// Unused, `NLMSGERR_ATTR_UNUSED`.
    pub const UNUSED: u16 = 0;
    /// Error or warning text, `NLMSGERR_ATTR_MSG`.
    pub const MSG: u16 = 1;
    /// Offset of the offending attribute in the request, `NLMSGERR_ATTR_OFFS`.
    pub const OFFS: u16 = 2;
    /// Arbitrary subsystem data, `NLMSGERR_ATTR_COOKIE`.
    pub const COOKIE: u16 = 3;
    /// Policy of the rejected attribute, `NLMSGERR_ATTR_POLICY`.
    pub const POLICY: u16 = 4;
    /// Type of a missing required attribute, `NLMSGERR_ATTR_MISS_TYPE`.
    pub const MISS_TYPE: u16 = 5;
    /// Offset of the nest missing that attribute, `NLMSGERR_ATTR_MISS_NEST`.
    pub const MISS_NEST: u16 = 6;
}

/// The extended-ack TLVs of an error, ack or done message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtAck<'a> {
    message: Option<&'a [u8]>,
    offset: Option<u32>,
    cookie: Option<&'a [u8]>,
    policy: Option<&'a [u8]>,
    missing_type: Option<u32>,
    missing_nest: Option<u32>,
}

impl<'a> ExtAck<'a> {
    /// Parses a TLV stream. Unknown TLVs are skipped; known ones with the
    /// wrong size are an error.
    ///
    /// # Errors
    ///
    /// Framing errors of the stream and wrong-sized `u32` TLVs.
    pub fn parse(tlvs: &'a [u8]) -> Result<Self, DecodeError> {
        let mut ext = Self::default();
        for attr in Attrs::new(tlvs) {
            let attr = attr?;
            let payload = attr.payload();
            let at = |e: DecodeError| e.within(tlv_name(attr.kind()), attr.payload_offset());
            match attr.kind() {
                tlv::MSG => ext.message = Some(crate::value::until_nul(payload)),
                tlv::OFFS => ext.offset = Some(read_u32(payload).map_err(at)?),
                tlv::COOKIE => ext.cookie = Some(payload),
                tlv::POLICY => ext.policy = Some(payload),
                tlv::MISS_TYPE => ext.missing_type = Some(read_u32(payload).map_err(at)?),
                tlv::MISS_NEST => ext.missing_nest = Some(read_u32(payload).map_err(at)?),
                _ => {}
            }
        }
        Ok(ext)
    }

    /// Returns whether no TLV was present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Returns the error or warning text, lossily as UTF-8.
    #[must_use]
    pub fn message(&self) -> Option<Cow<'a, str>> {
        self.message.map(String::from_utf8_lossy)
    }

    /// Returns the error or warning text as sent, without its NUL.
    #[must_use]
    pub const fn message_bytes(&self) -> Option<&'a [u8]> {
        self.message
    }

    /// Returns the byte offset of the offending attribute, counted from the
    /// start of the request message (its header included).
    #[must_use]
    pub const fn offset(&self) -> Option<u32> {
        self.offset
    }

    /// Returns the cookie.
    #[must_use]
    pub const fn cookie(&self) -> Option<&'a [u8]> {
        self.cookie
    }

    /// Returns the policy of the rejected attribute as an attribute stream
    /// of `NL_POLICY_TYPE_ATTR_*` entries.
    #[must_use]
    pub fn policy(&self) -> Option<Attrs<'a>> {
        self.policy.map(Attrs::new)
    }

    /// Returns the payload of the policy TLV as it arrived, for callers
    /// that keep or forward it unparsed.
    #[must_use]
    pub const fn policy_bytes(&self) -> Option<&'a [u8]> {
        self.policy
    }

    /// Returns the type of a required attribute that was missing.
    #[must_use]
    pub const fn missing_type(&self) -> Option<u32> {
        self.missing_type
    }

    /// Returns the offset of the nest that lacked the missing attribute.
    #[must_use]
    pub const fn missing_nest(&self) -> Option<u32> {
        self.missing_nest
    }
}

fn tlv_name(kind: u16) -> &'static str {
    match kind {
        tlv::MSG => "msg",
        tlv::OFFS => "offs",
        tlv::COOKIE => "cookie",
        tlv::POLICY => "policy",
        tlv::MISS_TYPE => "miss_type",
        tlv::MISS_NEST => "miss_nest",
        _ => "tlv",
    }
}

fn read_u32(bytes: &[u8]) -> Result<u32, DecodeError> {
    <u32 as crate::Decode<'_>>::decode(bytes)
}

fn read_error(payload: &[u8], what: &'static str) -> Result<i32, DecodeError> {
    i32::read_from_prefix(payload)
        .map(|(v, _)| v)
        .map_err(|_| truncated(what, 4, payload.len()))
}

/// Returns the positive errno for a raw error field: negative kernel
/// values are negated, positive ones kept, and `i32::MIN` (which has no
/// negation) reads as `i32::MAX`.
#[must_use]
pub const fn normalize_errno(raw: i32) -> i32 {
    match raw.checked_neg() {
        Some(n) if raw < 0 => n,
        Some(_) => raw,
        None => i32::MAX,
    }
}

/// A parsed `NLMSG_ERROR`: an error or, with errno 0, an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMessage<'a> {
    header: NlMsgHdr,
    raw_error: i32,
    request: Option<NlMsgHdr>,
    request_payload: &'a [u8],
    ext_ack: Result<ExtAck<'a>, DecodeError>,
}

impl<'a> ErrorMessage<'a> {
    /// Parses the payload of an `NLMSG_ERROR` message.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::UnexpectedMessageType`] for another type and
    /// [`DecodeErrorKind::Truncated`] when the 4-byte error field is
    /// missing. Faults after it are kept in the result instead.
    pub fn parse(msg: &Message<'a>) -> Result<Self, DecodeError> {
        expect_type(msg, MessageType::ERROR)?;
        let payload = msg.payload();
        let raw_error = read_error(payload, "error code").map_err(|e| e.shifted(NLMSG_HDRLEN))?;
        let after_error = payload.get(4..).unwrap_or_default();
        let Ok((request, _)) = NlMsgHdr::read_from_prefix(after_error) else {
            let err = truncated("echoed request header", NLMSG_HDRLEN, after_error.len());
            return Ok(Self {
                header: *msg.header(),
                raw_error,
                request: None,
                request_payload: &[],
                ext_ack: Err(err.shifted(NLMSG_HDRLEN + 4)),
            });
        };
        // Success acks never echo the payload, CAPPED or not (kernels before
        // 4.15 did not set the flag).
        let capped = msg.flags().contains(NlmFlags::CAPPED) || raw_error == 0;
        let (request_payload, tlvs, tlv_base) = split_echo(capped, &request, after_error);
        let ext_ack = if request_payload.len() < echoed_payload_len(capped, &request) {
            // The echo claims more than arrived: say so instead of handing
            // out a silently shortened request.
            let needed = usize::try_from(request.len).unwrap_or(usize::MAX);
            Err(truncated("echoed request", needed, after_error.len()).shifted(NLMSG_HDRLEN + 4))
        } else if msg.flags().contains(NlmFlags::ACK_TLVS) {
            ExtAck::parse(tlvs).map_err(|e| e.shifted(tlv_base.saturating_add(NLMSG_HDRLEN + 4)))
        } else {
            Ok(ExtAck::default())
        };
        Ok(Self {
            header: *msg.header(),
            raw_error,
            request: Some(request),
            request_payload,
            ext_ack,
        })
    }

    /// Returns whether this is a success acknowledgement (error 0).
    #[must_use]
    pub const fn is_ack(&self) -> bool {
        self.raw_error == 0
    }

    /// Returns the error field as sent (negative errno from the kernel).
    #[must_use]
    pub const fn raw_error(&self) -> i32 {
        self.raw_error
    }

    /// Returns the positive errno, 0 for an ack; see [`normalize_errno`].
    #[must_use]
    pub const fn errno(&self) -> i32 {
        normalize_errno(self.raw_error)
    }

    /// Returns the error as an [`std::io::Error`], or `None` for an ack.
    #[must_use]
    pub fn to_io_error(&self) -> Option<std::io::Error> {
        (!self.is_ack()).then(|| std::io::Error::from_raw_os_error(self.errno()))
    }

    /// Returns the header of this message itself.
    #[must_use]
    pub const fn header(&self) -> &NlMsgHdr {
        &self.header
    }

    /// Returns the echoed header of the request this answers, if it was
    /// complete.
    #[must_use]
    pub const fn request(&self) -> Option<&NlMsgHdr> {
        self.request.as_ref()
    }

    /// Returns the echoed request payload: empty when capped.
    #[must_use]
    pub const fn request_payload(&self) -> &'a [u8] {
        self.request_payload
    }

    /// Returns whether the request payload was left out (`NLM_F_CAPPED`).
    #[must_use]
    pub const fn is_capped(&self) -> bool {
        self.header.flags().contains(NlmFlags::CAPPED)
    }

    /// Returns the extended-ack TLVs, or the fault that kept them from
    /// being read (the errno stays valid either way).
    ///
    /// # Errors
    ///
    /// The framing error of a short echoed header or malformed TLVs.
    pub fn ext_ack(&self) -> Result<&ExtAck<'a>, &DecodeError> {
        self.ext_ack.as_ref()
    }

    /// Returns the extended-ack TLVs, empty when they could not be read.
    #[must_use]
    pub fn ext_ack_or_default(&self) -> ExtAck<'a> {
        self.ext_ack.clone().unwrap_or_default()
    }
}

/// Returns how many request payload bytes an uncapped echo must hold.
fn echoed_payload_len(capped: bool, request: &NlMsgHdr) -> usize {
    if capped {
        return 0;
    }
    usize::try_from(request.len)
        .unwrap_or(usize::MAX)
        .saturating_sub(NLMSG_HDRLEN)
}

/// Splits what follows the error field into request payload and TLVs, and
/// returns where the TLVs start within it.
fn split_echo<'a>(capped: bool, request: &NlMsgHdr, rest: &'a [u8]) -> (&'a [u8], &'a [u8], usize) {
    let after_header = rest.get(NLMSG_HDRLEN..).unwrap_or_default();
    if capped {
        return (&[], after_header, NLMSG_HDRLEN);
    }
    let echoed = usize::try_from(request.len)
        .unwrap_or(usize::MAX)
        .max(NLMSG_HDRLEN);
    let payload_end = echoed.min(rest.len());
    let tlv_start = align(echoed).unwrap_or(usize::MAX).min(rest.len());
    let payload = rest.get(NLMSG_HDRLEN..payload_end).unwrap_or_default();
    (
        payload,
        rest.get(tlv_start..).unwrap_or_default(),
        tlv_start,
    )
}

/// A parsed `NLMSG_DONE`: the end of a dump, possibly with the error that
/// ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneMessage<'a> {
    header: NlMsgHdr,
    raw_error: i32,
    ext_ack: Result<ExtAck<'a>, DecodeError>,
}

impl<'a> DoneMessage<'a> {
    /// Parses an `NLMSG_DONE` message. An empty payload means success.
    ///
    /// # Errors
    ///
    /// [`DecodeErrorKind::UnexpectedMessageType`] for another type, and
    /// [`DecodeErrorKind::Truncated`] for a payload of 1 to 3 bytes.
    pub fn parse(msg: &Message<'a>) -> Result<Self, DecodeError> {
        expect_type(msg, MessageType::DONE)?;
        let payload = msg.payload();
        if payload.is_empty() {
            return Ok(Self {
                header: *msg.header(),
                raw_error: 0,
                ext_ack: Ok(ExtAck::default()),
            });
        }
        let raw_error = read_error(payload, "done status").map_err(|e| e.shifted(NLMSG_HDRLEN))?;
        let tlvs = payload.get(4..).unwrap_or_default();
        let ext_ack = if msg.flags().contains(NlmFlags::ACK_TLVS) {
            ExtAck::parse(tlvs).map_err(|e| e.shifted(NLMSG_HDRLEN + 4))
        } else {
            Ok(ExtAck::default())
        };
        Ok(Self {
            header: *msg.header(),
            raw_error,
            ext_ack,
        })
    }

    /// Returns the header of the DONE message itself, whose flags carry
    /// `NLM_F_DUMP_INTR` when the dump was inconsistent.
    #[must_use]
    pub const fn header(&self) -> &NlMsgHdr {
        &self.header
    }

    /// Returns whether the dump ended without error.
    #[must_use]
    pub const fn is_success(&self) -> bool {
        self.raw_error == 0
    }

    /// Returns the status field as sent.
    #[must_use]
    pub const fn raw_error(&self) -> i32 {
        self.raw_error
    }

    /// Returns the positive errno, 0 on success.
    #[must_use]
    pub const fn errno(&self) -> i32 {
        normalize_errno(self.raw_error)
    }

    /// Returns the extended-ack TLVs, or the fault that kept them from
    /// being read.
    ///
    /// # Errors
    ///
    /// The framing error of malformed TLVs.
    pub fn ext_ack(&self) -> Result<&ExtAck<'a>, &DecodeError> {
        self.ext_ack.as_ref()
    }

    /// Returns the extended-ack TLVs, empty when they could not be read.
    #[must_use]
    pub fn ext_ack_or_default(&self) -> ExtAck<'a> {
        self.ext_ack.clone().unwrap_or_default()
    }
}

fn expect_type(msg: &Message<'_>, ty: MessageType) -> Result<(), DecodeError> {
    if msg.message_type() == ty {
        Ok(())
    } else {
        let kind = DecodeErrorKind::UnexpectedMessageType {
            ty: msg.message_type().0,
        };
        Err(DecodeError::new(kind, 4))
    }
}

/// A control message, or a protocol message left to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Control<'a> {
    /// `NLMSG_NOOP`: to be skipped.
    Noop,
    /// `NLMSG_ERROR`: an error or an ack.
    Error(ErrorMessage<'a>),
    /// `NLMSG_DONE`: the end of a dump.
    Done(DoneMessage<'a>),
    /// `NLMSG_OVERRUN`: data was lost.
    Overrun,
    /// Another type below `NLMSG_MIN_TYPE`, kept as it came.
    Unknown(Message<'a>),
    /// A protocol message (type `NLMSG_MIN_TYPE` or above).
    Data(Message<'a>),
}

impl<'a> Control<'a> {
    /// Classifies a message by type and parses control payloads.
    ///
    /// # Errors
    ///
    /// Errors of [`ErrorMessage::parse`] and [`DoneMessage::parse`].
    pub fn parse(msg: Message<'a>) -> Result<Self, DecodeError> {
        Ok(match msg.message_type() {
            MessageType::NOOP => Self::Noop,
            MessageType::ERROR => Self::Error(ErrorMessage::parse(&msg)?),
            MessageType::DONE => Self::Done(DoneMessage::parse(&msg)?),
            MessageType::OVERRUN => Self::Overrun,
            ty if ty.is_control() => Self::Unknown(msg),
            _ => Self::Data(msg),
        })
    }
}

impl fmt::Display for ExtAck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(text) = self.message() {
            write!(f, "{text}")?;
            sep = " ";
        }
        if let Some(offset) = self.offset {
            write!(f, "{sep}(attribute at offset {offset})")?;
            sep = " ";
        }
        if let Some(kind) = self.missing_type {
            write!(f, "{sep}(missing attribute type {kind})")?;
        }
        Ok(())
    }
}
