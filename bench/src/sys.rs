//! The raw-libc baseline's socket: a few thin system-call wrappers, each
//! unsafe block with the argument for its soundness.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// A bare `AF_NETLINK` datagram socket.
#[derive(Debug)]
pub(crate) struct RawSocket {
    fd: OwnedFd,
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn check_len(ret: libc::ssize_t) -> io::Result<usize> {
    usize::try_from(ret).map_err(|_| io::Error::last_os_error())
}

fn address(port: u32) -> libc::sockaddr_nl {
    // SAFETY: `sockaddr_nl` is plain old data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_pid = port;
    addr
}

const ADDR_LEN: libc::socklen_t = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;

impl RawSocket {
    /// Opens and binds (to a kernel-assigned port) a socket of `protocol`.
    pub(crate) fn open(protocol: libc::c_int) -> io::Result<Self> {
        // SAFETY: `socket(2)` takes no pointers.
        let fd = check(unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        })?;
        // SAFETY: `fd` was just returned by `socket(2)` and is owned by
        // nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let addr = address(0);
        let ptr = (&raw const addr).cast::<libc::sockaddr>();
        // SAFETY: `ptr` points to a live `sockaddr_nl` of `ADDR_LEN` bytes.
        check(unsafe { libc::bind(fd.as_raw_fd(), ptr, ADDR_LEN) })?;
        Ok(Self { fd })
    }

    /// Returns the port the kernel bound the socket to.
    pub(crate) fn port(&self) -> io::Result<u32> {
        let mut addr = address(0);
        let mut len = ADDR_LEN;
        let ptr = (&raw mut addr).cast::<libc::sockaddr>();
        // SAFETY: `ptr` and `len` describe a live, writable `sockaddr_nl`.
        check(unsafe { libc::getsockname(self.fd.as_raw_fd(), ptr, &raw mut len) })?;
        Ok(addr.nl_pid)
    }

    /// Sends `bytes` to `port` (0 for the kernel).
    pub(crate) fn send_to(&self, bytes: &[u8], port: u32) -> io::Result<usize> {
        let addr = address(port);
        let ptr = (&raw const addr).cast::<libc::sockaddr>();
        // SAFETY: `bytes` is a live slice of its length, `ptr` a live
        // `sockaddr_nl` of `ADDR_LEN` bytes.
        check_len(unsafe {
            libc::sendto(
                self.raw(),
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                ptr,
                ADDR_LEN,
            )
        })
    }

    /// Receives one datagram into `buf`; returns its length and sender.
    pub(crate) fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, u32)> {
        let mut addr = address(0);
        let mut len = ADDR_LEN;
        let ptr = (&raw mut addr).cast::<libc::sockaddr>();
        // SAFETY: `buf` is a live writable slice of its length; `ptr` and
        // `len` describe a live, writable `sockaddr_nl`.
        let n = check_len(unsafe {
            libc::recvfrom(
                self.raw(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                ptr,
                &raw mut len,
            )
        })?;
        Ok((n, addr.nl_pid))
    }

    /// Receives one datagram into `buf`; returns its length.
    pub(crate) fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is a live writable slice of its length.
        check_len(unsafe { libc::recv(self.raw(), buf.as_mut_ptr().cast(), buf.len(), 0) })
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Moves the calling thread into a new network namespace.
pub(crate) fn unshare_net() -> io::Result<()> {
    // SAFETY: `unshare(2)` takes no pointers; it changes only the calling
    // thread's namespaces.
    check(unsafe { libc::unshare(libc::CLONE_NEWNET) }).map(drop)
}

/// Returns whether the process runs as root.
pub(crate) fn is_root() -> bool {
    // SAFETY: `geteuid(2)` takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Connects the netlink socket `fd` to `port`, so that plain `send(2)`
/// reaches that peer.
pub(crate) fn connect(fd: &impl AsRawFd, port: u32) -> io::Result<()> {
    let addr = address(port);
    let ptr = (&raw const addr).cast::<libc::sockaddr>();
    // SAFETY: `ptr` points to a live `sockaddr_nl` of `ADDR_LEN` bytes; a
    // bad descriptor is reported as an error, not undefined behaviour.
    check(unsafe { libc::connect(fd.as_raw_fd(), ptr, ADDR_LEN) }).map(drop)
}

/// Returns the CPU time the calling thread has used, user and system:
/// unlike wall time, it does not grow while other processes hold the CPU.
pub(crate) fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live, writable `timespec`; the clock id is valid
    // on Linux.
    let ret = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
    assert_eq!(ret, 0, "CLOCK_THREAD_CPUTIME_ID is supported");
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(ts.tv_nsec).unwrap_or(0);
    std::time::Duration::new(secs, nanos)
}

/// A stopwatch on the calling thread's CPU time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuTimer(std::time::Duration);

impl CpuTimer {
    /// Starts the stopwatch.
    pub(crate) fn start() -> Self {
        Self(thread_cpu_time())
    }

    /// Returns the CPU time used since [`CpuTimer::start`].
    pub(crate) fn elapsed(self) -> std::time::Duration {
        thread_cpu_time().saturating_sub(self.0)
    }
}
