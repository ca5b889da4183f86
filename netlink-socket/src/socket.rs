//! The socket: sending, receiving, groups and the notification queue.
//!
//! Every receive first peeks at the size of the next datagram
//! (`MSG_PEEK | MSG_TRUNC`), grows the reusable buffer to fit it (never
//! below [`RECV_FLOOR`]), then takes it: nothing is ever truncated, and
//! every view handed out borrows from that buffer. On kernel protocols a
//! datagram whose sender port is not 0 cannot come from the kernel; it is
//! dropped and counted ([`Socket::dropped_foreign`]).
//!
//! Waiting costs no extra system call. [`Socket::recv`] blocks in the peek
//! itself, bounded by the read timeout (`SO_RCVTIMEO`). An exchange call
//! blocks the same way for its first wait, with `SO_RCVTIMEO` no longer
//! than the reply timeout; later waits of the same call peek with
//! `MSG_DONTWAIT` (during a dump the next datagram is usually queued
//! already) and fall back to `poll(2)` until the call's deadline only when
//! nothing is there. The descriptor's `SO_RCVTIMEO` is only changed when
//! the wanted bound differs from the one set last.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use netlink_core::Protocol;
use netlink_core::ack::tlv;
use netlink_core::builder::set_seq_and_pid;
use netlink_core::{Encode, Message, MessageBuilder, MessageType, Messages, NlMsgHdr, NlmFlags};
use zerocopy::IntoBytes;

use crate::builder::{DEFAULT_QUEUE_LIMIT, DEFAULT_REPLY_TIMEOUT};
use crate::error::Error;
use crate::sys::{self, SOL_NETLINK, opt};

/// The smallest receive buffer, in bytes. The kernel sizes dump datagrams
/// after the largest buffer ever passed to `recvmsg` (up to 32 KiB), so a
/// smaller one would make dumps slower, not safer.
pub const RECV_FLOOR: usize = 32 * 1024;

/// Where a datagram goes: a port, a legacy group bitmask, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// Destination port (`nl_pid`): 0 is the kernel.
    pub port: u32,
    /// Destination groups (`nl_groups`): the kernel delivers to the lowest
    /// group set, so user space can only multicast to groups 1 to 32.
    pub groups: u32,
}

impl Address {
    /// Returns the address of the unicast port `port`.
    #[must_use]
    pub const fn port(port: u32) -> Self {
        Self { port, groups: 0 }
    }

    /// Returns the address of multicast group `group` (1 to 32), or `None`
    /// outside that range.
    #[must_use]
    pub const fn group(group: u32) -> Option<Self> {
        if group == 0 || group > 32 {
            return None;
        }
        Some(Self {
            port: 0,
            groups: 1 << (group - 1),
        })
    }
}

/// Where a datagram came from. Only this, never the header's pid and seq,
/// says who sent it (`netlink(7)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Source {
    /// Sender port (`nl_pid`): 0 is the kernel.
    pub port: u32,
    /// Group bitmask of a multicast (`nl_groups`): set for groups 1 to 32
    /// only, 0 for unicasts and for groups above 32.
    pub groups: u32,
    /// Destination group from `NETLINK_PKTINFO`, when that is on and the
    /// datagram was a multicast.
    pub group: Option<u32>,
    /// Namespace id of the sender from `NETLINK_LISTEN_ALL_NSID`.
    pub nsid: Option<i32>,
}

impl Source {
    /// Returns whether the datagram was a multicast.
    #[must_use]
    pub const fn is_multicast(&self) -> bool {
        self.groups != 0 || self.group.is_some()
    }

    /// Returns the group a multicast went to: from `NETLINK_PKTINFO` when
    /// known, else the lowest bit of the bitmask.
    #[must_use]
    pub const fn multicast_group(&self) -> Option<u32> {
        match (self.group, self.groups) {
            (Some(group), _) => Some(group),
            (None, 0) => None,
            (None, mask) => Some(mask.trailing_zeros() + 1),
        }
    }
}

/// One received datagram: its sender and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<'a> {
    source: Source,
    bytes: &'a [u8],
}

impl<'a> Datagram<'a> {
    /// Returns the sender.
    #[must_use]
    pub const fn source(&self) -> Source {
        self.source
    }

    /// Returns the bytes as received.
    #[must_use]
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Returns an iterator over its messages.
    #[must_use]
    pub const fn messages(&self) -> Messages<'a> {
        Messages::new(self.bytes)
    }
}

/// A message kept for a later [`Socket::recv`].
#[derive(Debug)]
struct Queued {
    source: Source,
    bytes: Vec<u8>,
}

/// Settings the builder hands to the socket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) protocol: Protocol,
    pub(crate) auto_ack: bool,
    pub(crate) reply_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) send_nonblocking: bool,
    pub(crate) queue_limit: usize,
    pub(crate) peer: u32,
    /// `Some(capacity)`: receive in one call into at least `capacity`
    /// bytes, without the size peek ([`crate::SocketBuilder::one_call_receive`]).
    pub(crate) one_call: Option<usize>,
}

/// The wait budget of one exchange call (a request, a wait for an ack, one
/// step of a dump): the reply timeout, counted from the call's first wait
/// and shared by every datagram the call reads, so unrelated traffic
/// cannot stretch it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReplyWait {
    started: bool,
    deadline: Option<Instant>,
}

/// A blocking netlink socket. See the crate docs for the model.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
    pub(crate) options: Options,
    port: u32,
    next_seq: u32,
    pub(crate) buf: Vec<u8>,
    pub(crate) len: usize,
    pub(crate) pos: usize,
    pub(crate) source: Source,
    pub(crate) sent: Vec<u8>,
    pub(crate) reply: Vec<u8>,
    /// Whether the data in `reply` is that of an interrupted reply.
    pub(crate) reply_interrupted: bool,
    pub(crate) warning: Option<String>,
    queue: VecDeque<Queued>,
    queue_dropped: u64,
    foreign_dropped: u64,
    pub(crate) abandoned: Option<u32>,
    /// The read timeout of `recv`.
    read_timeout: TimeoutCell,
    /// The `SO_RCVTIMEO` last set on the descriptor.
    // Limitation: a `SO_RCVTIMEO` or `SO_SNDTIMEO` set on the descriptor
    // behind the socket's back (through `AsFd`) is not seen here; a longer
    // one can then let an exchange's first wait, or its send, outlast its
    // reply timeout, until the socket sets the value again for a receive
    // or a send that wants another bound.
    rcvtimeo: TimeoutCell,
    /// The write timeout of plain sends.
    write_timeout: TimeoutCell,
    /// The `SO_SNDTIMEO` last set on the descriptor.
    sndtimeo: TimeoutCell,
}

/// A timeout that `&self` methods may change: `None` (forever) or a
/// duration, stored as nanoseconds plus one, 0 standing for `None`
/// (durations past about 584 years saturate).
#[derive(Debug)]
struct TimeoutCell(AtomicU64);

impl TimeoutCell {
    fn new(timeout: Option<Duration>) -> Self {
        let cell = Self(AtomicU64::new(0));
        cell.set(timeout);
        cell
    }

    fn get(&self) -> Option<Duration> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            nanos => Some(Duration::from_nanos(nanos - 1)),
        }
    }

    fn set(&self, timeout: Option<Duration>) {
        let raw = timeout.map_or(0, |t| {
            u64::try_from(t.as_nanos())
                .unwrap_or(u64::MAX)
                .saturating_add(1)
        });
        self.0.store(raw, Ordering::Relaxed);
    }
}

impl Socket {
    /// Opens a socket of `protocol` with the default options; see
    /// [`crate::SocketBuilder`] for the others.
    ///
    /// # Errors
    ///
    /// As [`crate::SocketBuilder::open`].
    pub fn open(protocol: Protocol) -> Result<Self, Error> {
        crate::SocketBuilder::new(protocol).open()
    }

    /// Wraps an existing netlink socket, binding it (to a kernel-chosen
    /// port) if it is not bound yet. Options are as the descriptor has
    /// them (its `SO_RCVTIMEO` becomes the read timeout, its `SO_SNDTIMEO`
    /// the write timeout); auto-ack is on.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when `fd` is not a netlink socket (`getsockname`
    /// fails or the protocol cannot be read).
    pub fn from_fd(fd: OwnedFd) -> Result<Self, Error> {
        let protocol = sys::getsockopt_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_PROTOCOL)?;
        let domain = sys::getsockopt_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_DOMAIN)?;
        if domain != libc::AF_NETLINK {
            return Err(Error::Io(std::io::Error::from_raw_os_error(
                libc::EAFNOSUPPORT,
            )));
        }
        if sys::getsockname(fd.as_fd())?.0 == 0 {
            sys::bind(fd.as_fd(), 0, 0)?;
        }
        let read_timeout = sys::get_timeout(fd.as_fd(), libc::SO_RCVTIMEO)?;
        let write_timeout = sys::get_timeout(fd.as_fd(), libc::SO_SNDTIMEO)?;
        let options = Options {
            protocol: Protocol(protocol),
            auto_ack: true,
            reply_timeout: Some(DEFAULT_REPLY_TIMEOUT),
            read_timeout,
            write_timeout,
            send_nonblocking: false,
            queue_limit: DEFAULT_QUEUE_LIMIT,
            peer: 0,
            one_call: None,
        };
        Self::with_options(fd, options)
    }

    pub(crate) fn with_options(fd: OwnedFd, options: Options) -> Result<Self, Error> {
        let (port, _) = sys::getsockname(fd.as_fd())?;
        Ok(Self {
            fd,
            options,
            port,
            next_seq: initial_seq(port),
            buf: Vec::new(),
            len: 0,
            pos: 0,
            source: Source::default(),
            sent: Vec::new(),
            reply: Vec::new(),
            reply_interrupted: false,
            warning: None,
            queue: VecDeque::new(),
            queue_dropped: 0,
            foreign_dropped: 0,
            abandoned: None,
            read_timeout: TimeoutCell::new(options.read_timeout),
            rcvtimeo: TimeoutCell::new(options.read_timeout),
            write_timeout: TimeoutCell::new(options.write_timeout),
            sndtimeo: TimeoutCell::new(options.write_timeout),
        })
    }

    /// Closes the socket and reports the error of `close(2)`, which
    /// dropping it would ignore.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] from `close(2)`.
    pub fn close(self) -> Result<(), Error> {
        sys::close(self.fd).map_err(Error::Io)
    }

    /// Returns the protocol.
    #[must_use]
    pub const fn protocol(&self) -> Protocol {
        self.options.protocol
    }

    /// Returns the port the socket is bound to, as `getsockname` read it
    /// after bind (the first socket of a process often gets its PID, later
    /// ones other values).
    #[must_use]
    pub const fn local_port(&self) -> u32 {
        self.port
    }

    /// Returns the port requests go to (0: the kernel).
    #[must_use]
    pub const fn peer(&self) -> u32 {
        self.options.peer
    }

    /// Sends later requests to `port` and accepts replies only from it.
    pub fn set_peer(&mut self, port: u32) {
        self.options.peer = port;
    }

    /// Returns whether requests get `NLM_F_ACK` added.
    #[must_use]
    pub const fn auto_ack(&self) -> bool {
        self.options.auto_ack
    }

    /// Turns auto-ack on or off for later requests.
    pub fn set_auto_ack(&mut self, on: bool) {
        self.options.auto_ack = on;
    }

    /// Sets the read timeout of [`Socket::recv`] and [`Socket::recv_msg`]
    /// (`SO_RCVTIMEO`; `None` waits forever). Set it here rather than on
    /// the descriptor: exchanges change `SO_RCVTIMEO` for their own waits
    /// and restore this value before the next receive.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] from `setsockopt`.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), Error> {
        self.read_timeout.set(timeout);
        self.use_rcvtimeo(timeout)
    }

    /// Returns the read timeout of [`Socket::recv`].
    #[must_use]
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout.get()
    }

    /// Sets the write timeout of plain sends (`SO_SNDTIMEO`; `None` waits
    /// forever): how long a send to a user-space peer whose receive buffer
    /// is full waits for room. The send of an exchange call waits at most
    /// the shorter of this and the reply timeout
    /// ([`crate::SocketBuilder::write_timeout`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] from `setsockopt`.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<(), Error> {
        self.write_timeout.set(timeout);
        self.use_sndtimeo(timeout)
    }

    /// Returns the write timeout of plain sends.
    #[must_use]
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout.get()
    }

    /// Returns how long the send of an exchange call waits for room at a
    /// full receiver: the shorter of the write and reply timeouts, so
    /// that the default (no write timeout) still ends.
    pub(crate) fn exchange_send_timeout(&self) -> Option<Duration> {
        match (self.write_timeout.get(), self.options.reply_timeout) {
            (Some(write), Some(reply)) => Some(write.min(reply)),
            (write, reply) => write.or(reply),
        }
    }

    /// Sets how long each exchange call waits in total for its replies
    /// ([`crate::SocketBuilder::reply_timeout`]).
    pub fn set_reply_timeout(&mut self, timeout: Option<Duration>) {
        self.options.reply_timeout = timeout;
    }

    /// Makes every send non-blocking (`MSG_DONTWAIT`) or blocking again
    /// ([`crate::SocketBuilder::send_nonblocking`]).
    pub fn set_send_nonblocking(&mut self, on: bool) {
        self.options.send_nonblocking = on;
    }

    /// Returns whether sends are non-blocking.
    #[must_use]
    pub const fn send_nonblocking(&self) -> bool {
        self.options.send_nonblocking
    }

    /// Returns how many datagrams were dropped because they claimed to come
    /// from the kernel protocol but had a nonzero sender port.
    #[must_use]
    pub const fn dropped_foreign(&self) -> u64 {
        self.foreign_dropped
    }

    /// Returns how many notifications are queued for [`Socket::recv`].
    #[must_use]
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Returns the sequence number the next request will carry.
    #[must_use]
    pub const fn next_seq(&self) -> u32 {
        self.next_seq
    }

    pub(crate) fn take_seq(&mut self) -> u32 {
        let seq = self.next_seq;
        self.next_seq = match seq.wrapping_add(1) {
            0 => 1,
            next => next,
        };
        seq
    }

    // ----- sending -------------------------------------------------------

    /// Sends a request of type `ty` with `payload` to the peer (the kernel
    /// unless set otherwise): `NLM_F_REQUEST` is added, `NLM_F_ACK` too
    /// with auto-ack, and the sequence number and our port are filled in.
    /// Returns the sequence number.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when the payload cannot be written, and errors of
    /// `sendto`: [`Error::Io`], and for a peer whose receive buffer is full
    /// [`Error::Timeout`] after the write timeout, or at once
    /// [`Error::WouldBlock`] when sends are non-blocking.
    pub fn send<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<u32, Error> {
        let flags = self.request_flags(flags);
        let to = Address::port(self.options.peer);
        self.send_message(to, ty, flags, payload, self.write_timeout.get())
    }

    /// Returns `flags` as [`Socket::send`] sends them: with
    /// `NLM_F_REQUEST`, and `NLM_F_ACK` under auto-ack.
    pub(crate) fn request_flags(&self, flags: NlmFlags) -> NlmFlags {
        let flags = flags | NlmFlags::REQUEST;
        if self.options.auto_ack {
            flags | NlmFlags::ACK
        } else {
            flags
        }
    }

    /// Sends the request of an exchange call to the peer with exactly
    /// `flags`, waiting for room at a full receiver at most
    /// [`Socket::exchange_send_timeout`]. Returns the sequence number.
    pub(crate) fn send_exchange<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<u32, Error> {
        let to = Address::port(self.options.peer);
        let bound = self.exchange_send_timeout();
        self.send_message(to, ty, flags, payload, bound)
    }

    /// Sends a message to `to` with exactly `flags`; the sequence number
    /// and our port are filled in. For user-space peers: unicast to a port
    /// or multicast to a group of 1 to 32 ([`Address::group`]).
    ///
    /// # Errors
    ///
    /// As [`Socket::send`].
    pub fn send_to<P: Encode + ?Sized>(
        &mut self,
        to: Address,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<u32, Error> {
        self.send_message(to, ty, flags, payload, self.write_timeout.get())
    }

    fn send_message<P: Encode + ?Sized>(
        &mut self,
        to: Address,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
        timeout: Option<Duration>,
    ) -> Result<u32, Error> {
        let seq = self.take_seq();
        let mut sent = std::mem::take(&mut self.sent);
        sent.clear();
        let mut msg = MessageBuilder::new(&mut sent, ty, flags);
        msg.set_seq(seq).set_pid(self.port);
        let built = msg.payload(payload).map(drop).and_then(|()| msg.finish());
        let result = built
            .map_err(Error::from)
            .and_then(|_| self.transmit_within(to, &sent, timeout));
        self.sent = sent;
        result.map(|()| seq)
    }

    /// Answers `request` with a message of type `ty` carrying its sequence
    /// number, sent to `port`: how a user-space peer replies (add
    /// `NLM_F_MULTI` for the parts of a multi-part reply and finish it with
    /// [`Socket::send_done`]).
    ///
    /// # Errors
    ///
    /// As [`Socket::send`].
    pub fn send_reply<P: Encode + ?Sized>(
        &mut self,
        port: u32,
        request: &NlMsgHdr,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<(), Error> {
        let mut out = Vec::new();
        let mut msg = MessageBuilder::new(&mut out, ty, flags);
        msg.set_seq(request.seq).set_pid(self.port);
        msg.payload(payload)?;
        msg.finish()?;
        self.transmit(Address::port(port), &out)
    }

    /// Ends a multi-part reply to `request`: `NLMSG_DONE` with
    /// `NLM_F_MULTI` and status 0, sent to `port`.
    ///
    /// # Errors
    ///
    /// As [`Socket::send`].
    pub fn send_done(&mut self, port: u32, request: &NlMsgHdr) -> Result<(), Error> {
        self.send_reply(port, request, MessageType::DONE, NlmFlags::MULTI, &0i32)
    }

    /// Acknowledges `request` to `port` as the kernel does: `NLMSG_ERROR`
    /// with `-errno` (0 for success) and the echoed request header
    /// (`NLM_F_CAPPED`), plus an extended-ack text when `message` is given
    /// (`NLM_F_ACK_TLVS`).
    ///
    /// # Errors
    ///
    /// As [`Socket::send`].
    pub fn send_ack(
        &mut self,
        port: u32,
        request: &NlMsgHdr,
        errno: i32,
        message: Option<&str>,
    ) -> Result<(), Error> {
        let mut flags = NlmFlags::CAPPED;
        if message.is_some() {
            flags |= NlmFlags::ACK_TLVS;
        }
        let mut out = Vec::new();
        let mut msg = MessageBuilder::new(&mut out, MessageType::ERROR, flags);
        msg.set_seq(request.seq).set_pid(self.port);
        msg.append(&errno.saturating_neg().to_ne_bytes())?;
        msg.append(request.as_bytes())?;
        if let Some(text) = message {
            msg.attr(tlv::MSG, text)?;
        }
        msg.finish()?;
        self.transmit(Address::port(port), &out)
    }

    /// Sends `bytes` as they are, to the peer.
    ///
    /// # Errors
    ///
    /// Errors of `sendto`.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.transmit(Address::port(self.options.peer), bytes)
    }

    /// Sends `bytes` as they are, to `to`.
    ///
    /// # Errors
    ///
    /// Errors of `sendto`.
    pub fn send_raw_to(&mut self, to: Address, bytes: &[u8]) -> Result<(), Error> {
        self.transmit(to, bytes)
    }

    /// Sends the messages a [`MessageBuilder`] (used once or several times)
    /// wrote into `batch` as one datagram to the peer, after giving each a
    /// fresh sequence number and our port. Returns the sequence numbers in
    /// order; wait for their acks with [`Socket::wait_for_ack`].
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when `batch` is not well framed, and errors of
    /// `sendto`.
    pub fn send_batch(&mut self, batch: &mut [u8]) -> Result<Vec<u32>, Error> {
        let mut seqs = Vec::new();
        let mut at = 0;
        while at < batch.len() {
            let rest = batch.get(at..).unwrap_or_default();
            let (_, advance) = Message::parse(rest).map_err(|e| e.shifted(at))?;
            let seq = self.take_seq();
            if let Some(msg) = batch.get_mut(at..) {
                set_seq_and_pid(msg, seq, self.port);
            }
            seqs.push(seq);
            at = at.saturating_add(advance.max(1));
        }
        self.sent.clear();
        self.sent.extend_from_slice(batch);
        self.transmit(Address::port(self.options.peer), batch)?;
        Ok(seqs)
    }

    /// Sends `bytes` to `to`, waiting for room at most the write timeout.
    fn transmit(&self, to: Address, bytes: &[u8]) -> Result<(), Error> {
        self.transmit_within(to, bytes, self.write_timeout.get())
    }

    /// Sends `bytes` to `to`, waiting for room at a full user-space
    /// receiver at most `timeout` (`None`: forever). The kernel takes the
    /// bound from the sender's `SO_SNDTIMEO` (`netlink_attachskb`), so the
    /// descriptor holds it; `poll(2)` cannot help, since a netlink socket
    /// always polls writable whatever the receiver's state.
    fn transmit_within(
        &self,
        to: Address,
        bytes: &[u8],
        timeout: Option<Duration>,
    ) -> Result<(), Error> {
        let nonblocking = self.options.send_nonblocking;
        let flags = if nonblocking { libc::MSG_DONTWAIT } else { 0 };
        if !nonblocking {
            self.use_sndtimeo(timeout)?;
        }
        loop {
            match sys::sendto(self.fd.as_fd(), bytes, to.port, to.groups, flags) {
                Ok(_) => return Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) if nonblocking && err.raw_os_error() == Some(libc::EAGAIN) => {
                    return Err(Error::WouldBlock);
                }
                // A multicast is also unicast to `nl_pid` after the group
                // delivery (`netlink_sendmsg`); on protocols without a
                // kernel socket, port 0 refuses it though the group got it.
                Err(err) if to.groups != 0 && to.port == 0 && refused(&err) => return Ok(()),
                Err(err) => return Err(Error::from_io(err)),
            }
        }
    }

    // ----- receiving -----------------------------------------------------

    /// Receives the next datagram: first the notifications kept while
    /// waiting for replies (one message each, in arrival order), then an
    /// overflow report if some were dropped, then the socket.
    ///
    /// # Errors
    ///
    /// [`Error::QueueOverflow`] once after queued notifications were
    /// dropped, [`Error::Overrun`] when the kernel lost messages (the
    /// socket keeps working), [`Error::Timeout`] after the read timeout,
    /// and [`Error::Io`].
    pub fn recv(&mut self) -> Result<Datagram<'_>, Error> {
        if self.pos >= self.len {
            self.next_datagram(None)?;
        }
        let start = self.pos;
        self.pos = self.len;
        Ok(Datagram {
            source: self.source,
            bytes: self.buf.get(start..self.len).unwrap_or_default(),
        })
    }

    /// Receives the next message, reading a new datagram only when the
    /// last one is used up. Returns the message and its datagram's sender.
    ///
    /// # Errors
    ///
    /// As [`Socket::recv`], and [`Error::Decode`] for a datagram that is
    /// not well framed (the rest of it is skipped, later datagrams are
    /// read normally).
    pub fn recv_msg(&mut self) -> Result<(Message<'_>, Source), Error> {
        if self.pos >= self.len {
            self.next_datagram(None)?;
        }
        let start = self.pos;
        let rest = self.buf.get(start..self.len).unwrap_or_default();
        match Message::parse(rest) {
            Ok((msg, advance)) => {
                self.pos = start.saturating_add(advance);
                Ok((msg, self.source))
            }
            Err(err) => {
                self.pos = self.len;
                Err(Error::Decode(err.shifted(start)))
            }
        }
    }

    /// Loads the next datagram into the buffer: from the queue, then from
    /// the socket within the read timeout when `wait` is `None`; else from
    /// the socket only, within the exchange call's budget.
    pub(crate) fn next_datagram(&mut self, wait: Option<&mut ReplyWait>) -> Result<(), Error> {
        if wait.is_none() {
            if let Some(item) = self.queue.pop_front() {
                self.load(&item.bytes, item.source);
                return Ok(());
            }
            if self.queue_dropped > 0 {
                let dropped = std::mem::take(&mut self.queue_dropped);
                return Err(Error::QueueOverflow { dropped });
            }
        }
        self.fill(wait)
    }

    fn load(&mut self, bytes: &[u8], source: Source) {
        self.buf.clear();
        self.buf.extend_from_slice(bytes);
        self.len = bytes.len();
        self.pos = 0;
        self.source = source;
    }

    // Limitation: every datagram costs two calls, the size peek and the
    // receive, where a loop that may truncate makes one; with nothing
    // bounding the size of a datagram (one kernel message or one
    // user-space send can exceed any buffer), only a peek keeps a large
    // datagram from being cut or lost. Peeking into the whole buffer and
    // then dropping the datagram with a zero-length receive also takes two
    // calls, measured no faster, and cannot tell which datagram it drops
    // when another reader shares the descriptor. A socket opened with
    // `SocketBuilder::one_call_receive` trusts its peers to stay within a
    // size instead, and receives in one call.
    fn fill(&mut self, mut wait: Option<&mut ReplyWait>) -> Result<(), Error> {
        loop {
            let meta = match self.options.one_call {
                None => {
                    let size = self.wait_for(wait.as_deref_mut(), |sock, flags| {
                        sys::peek_len(sock.fd.as_fd(), flags)
                    })?;
                    self.grow_buf(size);
                    match sys::recvmsg(self.fd.as_fd(), &mut self.buf, libc::MSG_DONTWAIT) {
                        Ok(meta) => meta,
                        // Gone since the peek (another reader of the
                        // descriptor): wait for the next one.
                        Err(err)
                            if matches!(err.raw_os_error(), Some(libc::EAGAIN | libc::EINTR)) =>
                        {
                            continue;
                        }
                        Err(err) => return Err(Error::from_io(err)),
                    }
                }
                Some(capacity) => {
                    self.grow_buf(capacity);
                    self.wait_for(wait.as_deref_mut(), |sock, flags| {
                        sys::recvmsg(sock.fd.as_fd(), &mut sock.buf, flags)
                    })?
                }
            };
            if meta.truncated {
                self.len = 0;
                self.pos = 0;
                let capacity = self.buf.len();
                return Err(Error::Truncated {
                    len: meta.len,
                    capacity,
                });
            }
            if self.options.protocol.is_kernel() && meta.port != 0 {
                self.foreign_dropped = self.foreign_dropped.saturating_add(1);
                continue;
            }
            self.len = meta.len;
            self.pos = 0;
            self.source = Source {
                port: meta.port,
                groups: meta.groups,
                group: meta.group.filter(|&g| g != 0),
                nsid: meta.nsid,
            };
            return Ok(());
        }
    }

    /// Makes the receive buffer at least `size` bytes, and never smaller
    /// than [`RECV_FLOOR`].
    fn grow_buf(&mut self, size: usize) {
        let want = size.max(RECV_FLOOR);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
    }

    /// Runs `call` (a peek or a receive, given the flags to add) until the
    /// next datagram is there: within the read timeout when `wait` is
    /// `None`, else within the exchange call's budget.
    fn wait_for<T>(
        &mut self,
        wait: Option<&mut ReplyWait>,
        mut call: impl FnMut(&mut Self, libc::c_int) -> std::io::Result<T>,
    ) -> Result<T, Error> {
        let Some(wait) = wait else {
            self.use_rcvtimeo(self.read_timeout.get())?;
            return retry(|| call(self, 0));
        };
        loop {
            let flags = if wait.started {
                libc::MSG_DONTWAIT
            } else {
                self.start(wait)?;
                0
            };
            match call(self, flags) {
                Ok(value) => return Ok(value),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                // Nothing queued, or `SO_RCVTIMEO` (at most the budget)
                // ran out: wait for the rest of the budget.
                Err(err) if err.raw_os_error() == Some(libc::EAGAIN) => {
                    self.wait_readable(wait.deadline)?;
                }
                Err(err) => return Err(Error::from_io(err)),
            }
        }
    }

    /// Starts the budget of an exchange call at its first wait, and makes
    /// sure a blocking receive cannot outlast it.
    fn start(&mut self, wait: &mut ReplyWait) -> Result<(), Error> {
        wait.started = true;
        let Some(timeout) = self.options.reply_timeout else {
            return Ok(());
        };
        wait.deadline = Instant::now().checked_add(timeout);
        if wait.deadline.is_some() && self.rcvtimeo.get().is_none_or(|set| set > timeout) {
            self.use_rcvtimeo(Some(timeout))?;
        }
        Ok(())
    }

    /// Sets `SO_RCVTIMEO` to `timeout` unless it is set so already.
    fn use_rcvtimeo(&self, timeout: Option<Duration>) -> Result<(), Error> {
        if self.rcvtimeo.get() != timeout {
            sys::set_timeout(self.fd.as_fd(), libc::SO_RCVTIMEO, timeout).map_err(Error::Io)?;
            self.rcvtimeo.set(timeout);
        }
        Ok(())
    }

    /// Sets `SO_SNDTIMEO` to `timeout` unless it is set so already.
    fn use_sndtimeo(&self, timeout: Option<Duration>) -> Result<(), Error> {
        if self.sndtimeo.get() != timeout {
            sys::set_timeout(self.fd.as_fd(), libc::SO_SNDTIMEO, timeout).map_err(Error::Io)?;
            self.sndtimeo.set(timeout);
        }
        Ok(())
    }

    /// Waits with `poll(2)` until the socket is readable or `deadline`
    /// (`None`: forever) passes.
    fn wait_readable(&self, deadline: Option<Instant>) -> Result<(), Error> {
        loop {
            let ms = deadline.map_or(-1, |deadline| {
                let left = deadline.saturating_duration_since(Instant::now());
                libc::c_int::try_from(left.as_millis().saturating_add(1)).unwrap_or(i32::MAX)
            });
            match sys::poll_readable(self.fd.as_fd(), ms) {
                Ok(true) => return Ok(()),
                Ok(false) if deadline.is_some_and(|d| Instant::now() >= d) => {
                    return Err(Error::Timeout);
                }
                Ok(false) => {}
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(Error::Io(err)),
            }
        }
    }

    /// Keeps the message at `range` of the current datagram for a later
    /// [`Socket::recv`], or counts it when the queue is full.
    pub(crate) fn keep(&mut self, range: Range<usize>) {
        if self.queue.len() >= self.options.queue_limit {
            self.queue_dropped = self.queue_dropped.saturating_add(1);
            return;
        }
        let bytes = self.buf.get(range).unwrap_or_default().to_vec();
        self.queue.push_back(Queued {
            source: self.source,
            bytes,
        });
    }

    /// Moves the unread rest of the current datagram to the queue: to its
    /// front when an exchange starts (it arrived before anything queued
    /// since), to its back when one ends. Messages of an abandoned dump
    /// are left out.
    pub(crate) fn stash_rest(&mut self, front: bool) {
        if self.pos >= self.len {
            return;
        }
        let rest = self.pos..self.len;
        self.pos = self.len;
        if front {
            let bytes = self.buf.get(rest).unwrap_or_default().to_vec();
            let source = self.source;
            self.queue.push_front(Queued { source, bytes });
            return;
        }
        let mut at = rest.start;
        while at < rest.end {
            let bytes = self.buf.get(at..rest.end).unwrap_or_default();
            let Ok((msg, advance)) = Message::parse(bytes) else {
                self.keep(at..rest.end);
                return;
            };
            let len = usize::try_from(msg.header().len).unwrap_or(usize::MAX);
            if !self.is_abandoned(msg.seq()) {
                self.keep(at..at.saturating_add(len));
            } else if matches!(msg.message_type(), MessageType::DONE | MessageType::ERROR) {
                self.abandoned = None;
            }
            at = at.saturating_add(advance.max(1));
        }
    }

    /// Removes from the queue the first kept message that ends exchange
    /// `seq` (an `NLMSG_ERROR` or `NLMSG_DONE` with that sequence number,
    /// unicast from the peer) and returns its bytes. Acks read while
    /// waiting for another one are found this way.
    pub(crate) fn unqueue_end(&mut self, seq: u32) -> Option<Vec<u8>> {
        let peer = self.options.peer;
        let (index, found) = self.queue.iter().enumerate().find_map(|(index, item)| {
            if item.source.is_multicast() || item.source.port != peer {
                return None;
            }
            let mut messages = Messages::new(&item.bytes);
            loop {
                let start = messages.offset();
                let msg = messages.next()?.ok()?;
                let ends = matches!(msg.message_type(), MessageType::ERROR | MessageType::DONE);
                if ends && msg.seq() == seq {
                    let len = usize::try_from(msg.header().len).unwrap_or(usize::MAX);
                    let found = start..start.saturating_add(len);
                    return Some((index, (found, start..messages.offset())));
                }
            }
        })?;
        let (message, span) = found;
        let item = self.queue.get_mut(index)?;
        let bytes = item.bytes.get(message)?.to_vec();
        if item.bytes.get(span.clone()).is_some() {
            item.bytes.drain(span);
        }
        if item.bytes.is_empty() {
            self.queue.remove(index);
        }
        Some(bytes)
    }

    /// Returns whether a message with `msg_seq` in the current datagram
    /// belongs to a dump that was dropped before its end.
    pub(crate) fn is_abandoned(&self, msg_seq: u32) -> bool {
        self.abandoned == Some(msg_seq)
            && !self.source.is_multicast()
            && self.source.port == self.options.peer
    }

    // ----- groups --------------------------------------------------------

    /// Joins multicast group `group` (`NETLINK_ADD_MEMBERSHIP`). Groups
    /// above 32 turn `NETLINK_PKTINFO` on, since only it names them.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: `EINVAL` for group 0 or a group past the protocol's
    /// count, `EPERM` without the right to listen.
    pub fn join_group(&mut self, group: u32) -> Result<(), Error> {
        let value = libc::c_int::try_from(group).unwrap_or(libc::c_int::MAX);
        let fd = self.fd.as_fd();
        sys::setsockopt_int(fd, SOL_NETLINK, opt::ADD_MEMBERSHIP, value).map_err(Error::Io)?;
        if group > 32 {
            sys::setsockopt_int(fd, SOL_NETLINK, opt::PKTINFO, 1).map_err(Error::Io)?;
        }
        Ok(())
    }

    /// Leaves multicast group `group` (`NETLINK_DROP_MEMBERSHIP`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: `EINVAL` for an invalid group.
    pub fn leave_group(&mut self, group: u32) -> Result<(), Error> {
        let value = libc::c_int::try_from(group).unwrap_or(libc::c_int::MAX);
        sys::setsockopt_int(self.fd.as_fd(), SOL_NETLINK, opt::DROP_MEMBERSHIP, value)
            .map_err(Error::Io)
    }

    /// Returns the groups the socket belongs to, joined either way, in
    /// ascending order (`NETLINK_LIST_MEMBERSHIPS`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] from `getsockopt`.
    pub fn groups(&self) -> Result<Vec<u32>, Error> {
        let words = sys::list_memberships(self.fd.as_fd()).map_err(Error::Io)?;
        let mut groups = Vec::new();
        for (index, word) in (0u32..).zip(words) {
            for bit in 0..32 {
                if word & (1 << bit) != 0 {
                    groups.push(index.saturating_mul(32).saturating_add(bit + 1));
                }
            }
        }
        Ok(groups)
    }

    // ----- requests: shared helpers -------------------------------------

    /// Returns whether a message with header `seq` in the current datagram
    /// answers our request `seq`: same sequence number, unicast, from the
    /// peer. A multicast is a notification even with our seq (the kernel
    /// sends those when a subscribed socket makes a change).
    pub(crate) fn answers(&self, msg_seq: u32, seq: u32) -> bool {
        msg_seq == seq && !self.source.is_multicast() && self.source.port == self.options.peer
    }

    /// Returns the bytes of our last sent message with sequence number
    /// `seq`, if it is still known.
    pub(crate) fn sent_request(&self, seq: u32) -> Option<&[u8]> {
        let mut messages = Messages::new(&self.sent);
        loop {
            let start = messages.offset();
            let msg = messages.next()?.ok()?;
            if msg.seq() == seq {
                let len = usize::try_from(msg.header().len).ok()?;
                return self.sent.get(start..start.checked_add(len)?);
            }
        }
    }
}

fn refused(err: &std::io::Error) -> bool {
    err.raw_os_error() == Some(libc::ECONNREFUSED)
}

fn retry<T>(mut call: impl FnMut() -> std::io::Result<T>) -> Result<T, Error> {
    loop {
        match call() {
            Ok(value) => return Ok(value),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(Error::from_io(err)),
        }
    }
}

/// Returns a random nonzero initial sequence number, so replies to an
/// earlier process that had the same port are not taken for ours.
fn initial_seq(port: u32) -> u32 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(port);
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let value = hasher.finish() as u32;
    if value == 0 { 1 } else { value }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl From<Socket> for OwnedFd {
    fn from(sock: Socket) -> Self {
        sock.fd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_skip_zero_when_they_wrap() {
        let mut sock = Socket::open(Protocol::USERSOCK).unwrap();
        assert_ne!(sock.next_seq(), 0);
        sock.next_seq = u32::MAX;
        assert_eq!(sock.take_seq(), u32::MAX);
        assert_eq!(sock.take_seq(), 1, "0 is never used");
        assert_eq!(sock.take_seq(), 2);
    }
}
