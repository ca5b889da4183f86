//! Thin wrappers over the system calls the socket needs.
//!
//! This is the only module of the crate with `unsafe`. Every wrapper does
//! one system call in one `unsafe` block whose `// SAFETY:` comment lists
//! what the call relies on; every result goes through [`cvt`], the one
//! place where `-1` becomes an [`io::Error`]. File descriptors become
//! [`OwnedFd`] on the line that creates them, always with `SOCK_CLOEXEC`.
//! Nothing here retries or interprets errors: the caller decides.

use std::io;
use std::mem::{align_of, size_of, zeroed};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd};

/// `SOL_NETLINK`, the socket option level of netlink options.
pub(crate) const SOL_NETLINK: libc::c_int = 270;
const _: () = assert!(SOL_NETLINK == libc::SOL_NETLINK);

/// Netlink socket options, `include/uapi/linux/netlink.h`.
pub(crate) mod opt {
    /// `NETLINK_ADD_MEMBERSHIP`.
    pub(crate) const ADD_MEMBERSHIP: libc::c_int = 1;
    /// `NETLINK_DROP_MEMBERSHIP`.
    pub(crate) const DROP_MEMBERSHIP: libc::c_int = 2;
    /// `NETLINK_PKTINFO`.
    pub(crate) const PKTINFO: libc::c_int = 3;
    /// `NETLINK_BROADCAST_ERROR`.
    pub(crate) const BROADCAST_ERROR: libc::c_int = 4;
    /// `NETLINK_NO_ENOBUFS`.
    pub(crate) const NO_ENOBUFS: libc::c_int = 5;
    /// `NETLINK_LISTEN_ALL_NSID`.
    pub(crate) const LISTEN_ALL_NSID: libc::c_int = 8;
    /// `NETLINK_LIST_MEMBERSHIPS`.
    pub(crate) const LIST_MEMBERSHIPS: libc::c_int = 9;
    /// `NETLINK_CAP_ACK`.
    pub(crate) const CAP_ACK: libc::c_int = 10;
    /// `NETLINK_EXT_ACK`.
    pub(crate) const EXT_ACK: libc::c_int = 11;
    /// `NETLINK_GET_STRICT_CHK`.
    pub(crate) const GET_STRICT_CHK: libc::c_int = 12;
}

// Our reading of the control messages relies on libc's `cmsghdr` layout:
// a `usize` length followed by two `c_int`s, data aligned to `usize`.
const _: () = assert!(size_of::<libc::cmsghdr>() == CMSG_HDR_LEN);
const _: () = assert!(std::mem::offset_of!(libc::cmsghdr, cmsg_len) == 0);
const _: () = assert!(std::mem::offset_of!(libc::cmsghdr, cmsg_level) == size_of::<usize>());
const _: () = assert!(std::mem::offset_of!(libc::cmsghdr, cmsg_type) == size_of::<usize>() + 4);
const _: () = assert!(size_of::<libc::sockaddr_nl>() == 12);
const _: () = assert!(std::mem::offset_of!(libc::sockaddr_nl, nl_pid) == 4);
const _: () = assert!(std::mem::offset_of!(libc::sockaddr_nl, nl_groups) == 8);

const CMSG_HDR_LEN: usize = 2 * size_of::<usize>();

/// Room for the control messages we ask for: `NETLINK_PKTINFO` and
/// `NETLINK_LISTEN_ALL_NSID`, each one `u32` (`CMSG_SPACE(4)` twice).
const CONTROL_LEN: usize = 2 * (CMSG_HDR_LEN + size_of::<usize>());

/// A control buffer aligned as `cmsghdr` requires.
#[repr(C, align(8))]
struct Control([u8; CONTROL_LEN]);
const _: () = assert!(align_of::<Control>() >= align_of::<libc::cmsghdr>());

/// Turns the `-1` of a failed call into the thread's `errno`.
fn cvt<T: Default + PartialOrd>(ret: T) -> io::Result<T> {
    if ret < T::default() {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn address(port: u32, groups: u32) -> libc::sockaddr_nl {
    // SAFETY: `sockaddr_nl` is plain integers, for which all zeroes is a
    // valid value (it is also the documented way to clear its padding).
    let mut addr: libc::sockaddr_nl = unsafe { zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_pid = port;
    addr.nl_groups = groups;
    addr
}

const ADDR_LEN: libc::socklen_t = size_of::<libc::sockaddr_nl>() as libc::socklen_t;

/// Opens a raw `AF_NETLINK` socket of `protocol`, close-on-exec.
pub(crate) fn socket(protocol: i32) -> io::Result<OwnedFd> {
    let ty = libc::SOCK_RAW | libc::SOCK_CLOEXEC;
    // SAFETY: socket(2) takes no pointers and has no preconditions.
    let fd = cvt(unsafe { libc::socket(libc::AF_NETLINK, ty, protocol) })?;
    // SAFETY: `fd` was just returned by a successful socket(2), so it is
    // open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Binds `fd` to `port` (0: the kernel picks) and the legacy `groups`
/// bitmask.
pub(crate) fn bind(fd: BorrowedFd<'_>, port: u32, groups: u32) -> io::Result<()> {
    let addr = address(port, groups);
    let ptr = (&raw const addr).cast::<libc::sockaddr>();
    // SAFETY: `ptr` points to a live `sockaddr_nl` of `ADDR_LEN` bytes for
    // the duration of the call; the kernel only reads it.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), ptr, ADDR_LEN) }).map(drop)
}

/// Returns the port and groups `fd` is bound to.
pub(crate) fn getsockname(fd: BorrowedFd<'_>) -> io::Result<(u32, u32)> {
    let mut addr = address(0, 0);
    let mut len = ADDR_LEN;
    let ptr = (&raw mut addr).cast::<libc::sockaddr>();
    // SAFETY: `ptr` and `len` point to live locals; `len` tells the kernel
    // how many bytes it may write to `ptr`.
    cvt(unsafe { libc::getsockname(fd.as_raw_fd(), ptr, &raw mut len) })?;
    Ok((addr.nl_pid, addr.nl_groups))
}

/// Sets a netlink (or, with `level`, another) socket option to an `int`.
pub(crate) fn setsockopt_int(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    let ptr = (&raw const value).cast::<libc::c_void>();
    let len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `ptr` points to a live `c_int` of `len` bytes; the kernel
    // only reads it.
    cvt(unsafe { libc::setsockopt(fd.as_raw_fd(), level, name, ptr, len) }).map(drop)
}

/// Reads an `int` socket option.
pub(crate) fn getsockopt_int(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    let ptr = (&raw mut value).cast::<libc::c_void>();
    // SAFETY: `ptr` points to a live `c_int` and `len` to its size; the
    // kernel writes at most `len` bytes and updates `len`.
    cvt(unsafe { libc::getsockopt(fd.as_raw_fd(), level, name, ptr, &raw mut len) })?;
    Ok(value)
}

/// Sets `SO_RCVTIMEO` or `SO_SNDTIMEO`; `None` (or zero) waits forever.
pub(crate) fn set_timeout(
    fd: BorrowedFd<'_>,
    name: libc::c_int,
    timeout: Option<std::time::Duration>,
) -> io::Result<()> {
    let dur = timeout.unwrap_or_default();
    let mut tv = libc::timeval {
        tv_sec: libc::time_t::try_from(dur.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_usec: libc::suseconds_t::from(dur.subsec_micros().min(999_999) as i32),
    };
    if timeout.is_some() && dur.as_secs() == 0 && tv.tv_usec == 0 {
        // A zero timeval means "forever"; the shortest real wait is 1 us.
        tv.tv_usec = 1;
    }
    let ptr = (&raw const tv).cast::<libc::c_void>();
    let len = size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: `ptr` points to a live `timeval` of `len` bytes; the kernel
    // only reads it.
    cvt(unsafe { libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, name, ptr, len) }).map(drop)
}

/// Reads `SO_RCVTIMEO` or `SO_SNDTIMEO`; `None` when it waits forever.
pub(crate) fn get_timeout(
    fd: BorrowedFd<'_>,
    name: libc::c_int,
) -> io::Result<Option<std::time::Duration>> {
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    let mut len = size_of::<libc::timeval>() as libc::socklen_t;
    let ptr = (&raw mut tv).cast::<libc::c_void>();
    // SAFETY: `ptr` points to a live `timeval` and `len` to its size; the
    // kernel writes at most `len` bytes and updates `len`.
    cvt(unsafe { libc::getsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, name, ptr, &raw mut len) })?;
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let micros = u32::try_from(tv.tv_usec).unwrap_or(0);
    let dur =
        std::time::Duration::from_secs(secs) + std::time::Duration::from_micros(micros.into());
    Ok((!dur.is_zero()).then_some(dur))
}

/// Returns the groups of `NETLINK_LIST_MEMBERSHIPS` as a bitmask of
/// `u32` words (group `n` is bit `(n - 1) % 32` of word `(n - 1) / 32`).
pub(crate) fn list_memberships(fd: BorrowedFd<'_>) -> io::Result<Vec<u32>> {
    let mut words = vec![0u32; 4];
    loop {
        let mut len = libc::socklen_t::try_from(words.len() * 4).unwrap_or(libc::socklen_t::MAX);
        let ptr = words.as_mut_ptr().cast::<libc::c_void>();
        let (level, name) = (SOL_NETLINK, opt::LIST_MEMBERSHIPS);
        // SAFETY: `ptr` points to `len` writable bytes owned by `words`,
        // which outlives the call; the kernel writes at most `len` bytes
        // and stores the size it needs in `len`.
        cvt(unsafe { libc::getsockopt(fd.as_raw_fd(), level, name, ptr, &raw mut len) })?;
        let needed = usize::try_from(len).unwrap_or(usize::MAX).div_ceil(4);
        if needed <= words.len() {
            words.truncate(needed);
            return Ok(words);
        }
        words.resize(needed, 0);
    }
}

/// Sends `bytes` as one datagram to `port` and the `groups` bitmask, with
/// `flags` (`MSG_DONTWAIT` or 0).
pub(crate) fn sendto(
    fd: BorrowedFd<'_>,
    bytes: &[u8],
    port: u32,
    groups: u32,
    flags: libc::c_int,
) -> io::Result<usize> {
    let addr = address(port, groups);
    let dst = (&raw const addr).cast::<libc::sockaddr>();
    let buf = bytes.as_ptr().cast::<libc::c_void>();
    // SAFETY: `buf` points to `bytes.len()` readable bytes and `dst` to a
    // live `sockaddr_nl` of `ADDR_LEN` bytes; the kernel only reads both.
    let sent = unsafe { libc::sendto(fd.as_raw_fd(), buf, bytes.len(), flags, dst, ADDR_LEN) };
    cvt(sent).map(|n| usize::try_from(n).unwrap_or(0))
}

/// Where a datagram came from, as `recvmsg` reported it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RecvMeta {
    /// Bytes the datagram holds (may exceed the buffer when truncated).
    pub(crate) len: usize,
    /// Whether the datagram was cut to fit the buffer (`MSG_TRUNC`).
    pub(crate) truncated: bool,
    /// Sender port, `nl_pid`.
    pub(crate) port: u32,
    /// Group bitmask, `nl_groups`.
    pub(crate) groups: u32,
    /// Group from `NETLINK_PKTINFO`.
    pub(crate) group: Option<u32>,
    /// Namespace id from `NETLINK_LISTEN_ALL_NSID`.
    pub(crate) nsid: Option<i32>,
}

/// Returns the size of the next datagram without taking it
/// (`MSG_PEEK | MSG_TRUNC` with no buffer), waiting for one unless `flags`
/// holds `MSG_DONTWAIT`.
pub(crate) fn peek_len(fd: BorrowedFd<'_>, flags: libc::c_int) -> io::Result<usize> {
    let flags = flags | libc::MSG_PEEK | libc::MSG_TRUNC;
    // SAFETY: a null buffer of length 0 is allowed; with MSG_TRUNC the
    // kernel copies nothing and returns the datagram's real length.
    let len = unsafe { libc::recv(fd.as_raw_fd(), std::ptr::null_mut(), 0, flags) };
    cvt(len).map(|n| usize::try_from(n).unwrap_or(0))
}

/// Receives one datagram into `buf`, with its sender and control data;
/// `flags` is added to `MSG_TRUNC` (`MSG_DONTWAIT`, `MSG_PEEK` or 0).
pub(crate) fn recvmsg(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    flags: libc::c_int,
) -> io::Result<RecvMeta> {
    let mut addr = address(0, 0);
    let mut control = Control([0; CONTROL_LEN]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: `msghdr` is plain integers and pointers, for which all zeroes
    // (null pointers, zero lengths) is valid.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&raw mut addr).cast();
    msg.msg_namelen = ADDR_LEN;
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = CONTROL_LEN as _;
    // SAFETY: every pointer in `msg` refers to a live local or to `buf`,
    // each with its true length; all outlive the call, and the kernel
    // writes only within those lengths.
    let len = cvt(unsafe { libc::recvmsg(fd.as_raw_fd(), &raw mut msg, flags | libc::MSG_TRUNC) })?;
    // `msg_controllen` is `size_t` on glibc but `socklen_t` on musl.
    #[allow(clippy::useless_conversion, reason = "the type differs between libcs")]
    let control_len = usize::try_from(msg.msg_controllen)
        .unwrap_or(0)
        .min(CONTROL_LEN);
    let mut meta = RecvMeta {
        len: usize::try_from(len).unwrap_or(0),
        truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
        port: addr.nl_pid,
        groups: addr.nl_groups,
        ..RecvMeta::default()
    };
    read_control(control.0.get(..control_len).unwrap_or_default(), &mut meta);
    Ok(meta)
}

/// Reads `NETLINK_PKTINFO` and `NETLINK_LISTEN_ALL_NSID` control messages
/// from the raw control buffer (`CMSG_FIRSTHDR`/`CMSG_NXTHDR` in safe code).
fn read_control(mut rest: &[u8], meta: &mut RecvMeta) {
    let word = size_of::<usize>();
    while rest.len() >= CMSG_HDR_LEN {
        let len = usize::from_ne_bytes(head(rest, 0));
        let level = i32::from_ne_bytes(head(rest, word));
        let kind = i32::from_ne_bytes(head(rest, word + 4));
        if len < CMSG_HDR_LEN || len > rest.len() {
            return;
        }
        let data = rest.get(CMSG_HDR_LEN..len).unwrap_or_default();
        if level == SOL_NETLINK && data.len() >= 4 {
            let value: [u8; 4] = head(data, 0);
            match kind {
                opt::PKTINFO => meta.group = Some(u32::from_ne_bytes(value)),
                opt::LISTEN_ALL_NSID => meta.nsid = Some(i32::from_ne_bytes(value)),
                _ => {}
            }
        }
        let next = len.div_ceil(word).saturating_mul(word);
        rest = rest.get(next..).unwrap_or_default();
    }
}

fn head<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    bytes
        .get(at..at.saturating_add(N))
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; N])
}

/// Moves the calling thread into the network namespace `ns`.
pub(crate) fn setns_net(ns: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: setns(2) takes no pointers; it only changes the calling
    // thread's namespace, which the caller confines to a helper thread.
    cvt(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) }).map(drop)
}

/// Closes `fd` and reports the error `close(2)` returns.
pub(crate) fn close(fd: OwnedFd) -> io::Result<()> {
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` came from an `OwnedFd` that gave up ownership, so this
    // is its only close; after the call it is never used again.
    cvt(unsafe { libc::close(raw) }).map(drop)
}

/// Waits until `fd` is readable or `timeout_ms` passes (`-1`: forever);
/// returns whether it is readable.
pub(crate) fn poll_readable(fd: BorrowedFd<'_>, timeout_ms: libc::c_int) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one live `pollfd` and the count passed is 1; the
    // kernel writes only its `revents`.
    let ready = cvt(unsafe { libc::poll(&raw mut pfd, 1, timeout_ms) })?;
    Ok(ready > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmsg(level: i32, kind: i32, value: u32) -> Vec<u8> {
        let mut out = (CMSG_HDR_LEN + 4).to_ne_bytes().to_vec();
        out.extend(level.to_ne_bytes());
        out.extend(kind.to_ne_bytes());
        out.extend(value.to_ne_bytes());
        out.resize(CMSG_HDR_LEN + size_of::<usize>(), 0);
        out
    }

    #[test]
    fn control_messages_yield_group_and_nsid() {
        let mut bytes = cmsg(SOL_NETLINK, opt::PKTINFO, 37);
        bytes.extend(cmsg(SOL_NETLINK, opt::LISTEN_ALL_NSID, 5));
        let mut meta = RecvMeta::default();
        read_control(&bytes, &mut meta);
        assert_eq!((meta.group, meta.nsid), (Some(37), Some(5)));
    }

    #[test]
    fn malformed_control_messages_stop_the_walk() {
        let mut bytes = cmsg(SOL_NETLINK, opt::PKTINFO, 3);
        bytes[..size_of::<usize>()].copy_from_slice(&1usize.to_ne_bytes());
        let mut meta = RecvMeta::default();
        read_control(&bytes, &mut meta);
        assert_eq!(meta.group, None);
        read_control(&bytes[..5], &mut meta);
        assert_eq!(meta, RecvMeta::default());
    }

    #[test]
    fn cvt_maps_minus_one_to_errno() {
        assert!(cvt(-1i32).is_err());
        assert_eq!(cvt(3i32).unwrap(), 3);
    }
}
