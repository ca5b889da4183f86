//! A blocking `AF_NETLINK` socket.
#![deny(unsafe_code)]

mod builder;
mod error;
mod exchange;
pub mod genl;
mod socket;
#[allow(unsafe_code, reason = "the one module of thin system call wrappers")]
mod sys;

pub use builder::{DEFAULT_QUEUE_LIMIT, DEFAULT_REPLY_TIMEOUT, SocketBuilder};
pub use error::{Error, KernelError, Offending};
pub use exchange::{Dump, Reply};
pub use netlink_core;
pub use netlink_core::{Message, MessageType, NlMsgHdr, NlmFlags, Protocol};
pub use socket::{Address, Datagram, RECV_FLOOR, Socket, Source};
