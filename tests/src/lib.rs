//! Shared helpers for the workspace-level integration tests.
//!
//! Tests against the kernel often need privileges (root or
//! `CAP_NET_ADMIN`/`CAP_SYS_ADMIN`) or a private network namespace. The
//! helpers here make those tests honest:
//!
//! - [`privileged`] says whether the process may create namespaces and
//!   change links. When it may not, the test prints why it skips; when the
//!   environment variable `NETLINK_TEST_REQUIRE_PRIVILEGED=1` is set (as in
//!   CI), it fails instead, so a skipped subject never passes silently.
//! - [`net_admin`] does the same for tests that need only `CAP_NET_ADMIN`
//!   in the current namespace: joining a `NETLINK_USERSOCK` group (the
//!   kernel opens no user-socket group to unprivileged listeners) or
//!   forcing buffer sizes past the system maximum.
//! - [`getsockopt_int`] reads an `int` socket option back, so a test can
//!   show that an option it asked for is set.
//! - [`in_new_netns`] runs a closure on a fresh thread inside a new network
//!   namespace. The namespace lives as long as something uses it (the
//!   thread, a socket opened in it, a process started from it) and
//!   disappears with them: nothing is left behind, even when the test
//!   fails.
//! - [`ip`] runs `ip(8)` from the calling thread, so inside [`in_new_netns`]
//!   it configures the private namespace.
//! - [`bounded`] makes arbitrary datagrams and counts allocations, for the
//!   tests that show decoding takes bounded work and memory.
//!
//! ```no_run
//! use netlink_tests::{in_new_netns, ip, privileged};
//!
//! if privileged("creates a veth pair") {
//!     in_new_netns(|| {
//!         ip(&["link", "add", "a0", "type", "veth", "peer", "name", "b0"]);
//!     });
//! }
//! ```

pub mod bounded;

use std::os::fd::{AsFd, AsRawFd};
use std::process::Command;

/// The variable that turns skips into failures.
pub const REQUIRE_PRIVILEGED: &str = "NETLINK_TEST_REQUIRE_PRIVILEGED";

/// `CAP_NET_ADMIN`.
const CAP_NET_ADMIN: u32 = 12;
/// `CAP_SYS_ADMIN`, needed by `unshare(CLONE_NEWNET)`.
const CAP_SYS_ADMIN: u32 = 21;

/// Returns whether the process holds `CAP_NET_ADMIN` and `CAP_SYS_ADMIN`.
/// Otherwise prints that the test skips because it `needs`, or panics
/// when [`REQUIRE_PRIVILEGED`] is `1`.
///
/// # Panics
///
/// When privileges are missing and [`REQUIRE_PRIVILEGED`] is `1`.
#[must_use]
pub fn privileged(needs: &str) -> bool {
    let caps = effective_caps();
    let wanted = (1u64 << CAP_NET_ADMIN) | (1u64 << CAP_SYS_ADMIN);
    if caps & wanted == wanted {
        return true;
    }
    skip(&format!("needs CAP_NET_ADMIN and CAP_SYS_ADMIN: {needs}"));
    false
}

/// Returns whether the process holds `CAP_NET_ADMIN`, without needing a
/// namespace. Otherwise prints that the test skips because it `needs`, or
/// panics when [`REQUIRE_PRIVILEGED`] is `1`.
///
/// The kernel asks for it before it lets a socket join a group of a
/// protocol that does not open its groups to all (`netlink_bind` and
/// `NETLINK_ADD_MEMBERSHIP` check `NL_CFG_F_NONROOT_RECV`, which
/// `NETLINK_USERSOCK` lacks), and for `SO_RCVBUFFORCE`/`SO_SNDBUFFORCE`.
///
/// # Panics
///
/// When the capability is missing and [`REQUIRE_PRIVILEGED`] is `1`.
#[must_use]
pub fn net_admin(needs: &str) -> bool {
    if effective_caps() & (1u64 << CAP_NET_ADMIN) != 0 {
        return true;
    }
    skip(&format!("needs CAP_NET_ADMIN: {needs}"));
    false
}

/// Returns the `int` socket option `name` at `level` of `fd`.
///
/// # Panics
///
/// When `getsockopt(2)` fails.
#[must_use]
pub fn getsockopt_int(fd: impl AsFd, level: libc::c_int, name: libc::c_int) -> libc::c_int {
    let mut value: libc::c_int = 0;
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::c_int>()).unwrap_or(4);
    // SAFETY: `value` and `len` are live locals and `len` holds the size of
    // `value`, so the kernel writes at most that many bytes into it; the
    // descriptor is borrowed for the whole call.
    let ret = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            level,
            name,
            (&raw mut value).cast(),
            &raw mut len,
        )
    };
    assert_eq!(
        ret,
        0,
        "getsockopt({level}, {name}): {}",
        std::io::Error::last_os_error()
    );
    value
}

/// Prints that the running test skips and why, or panics when
/// [`REQUIRE_PRIVILEGED`] is `1`.
///
/// # Panics
///
/// When [`REQUIRE_PRIVILEGED`] is `1`.
pub fn skip(reason: &str) {
    let required = std::env::var(REQUIRE_PRIVILEGED).is_ok_and(|v| v == "1");
    let test = std::thread::current().name().unwrap_or("test").to_owned();
    assert!(
        !required,
        "{test}: {reason} ({REQUIRE_PRIVILEGED}=1 forbids skipping)"
    );
    eprintln!("skipped {test}: {reason}");
}

/// Returns the effective capability set of this process from
/// `/proc/self/status` (0 when it cannot be read).
fn effective_caps() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0)
}

/// Runs `f` on a new thread that first moves into a new network namespace
/// (`unshare(CLONE_NEWNET)`), and returns its result. Only that thread is
/// moved; processes it starts inherit the namespace. The namespace
/// disappears when the thread, and whatever `f` opened in it, is gone.
///
/// # Panics
///
/// When the namespace cannot be created (call [`privileged`] first), and
/// with the panic of `f`.
pub fn in_new_netns<T, F>(f: F) -> T
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            // SAFETY: unshare(2) takes no pointers; CLONE_NEWNET affects
            // only this freshly spawned thread, which shares no namespace
            // state with threads that expect the old one.
            let ret = unsafe { libc::unshare(libc::CLONE_NEWNET) };
            assert_eq!(
                ret,
                0,
                "unshare(CLONE_NEWNET): {}",
                std::io::Error::last_os_error()
            );
            f()
        });
        match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Runs `ip` with `args` from the calling thread and returns its standard
/// output.
///
/// # Panics
///
/// When `ip` cannot be started or fails; the message holds its stderr.
pub fn ip(args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ip {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Returns the index of interface `name` in the calling thread's
/// namespace, read from `ip -o link show`.
///
/// # Panics
///
/// When the interface does not exist.
#[must_use]
pub fn ifindex(name: &str) -> u32 {
    let out = ip(&["-o", "link", "show", "dev", name]);
    out.split(':')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no index for {name} in {out:?}"))
}

/// Returns whether `ip link add` supports `kind` here; prints a skip line
/// (or panics under [`REQUIRE_PRIVILEGED`]) when not.
#[must_use]
pub fn link_kind_available(kind: &str) -> bool {
    let status = Command::new("ip")
        .args(["link", "add", "probe0", "type", kind])
        .output();
    match status {
        Ok(out) if out.status.success() => {
            let _ = Command::new("ip").args(["link", "del", "probe0"]).output();
            true
        }
        _ => {
            skip(&format!("link type {kind} is not available"));
            false
        }
    }
}
