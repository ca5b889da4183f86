//! The socket's error type.
//!
//! One enum covers every way a call can fail. Kernel errors keep what the
//! kernel said (errno, extended-ack text, the offending attribute) and
//! what we asked (the request's type), so a caller can print one line that
//! explains the failure. Faults of the transport (overrun, timeout,
//! interrupted dump, queue overflow) are variants of their own, never
//! hidden inside an `io::Error` kind.

use std::io;

use netlink_core::{DecodeError, EncodeError, MessageType};

/// Everything a socket call can fail with.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A system call failed.
    #[error("netlink socket: {0}")]
    Io(#[source] io::Error),
    /// The peer (usually the kernel) answered with an error.
    #[error(transparent)]
    Kernel(Box<KernelError>),
    /// A received message could not be decoded.
    #[error("netlink decode: {0}")]
    Decode(#[from] DecodeError),
    /// A message could not be encoded.
    #[error("netlink encode: {0}")]
    Encode(#[from] EncodeError),
    /// Messages were lost because the receive buffer overflowed (`ENOBUFS`
    /// or `NLMSG_OVERRUN`). The socket keeps working; state learnt from
    /// notifications should be refreshed with a dump.
    #[error("netlink receive buffer overrun: messages were lost")]
    Overrun,
    /// No datagram arrived within the read timeout (or, on a non-blocking
    /// descriptor, none was ready), an exchange call was not answered
    /// within the reply timeout, or a blocking send found no room at the
    /// receiver within the write timeout. Nothing was lost.
    #[error("netlink receive timed out")]
    Timeout,
    /// A non-blocking send ([`crate::SocketBuilder::send_nonblocking`])
    /// found the receiver's buffer full (`EAGAIN`). Nothing was sent; the
    /// socket works on.
    #[error("netlink send would block: the receiver's buffer is full")]
    WouldBlock,
    /// A dump ended with `NLM_F_DUMP_INTR`: the data changed while it was
    /// read, so what was handed over may be inconsistent.
    #[error("netlink dump interrupted after {received} messages (tried {attempts} times)")]
    DumpInterrupted {
        /// Messages handed over by the last attempt.
        received: usize,
        /// Attempts made.
        attempts: u32,
    },
    /// The kernel refused a dump because another one still runs on this
    /// socket (`EBUSY`).
    #[error("netlink dump refused: another dump runs on this socket")]
    DumpBusy(#[source] Box<KernelError>),
    /// Notifications arrived while waiting for a reply and the queue that
    /// keeps them for [`crate::Socket::recv`] was full: `dropped` were lost.
    #[error("netlink notification queue overflowed: {dropped} messages dropped")]
    QueueOverflow {
        /// Notifications dropped since the last report.
        dropped: u64,
    },
    /// A datagram did not fit the receive buffer even after sizing it.
    #[error("netlink datagram of {len} bytes truncated to {capacity}")]
    Truncated {
        /// Size of the datagram.
        len: usize,
        /// Bytes received.
        capacity: usize,
    },
    /// The peer answered in a way the protocol does not allow.
    #[error("netlink protocol violation: {0}")]
    Protocol(&'static str),
    /// A generic netlink family or group is not known to the controller.
    #[error("generic netlink {what} {name:?} not found")]
    NotFound {
        /// "family" or "group".
        what: &'static str,
        /// The name looked up.
        name: String,
    },
}

impl Error {
    /// Returns the errno of a kernel error, a busy dump, or a failed system
    /// call.
    #[must_use]
    pub fn errno(&self) -> Option<i32> {
        match self {
            Self::Io(err) => err.raw_os_error(),
            Self::Kernel(err) | Self::DumpBusy(err) => Some(err.errno()),
            _ => None,
        }
    }

    /// Returns the kernel error, if this is one.
    #[must_use]
    pub fn kernel(&self) -> Option<&KernelError> {
        match self {
            Self::Kernel(err) | Self::DumpBusy(err) => Some(err),
            _ => None,
        }
    }

    /// Maps an `io::Error` of a system call to the variant it stands for:
    /// `ENOBUFS` is an overrun, `EAGAIN` a timeout.
    pub(crate) fn from_io(err: io::Error) -> Self {
        match err.raw_os_error() {
            Some(libc::ENOBUFS) => Self::Overrun,
            Some(libc::EAGAIN) => Self::Timeout,
            _ => Self::Io(err),
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Self::from_io(err)
    }
}

/// An error answered by the peer: `NLMSG_ERROR` with a nonzero errno, or
/// `NLMSG_DONE` ending a dump with one.
#[derive(Debug)]
pub struct KernelError {
    pub(crate) error: io::Error,
    pub(crate) message: Option<String>,
    pub(crate) attribute: Option<Offending>,
    pub(crate) missing_type: Option<u32>,
    pub(crate) request_type: MessageType,
    pub(crate) in_done: bool,
}

/// The attribute the kernel blamed, located in the request we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offending {
    /// Byte offset from the start of the request message (header included),
    /// as `NLMSGERR_ATTR_OFFS` gives it.
    pub offset: u32,
    /// Type of the attribute found at that offset (flag bits masked off),
    /// when the offset points into the request.
    pub kind: Option<u16>,
}

impl KernelError {
    /// Returns the errno as an `io::Error`.
    #[must_use]
    pub const fn io_error(&self) -> &io::Error {
        &self.error
    }

    /// Returns the positive errno.
    #[must_use]
    pub fn errno(&self) -> i32 {
        self.error.raw_os_error().unwrap_or(0)
    }

    /// Returns the extended-ack text (`NLMSGERR_ATTR_MSG`).
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Returns the offending attribute (`NLMSGERR_ATTR_OFFS`).
    #[must_use]
    pub const fn attribute(&self) -> Option<Offending> {
        self.attribute
    }

    /// Returns the type of a required attribute that was missing
    /// (`NLMSGERR_ATTR_MISS_TYPE`).
    #[must_use]
    pub const fn missing_type(&self) -> Option<u32> {
        self.missing_type
    }

    /// Returns the type of the request that failed.
    #[must_use]
    pub const fn request_type(&self) -> MessageType {
        self.request_type
    }

    /// Returns whether the error ended a dump (`NLMSG_DONE` with an errno)
    /// rather than arriving as `NLMSG_ERROR`.
    #[must_use]
    pub const fn in_done(&self) -> bool {
        self.in_done
    }
}

impl std::fmt::Display for KernelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request type {} failed: {}",
            self.request_type, self.error
        )?;
        if let Some(text) = &self.message {
            write!(f, ": {text}")?;
        }
        if let Some(attr) = self.attribute {
            match attr.kind {
                Some(kind) => write!(f, " (attribute type {kind} at offset {})", attr.offset)?,
                None => write!(f, " (attribute at offset {})", attr.offset)?,
            }
        }
        if let Some(kind) = self.missing_type {
            write!(f, " (missing attribute type {kind})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
