//! A blocking `AF_NETLINK` socket that gets the protocol's hard parts
//! right: sequence and sender checks, multi-part dumps, acks and extended
//! acks, overruns, interrupted dumps and group membership.
//!
//! # The model
//!
//! ```text
//!   send / request / dump            recv / recv_msg
//!          |                               ^
//!          v                               |
//!   +-------------+   reply (our seq,  +---------+  notifications, other
//!   |   Socket    |<--unicast, peer)---| receive |--seqs, rest after DONE--+
//!   | seq, port,  |                    | buffer  |                         |
//!   | last request|                    | (peek-  |    +------------------+ |
//!   +-------------+                    |  sized) |    | bounded queue    |<+
//!                                      +---------+    +------------------+
//! ```
//!
//! - **Opening**: [`SocketBuilder`] sets everything decided before or at
//!   bind (protocol, port, legacy groups, acks, strict checking, buffers,
//!   timeouts, namespace); [`Socket::from_fd`] wraps an existing socket.
//!   The bound port is always read back ([`Socket::local_port`]).
//! - **Sending**: [`Socket::send`] (typed payload, `NLM_F_REQUEST`, seq and
//!   port filled in, `NLM_F_ACK` with auto-ack), [`Socket::send_to`] (a
//!   port or a group), [`Socket::send_raw`], [`Socket::send_batch`]
//!   (messages a [`netlink_core::MessageBuilder`] wrote, one datagram),
//!   and for peers that serve requests [`Socket::send_reply`],
//!   [`Socket::send_done`] and [`Socket::send_ack`].
//! - **Receiving**: [`Socket::recv`] returns a [`Datagram`],
//!   [`Socket::recv_msg`] one [`Message`]; both with the [`Source`].
//! - **Exchanges**: [`Socket::request`] returns a [`Reply`],
//!   [`Socket::dump`] a lending [`Dump`], [`Socket::dump_consistent`]
//!   retries interrupted dumps, [`Socket::wait_for_ack`] waits for the ack
//!   of something sent earlier.
//! - **Groups**: [`Socket::join_group`], [`Socket::leave_group`],
//!   [`Socket::groups`], and [`SocketBuilder::groups`] for the bitmask.
//! - **Generic netlink**: [`genl`].
//!
//! # Choices
//!
//! - **Receive sizing.** Every receive peeks at the datagram's size with
//!   `MSG_PEEK | MSG_TRUNC` and no buffer, grows the reusable buffer to fit
//!   (never below [`RECV_FLOOR`], 32 KiB, which also makes the kernel send
//!   full-size dump datagrams), then takes it. Truncation cannot happen; if
//!   another reader swaps the datagram in between, [`Error::Truncated`]
//!   says so. Views borrow from the buffer: no allocation per message. The
//!   peek is also the wait (see below), so a datagram costs two calls.
//!   [`SocketBuilder::one_call_receive`] trades that guarantee for one
//!   call per datagram: it receives into a buffer of a size the caller
//!   trusts its peers to keep within, and a larger datagram is cut, lost
//!   and reported as [`Error::Truncated`] with its real size.
//! - **Trusting the sender.** Only the socket address says who sent a
//!   datagram. On kernel protocols ([`Protocol::is_kernel`]) a datagram
//!   from a nonzero port is dropped and counted
//!   ([`Socket::dropped_foreign`]). A reply must be a unicast from the peer
//!   carrying our sequence number; a multicast is a notification even when
//!   it carries our seq (the kernel copies the requester's seq and port
//!   into the notifications a change causes).
//! - **Sequence numbers** start at a random nonzero value per socket and
//!   skip 0 when they wrap.
//! - **Nothing is dropped silently.** Messages that arrive during an
//!   exchange and do not answer it, and messages after the end of a reply
//!   in the same datagram, are kept in order for [`Socket::recv`]. The
//!   queue is bounded ([`SocketBuilder::queue_limit`]); past the bound,
//!   [`Error::QueueOverflow`] reports how many were lost. Messages of a
//!   dump dropped before its end are discarded: nobody waits for them.
//! - **Nothing waits forever.** Each exchange call ([`Socket::request`],
//!   [`Socket::wait_for_ack`], one [`Dump::next`]) waits at most the reply
//!   timeout ([`DEFAULT_REPLY_TIMEOUT`]) in total, however many unrelated
//!   datagrams arrive meanwhile; the read timeout bounds [`Socket::recv`],
//!   and the reply timeout the send of a request or a dump too (see
//!   "Sending").
//!   Both are kept in `SO_RCVTIMEO` so that a wait is the blocking receive
//!   itself; `poll(2)` only finishes a call's budget after a first wait.
//!   Auto-ack (on by default) asks for an ack so that every request is
//!   answered. Timeouts are [`Error::Timeout`], never protocol errors.
//! - **Sending** blocks while a user-space receiver's buffer is full (the
//!   kernel never makes a sender wait). A plain send ([`Socket::send`],
//!   [`Socket::send_to`], the raw, batch and reply sends) waits up to the
//!   write timeout, then fails with [`Error::Timeout`]; there is no write
//!   timeout by default, as for any blocking socket. The send of an
//!   exchange call ([`Socket::request`], [`Socket::dump`]) waits at most
//!   the reply timeout instead (or the write timeout when that is
//!   shorter): a caller who waits for an answer has already said how long
//!   it may take, and a peer that stops reading must not hold such a call
//!   forever. The wait for replies then has its own reply timeout, so an
//!   exchange call with a full peer ends within twice the reply timeout.
//!   Both bounds live in `SO_SNDTIMEO`, changed only when the next send
//!   wants another one. With [`SocketBuilder::send_nonblocking`] every
//!   send returns [`Error::WouldBlock`] at once instead.
//! - **Faults.** `ENOBUFS` and `NLMSG_OVERRUN` are [`Error::Overrun`]; the
//!   socket keeps working, and a dump goes on after one. `EINTR` is retried
//!   (within the same budget for exchanges; [`Socket::recv`] starts its
//!   read timeout again). A second dump while one runs is
//!   [`Error::DumpBusy`]. `NLM_F_DUMP_INTR` on any message, `NLMSG_DONE`
//!   included, ends the dump with [`Error::DumpInterrupted`] after every
//!   message was handed over; a request whose reply carries it fails with
//!   the same error, and [`Socket::interrupted_reply`] hands over the data
//!   it collected (an error cannot borrow the receive buffer).
//! - **Kernel errors** ([`KernelError`]) carry errno as `io::Error`, the
//!   extended-ack text, the offending attribute located in our own copy of
//!   the request (so it works with `NETLINK_CAP_ACK` too), a missing
//!   attribute type, the request's message type, and whether it came in
//!   `NLMSG_DONE` (dump errors do). Extended acks are on by default.
//! - **Namespaces.** A socket opened with [`SocketBuilder::netns_path`] or
//!   [`SocketBuilder::netns_fd`] is created by a short-lived helper thread
//!   that enters the namespace; the calling thread never moves.
//! - **Multicast from user space** goes to groups 1 to 32 only (the kernel
//!   reads the lowest bit of `nl_groups`). On protocols without a kernel
//!   socket, the kernel's `ECONNREFUSED` for the unicast part of a group
//!   send is not an error: the group got the message.
//! - **Unsafe** lives in one private module of thin system-call wrappers,
//!   one operation per block, each with its safety argument, with
//!   compile-time checks of `libc`'s struct layouts.
//!
//! Limitation: one exchange at a time per socket (`&mut self`); use one
//! socket per thread for parallel requests. `close(2)` does not wake a
//! thread blocked in a receive on the same socket; use timeouts.
//!
//! # Example
//!
//! Two `NETLINK_USERSOCK` sockets of one process, no privileges needed: a
//! request, its reply and its ack.
//!
//! ```
//! use netlink_socket::{MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
//!
//! let mut server = Socket::open(Protocol::USERSOCK)?;
//! let mut client = SocketBuilder::new(Protocol::USERSOCK)
//!     .peer(server.local_port())
//!     .open()?;
//!
//! std::thread::scope(|s| {
//!     s.spawn(|| -> Result<(), netlink_socket::Error> {
//!         let (request, from) = server.recv_msg().map(|(m, src)| (*m.header(), src.port))?;
//!         server.send_reply(from, &request, MessageType(0x11), NlmFlags::empty(), "pong")?;
//!         server.send_ack(from, &request, 0, None)
//!     });
//!     let reply = client.request(MessageType(0x10), NlmFlags::empty(), "ping")?;
//!     let msg = reply.message().expect("a reply");
//!     assert_eq!(msg.message_type(), MessageType(0x11));
//!     assert_eq!(&msg.payload()[..4], b"pong");
//!     Ok::<(), netlink_socket::Error>(())
//! })?;
//! # Ok::<(), netlink_socket::Error>(())
//! ```

// All unsafe code sits in `sys`; everything else is checked by the
// compiler alone.
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
