//! Opening a socket: every option that must be set before or at bind time.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

use netlink_core::Protocol;

use crate::error::Error;
use crate::socket::{Options, Socket};
use crate::sys::{self, SOL_NETLINK, opt};

/// The default bound on queued notifications, in messages.
pub const DEFAULT_QUEUE_LIMIT: usize = 1024;

/// The default wait of each exchange call for its replies.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// Where to open the socket.
#[derive(Debug)]
enum Namespace {
    Current,
    Path(PathBuf),
    Fd(OwnedFd),
}

/// Opens a [`Socket`] with the options set before `bind(2)`.
///
/// Defaults: kernel-assigned port, no groups, auto-ack and extended acks
/// on, everything else as the kernel sets it, no read or write timeout on
/// the socket, a [`DEFAULT_REPLY_TIMEOUT`] per exchange call (which also
/// bounds the send of a request or a dump), and a queue of
/// [`DEFAULT_QUEUE_LIMIT`] notifications.
///
/// # Examples
///
/// ```
/// use netlink_socket::{Protocol, SocketBuilder};
///
/// let sock = SocketBuilder::new(Protocol::USERSOCK).auto_ack(false).open()?;
/// assert_ne!(sock.local_port(), 0);
/// # Ok::<(), netlink_socket::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct SocketBuilder {
    protocol: Protocol,
    port: u32,
    groups: u32,
    auto_ack: bool,
    ext_ack: bool,
    cap_ack: bool,
    strict: bool,
    no_enobufs: bool,
    pktinfo: bool,
    listen_all_nsid: bool,
    broadcast_error: bool,
    rcvbuf: Option<(usize, bool)>,
    sndbuf: Option<(usize, bool)>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    send_nonblocking: bool,
    reply_timeout: Option<Duration>,
    queue_limit: usize,
    peer: u32,
    one_call: Option<usize>,
    namespace: Namespace,
}

impl SocketBuilder {
    /// Starts a socket of `protocol` with the defaults above.
    pub fn new(protocol: Protocol) -> Self {
        Self {
            protocol,
            port: 0,
            groups: 0,
            auto_ack: true,
            ext_ack: true,
            cap_ack: false,
            strict: false,
            no_enobufs: false,
            pktinfo: false,
            listen_all_nsid: false,
            broadcast_error: false,
            rcvbuf: None,
            sndbuf: None,
            read_timeout: None,
            write_timeout: None,
            send_nonblocking: false,
            reply_timeout: Some(DEFAULT_REPLY_TIMEOUT),
            queue_limit: DEFAULT_QUEUE_LIMIT,
            peer: 0,
            one_call: None,
            namespace: Namespace::Current,
        }
    }

    /// Binds to `port` (0, the default, lets the kernel choose). A port in
    /// use fails with `EADDRINUSE`.
    pub fn port(mut self, port: u32) -> Self {
        self.port = port;
        self
    }

    /// Joins the groups of the legacy bitmask at bind time (bit `n - 1`
    /// for group `n`, groups 1 to 32 only).
    pub fn groups(mut self, mask: u32) -> Self {
        self.groups = mask;
        self
    }

    /// Adds `NLM_F_ACK` to every request sent with [`Socket::send`] and
    /// the calls built on it (default on), so that every request is
    /// answered and nothing waits for a reply that never comes.
    pub fn auto_ack(mut self, on: bool) -> Self {
        self.auto_ack = on;
        self
    }

    /// Asks for extended-ack TLVs: error text and offending attribute
    /// (`NETLINK_EXT_ACK`, default on).
    pub fn ext_ack(mut self, on: bool) -> Self {
        self.ext_ack = on;
        self
    }

    /// Leaves the request payload out of error acks (`NETLINK_CAP_ACK`).
    /// The offending attribute is still located: the socket keeps its own
    /// copy of the request.
    pub fn cap_ack(mut self, on: bool) -> Self {
        self.cap_ack = on;
        self
    }

    /// Turns on strict checking of dump requests (`NETLINK_GET_STRICT_CHK`):
    /// the kernel rejects malformed headers and honours filters.
    pub fn strict_checking(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// Stops reporting overruns (`NETLINK_NO_ENOBUFS`): losses become
    /// silent. Only for sockets that never rely on complete notifications.
    pub fn no_enobufs(mut self, on: bool) -> Self {
        self.no_enobufs = on;
        self
    }

    /// Reports the destination group of every datagram
    /// (`NETLINK_PKTINFO`), the only way to tell groups above 32 apart.
    /// Joining a group above 32 turns it on by itself.
    pub fn pktinfo(mut self, on: bool) -> Self {
        self.pktinfo = on;
        self
    }

    /// Receives notifications of every peer namespace with an id
    /// (`NETLINK_LISTEN_ALL_NSID`); the id comes with each datagram.
    /// Needs `CAP_NET_BROADCAST`.
    pub fn listen_all_nsid(mut self, on: bool) -> Self {
        self.listen_all_nsid = on;
        self
    }

    /// Makes a failed multicast delivery to this socket count as a failure
    /// of the kernel's broadcast (`NETLINK_BROADCAST_ERROR`), for kernel
    /// senders that must not lose events (conntrack then keeps the lost
    /// event to deliver it again). It changes nothing this socket sees: an
    /// overrun is still [`Error::Overrun`]. Multicasts sent from user
    /// space report no delivery failure either way.
    pub fn broadcast_error(mut self, on: bool) -> Self {
        self.broadcast_error = on;
        self
    }

    /// Sets the receive buffer (`SO_RCVBUF`; with `force`, `SO_RCVBUFFORCE`
    /// which passes `rmem_max` and needs `CAP_NET_ADMIN`).
    pub fn recv_buffer(mut self, bytes: usize, force: bool) -> Self {
        self.rcvbuf = Some((bytes, force));
        self
    }

    /// Sets the send buffer (`SO_SNDBUF`, or `SO_SNDBUFFORCE` with `force`).
    pub fn send_buffer(mut self, bytes: usize, force: bool) -> Self {
        self.sndbuf = Some((bytes, force));
        self
    }

    /// Sets the socket's read timeout (`SO_RCVTIMEO`), after which
    /// [`Socket::recv`] returns [`Error::Timeout`].
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets the socket's write timeout (`SO_SNDTIMEO`): how long a send
    /// to a user-space peer whose receive buffer is full waits for room
    /// before [`Error::Timeout`]. The send of [`Socket::request`] and
    /// [`Socket::dump`] waits at most the reply timeout even without one.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Makes every send non-blocking (`MSG_DONTWAIT`, default off): a
    /// datagram for a user-space peer whose receive buffer is full is not
    /// sent, and the send returns [`Error::WouldBlock`] at once instead of
    /// waiting. For servers that must not let one client that stops
    /// reading hold up the others, as the kernel itself does with its
    /// replies. Multicasts never wait either way.
    pub fn send_nonblocking(mut self, on: bool) -> Self {
        self.send_nonblocking = on;
        self
    }

    /// Sets how long each call of [`Socket::request`],
    /// [`Socket::wait_for_ack`] and [`crate::Dump::next`] waits in total
    /// for its replies (`None`: forever), counted from its first wait.
    /// Messages that do not answer the call (notifications, other
    /// exchanges) are kept and do not extend it. Independent of the read
    /// timeout, which bounds [`Socket::recv`].
    pub fn reply_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.reply_timeout = timeout;
        self
    }

    /// Bounds the notifications kept while waiting for replies; past it
    /// they are dropped and [`Error::QueueOverflow`] reports how many.
    pub fn queue_limit(mut self, messages: usize) -> Self {
        self.queue_limit = messages;
        self
    }

    /// Sends requests to the user-space peer at `port` instead of the
    /// kernel (port 0), and accepts replies only from it.
    pub fn peer(mut self, port: u32) -> Self {
        self.peer = port;
        self
    }

    /// Receives every datagram with one system call into a buffer of at
    /// least `capacity` bytes (and at least [`crate::RECV_FLOOR`]), instead
    /// of peeking at its size first (default off).
    ///
    /// This saves one system call per datagram, at a price: a datagram
    /// larger than the buffer is cut by the kernel, and its content is
    /// lost. The receive then fails with [`crate::Error::Truncated`], which
    /// names the datagram's real size, and the next receive goes on with
    /// the next datagram. Use it only where the peers' datagrams are known
    /// to stay within `capacity`: a user-space protocol of one's own, or
    /// requests whose replies are small. Kernel dumps fill datagrams up to
    /// about 32 KiB, but a single kernel message can be larger than that.
    pub fn one_call_receive(mut self, capacity: usize) -> Self {
        self.one_call = Some(capacity);
        self
    }

    /// Opens the socket in the network namespace at `path` (such as
    /// `/var/run/netns/NAME` or `/proc/PID/ns/net`).
    pub fn netns_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.namespace = Namespace::Path(path.into());
        self
    }

    /// Opens the socket in the network namespace `fd` refers to.
    pub fn netns_fd(mut self, fd: OwnedFd) -> Self {
        self.namespace = Namespace::Fd(fd);
        self
    }

    /// Opens, configures and binds the socket, and reads back its port.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] of the failing system call: `EPROTONOSUPPORT` for an
    /// unknown protocol, `EADDRINUSE` for a used port, `EPERM` for options
    /// that need privileges, and errors of opening the namespace.
    pub fn open(self) -> Result<Socket, Error> {
        let fd = match &self.namespace {
            Namespace::Current => sys::socket(self.protocol.0)?,
            Namespace::Path(path) => socket_in(File::open(path)?.as_fd(), self.protocol)?,
            Namespace::Fd(ns) => socket_in(ns.as_fd(), self.protocol)?,
        };
        self.configure(fd.as_fd()).map_err(Error::Io)?;
        sys::bind(fd.as_fd(), self.port, self.groups).map_err(Error::Io)?;
        let options = Options {
            protocol: self.protocol,
            auto_ack: self.auto_ack,
            reply_timeout: self.reply_timeout,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            send_nonblocking: self.send_nonblocking,
            queue_limit: self.queue_limit,
            peer: self.peer,
            one_call: self.one_call,
        };
        Socket::with_options(fd, options)
    }

    fn configure(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let flags = [
            (self.ext_ack, opt::EXT_ACK),
            (self.cap_ack, opt::CAP_ACK),
            (self.strict, opt::GET_STRICT_CHK),
            (self.no_enobufs, opt::NO_ENOBUFS),
            (self.pktinfo, opt::PKTINFO),
            (self.listen_all_nsid, opt::LISTEN_ALL_NSID),
            (self.broadcast_error, opt::BROADCAST_ERROR),
        ];
        for (on, name) in flags {
            if on {
                sys::setsockopt_int(fd, SOL_NETLINK, name, 1)?;
            }
        }
        if let Some((bytes, force)) = self.rcvbuf {
            let name = if force {
                libc::SO_RCVBUFFORCE
            } else {
                libc::SO_RCVBUF
            };
            sys::setsockopt_int(fd, libc::SOL_SOCKET, name, clamp(bytes))?;
        }
        if let Some((bytes, force)) = self.sndbuf {
            let name = if force {
                libc::SO_SNDBUFFORCE
            } else {
                libc::SO_SNDBUF
            };
            sys::setsockopt_int(fd, libc::SOL_SOCKET, name, clamp(bytes))?;
        }
        if self.read_timeout.is_some() {
            sys::set_timeout(fd, libc::SO_RCVTIMEO, self.read_timeout)?;
        }
        if self.write_timeout.is_some() {
            sys::set_timeout(fd, libc::SO_SNDTIMEO, self.write_timeout)?;
        }
        Ok(())
    }
}

fn clamp(bytes: usize) -> libc::c_int {
    libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX)
}

/// Opens a socket inside the namespace `ns` from a helper thread, so the
/// calling thread never changes namespace. A socket keeps the namespace it
/// was created in for its whole life.
fn socket_in(ns: BorrowedFd<'_>, protocol: Protocol) -> Result<OwnedFd, Error> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                sys::setns_net(ns)?;
                sys::socket(protocol.0)
            })
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("namespace helper thread panicked")))
    })
    .map_err(Error::Io)
}
