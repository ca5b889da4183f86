//! The dump workloads: RTM_GETLINK over 1,000 veth pairs and RTM_GETROUTE
//! over 100,000 IPv4 routes, inside a private network namespace that the
//! benchmark creates on its own thread and that vanishes with it.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::alloc::allocations;
use crate::report::Table;
use crate::sys::{self, RawSocket};
use crate::tally::Tally;

pub(crate) mod links;
pub(crate) mod routes;

/// `NLMSG_ERROR`, `NLMSG_DONE`.
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// Receive buffer of the raw loops: the kernel fills dump datagrams up to
/// 32 KiB when the reader offers that much.
pub(crate) const RAW_BUFFER: usize = 64 * 1024;

/// Runs `f` on a new thread moved into a new network namespace; the
/// namespace and everything in it go when the thread ends and its sockets
/// are closed. Returns `None` (after saying why) without root or when the
/// namespace cannot be made.
pub(crate) fn in_private_netns<T: Send>(what: &str, f: impl FnOnce() -> T + Send) -> Option<T> {
    if !sys::is_root() {
        eprintln!("{what}: skipped: needs root to create a network namespace");
        return None;
    }
    std::thread::scope(|s| {
        s.spawn(|| match sys::unshare_net() {
            Ok(()) => Some(f()),
            Err(err) => {
                eprintln!("{what}: skipped: unshare(CLONE_NEWNET): {err}");
                None
            }
        })
        .join()
        .expect("benchmark thread")
    })
}

/// Feeds `lines` to `ip -batch -` and waits for it; aborts on failure.
pub(crate) fn ip_batch(lines: impl Iterator<Item = String>) {
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| crate::report::abort(&format!("cannot run ip: {err}")));
    {
        let stdin = child.stdin.as_mut().expect("piped stdin");
        let mut out = std::io::BufWriter::new(stdin);
        for line in lines {
            writeln!(out, "{line}").expect("write to ip");
        }
    }
    let status = child.wait().expect("wait for ip");
    if !status.success() {
        crate::report::abort(&format!("ip -batch failed: {status}"));
    }
}

/// Runs `ip args` and returns how long it took and how many lines of its
/// output contain `marker`.
pub(crate) fn time_ip(args: &[&str], marker: &str) -> (Duration, u64) {
    let start = Instant::now();
    let out = Command::new("ip").args(args).output().expect("run ip");
    let elapsed = start.elapsed();
    if !out.status.success() {
        crate::report::abort(&format!("ip {args:?} failed: {}", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    (elapsed, text.matches(marker).count() as u64)
}

/// Builds a dump request of type `ty` whose payload is `family_header`.
pub(crate) fn raw_request(ty: u16, family_header: &[u8]) -> Vec<u8> {
    let len = (16 + family_header.len()) as u32;
    let mut out = Vec::with_capacity(len as usize);
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&0x301u16.to_ne_bytes());
    out.extend_from_slice(&1u32.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(family_header);
    out
}

/// Returns a default `netlink-socket` route socket.
pub(crate) fn socket() -> netlink_socket::Socket {
    netlink_socket::Socket::open(netlink_socket::Protocol::ROUTE).expect("netlink socket")
}

/// Returns a route socket with `one_call_receive`: the kernel fills dump
/// datagrams to at most the 32 KiB the socket reads with.
pub(crate) fn one_call_socket() -> netlink_socket::Socket {
    netlink_socket::SocketBuilder::new(netlink_socket::Protocol::ROUTE)
        .one_call_receive(netlink_socket::RECV_FLOOR)
        .open()
        .expect("netlink socket")
}

/// The raw loop: sends `request` on a plain `NETLINK_ROUTE` socket and
/// hands every data message to `each` until `NLMSG_DONE`, walking only
/// the message headers.
pub(crate) fn raw_dump(request: &[u8], buf: &mut [u8], mut each: impl FnMut(&[u8])) {
    let sock = RawSocket::open(libc::NETLINK_ROUTE).expect("netlink socket");
    sock.send_to(request, 0).expect("send dump request");
    loop {
        let n = sock.recv(buf).expect("recv");
        let mut rest = &buf[..n];
        while rest.len() >= 16 {
            let len = u32::from_ne_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            let ty = u16::from_ne_bytes([rest[4], rest[5]]);
            let Some(msg) = rest.get(..len).filter(|_| len >= 16) else {
                crate::report::abort("raw dump: bad message length");
            };
            match ty {
                NLMSG_DONE => return,
                NLMSG_ERROR => crate::report::abort("raw dump: error from the kernel"),
                _ => each(msg),
            }
            rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
        }
    }
}

/// Walks the attributes of `bytes` by hand: `(type without flag bits,
/// payload)`; stops at the first malformed one.
pub(crate) fn attrs(mut bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let [l0, l1, t0, t1, ..] = *bytes else {
            return None;
        };
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        let payload = bytes.get(4..len)?;
        bytes = bytes.get(len.next_multiple_of(4).min(bytes.len())..)?;
        Some((u16::from_ne_bytes([t0, t1]) & 0x3fff, payload))
    })
}

/// Reads a native-endian u32, or 0 when `bytes` is not four bytes.
pub(crate) fn ne_u32(bytes: &[u8]) -> u32 {
    bytes.try_into().map_or(0, u32::from_ne_bytes)
}

/// An implementation of a dump workload: a name and a function returning
/// what it decoded.
pub(crate) type Dumper = (&'static str, fn() -> Tally);

/// Runs every implementation of one dump workload `reps` times in turn;
/// the first is the header-only baseline, whose tally holds only the
/// count. `ip` is timed once per repetition with `ip_args`, and the lines
/// with `marker` counted.
pub(crate) fn measure(
    workload: &'static str,
    dumpers: &[Dumper],
    (ip_name, ip_args, marker): (&'static str, &[&str], &str),
    reps: usize,
    table: &mut Table,
) {
    let expected_count = dumpers[0].1().count;
    let full = dumpers[1].1();
    if full.count != expected_count {
        crate::report::abort(&format!("{workload}: counts differ before timing"));
    }
    for _ in 0..reps {
        for &(name, dump) in dumpers {
            let (start, allocs) = (crate::sys::CpuTimer::start(), allocations());
            let tally = dump();
            let elapsed = start.elapsed();
            let allocs = allocations() - allocs;
            if tally.count != expected_count {
                crate::report::abort(&format!(
                    "{workload}: {name} found {} items, the raw loop {expected_count}",
                    tally.count
                ));
            }
            if name != dumpers[0].0 {
                crate::report::check(workload, name, tally, full);
            }
            table.record(workload, name, elapsed, allocs, expected_count);
        }
        let (elapsed, count) = time_ip(ip_args, marker);
        if count != expected_count {
            crate::report::abort(&format!(
                "{workload}: {ip_name} shows {count} items, the raw loop {expected_count}"
            ));
        }
        table.record_external(workload, ip_name, elapsed, expected_count);
    }
}

/// The `netlink-sys` loop: sends `request` and hands every message the
/// `netlink-packet-route` parser makes of the replies to `each` until
/// `NLMSG_DONE`.
pub(crate) fn packet_dump(
    request: &netlink_packet_core::NetlinkMessage<netlink_packet_route::RouteNetlinkMessage>,
    mut each: impl FnMut(netlink_packet_core::NetlinkMessage<netlink_packet_route::RouteNetlinkMessage>),
) {
    use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
    use netlink_packet_route::RouteNetlinkMessage;
    use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

    let mut socket = Socket::new(NETLINK_ROUTE).expect("netlink-sys socket");
    socket.bind_auto().expect("bind");
    socket.connect(&SocketAddr::new(0, 0)).expect("connect");
    let mut out = vec![0; request.buffer_len()];
    request.serialize(&mut out);
    socket.send(&out, 0).expect("send");
    let mut buf = vec![0; RAW_BUFFER];
    loop {
        let n = socket.recv(&mut &mut buf[..], 0).expect("recv");
        let mut at = 0;
        while at < n {
            let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[at..n])
                .expect("netlink-packet-route decode");
            at += (msg.header.length as usize).next_multiple_of(4);
            match msg.payload {
                NetlinkPayload::Done(_) => return,
                NetlinkPayload::Error(err) => panic!("dump error: {err:?}"),
                _ => each(msg),
            }
        }
    }
}
