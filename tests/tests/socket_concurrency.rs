//! Threads and sockets.
//!
//! - Every exchange takes `&mut Socket`, so one socket serves one caller
//!   at a time: the compiler forbids two threads reading through it at
//!   once. `Socket` is `Send` and `Sync`; share it behind a `Mutex`, or
//!   give each thread its own socket (the kernel routes each reply to the
//!   port that asked).
//! - `close(2)` does not wake a thread blocked in a receive on the same
//!   socket (the kernel keeps the file alive while the call runs). In Rust
//!   the reader owns or borrows the socket, so no other thread can close
//!   it under its feet; the ways to stop a blocked reader are a read
//!   timeout it checks a flag after, or `poll(2)` on the socket's
//!   descriptor together with a second descriptor that serves as a wakeup.
//!
//! The rtnetlink test runs in a private network namespace and needs
//! CAP_NET_ADMIN and CAP_SYS_ADMIN; without them it says that it skips,
//! and fails under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

mod socket_rtnl;

use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netlink_socket::{
    Address, Dump, Error, KernelError, MessageType, NlmFlags, Protocol, Reply, Socket,
    SocketBuilder,
};
use netlink_tests::{in_new_netns, ip, privileged};
use socket_rtnl::{
    Ipv4Addrs, Link, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, add_addresses, link_index,
    route_socket,
};

const NOTE: MessageType = MessageType(0x12);

// A socket may move to another thread and be shared by reference; what it
// hands out (replies, dumps, errors) may cross threads too.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Socket>();
    send_sync::<SocketBuilder>();
    send_sync::<Reply<'static>>();
    send_sync::<Dump<'static>>();
    send_sync::<Error>();
    send_sync::<KernelError>();
};

/// Two threads, each with its own route socket, run link dumps, address
/// dumps and requests at the same time: every message each one gets
/// answers its own request.
#[test]
fn threads_with_their_own_sockets_never_get_each_others_replies() {
    if !privileged("creates links and addresses in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        ip(&[
            "link", "add", "nlt-c0", "type", "veth", "peer", "name", "nlt-c1",
        ]);
        add_addresses(200);
        std::thread::scope(|s| {
            let links = s.spawn(|| {
                let mut sock = route_socket();
                for _ in 0..30 {
                    links_round(&mut sock);
                }
            });
            let addrs = s.spawn(|| {
                let mut sock = route_socket();
                for _ in 0..30 {
                    addresses_round(&mut sock);
                }
            });
            links.join().unwrap();
            addrs.join().unwrap();
        });
    });
}

/// Dumps the three links and asks for link 2; checks that everything
/// answers this socket's requests.
fn links_round(sock: &mut Socket) {
    let port = sock.local_port();
    let mut dump = sock
        .dump(RTM_GETLINK, NlmFlags::empty(), &Link::default())
        .unwrap();
    let seq = dump.seq();
    let mut count = 0;
    while let Some(msg) = dump.next() {
        let msg = msg.unwrap();
        assert_eq!(
            (msg.message_type(), msg.seq(), msg.pid()),
            (RTM_NEWLINK, seq, port)
        );
        count += 1;
    }
    drop(dump);
    assert_eq!(count, 3, "lo and the veth pair");
    let reply = sock
        .request(RTM_GETLINK, NlmFlags::empty(), &Link::index(2))
        .unwrap();
    assert_eq!(link_index(&reply.message().unwrap()), 2);
    assert_eq!(sock.queued(), 0, "nothing foreign was kept");
}

/// Dumps the 200 addresses and asks for link 1.
fn addresses_round(sock: &mut Socket) {
    let port = sock.local_port();
    let mut dump = sock
        .dump(RTM_GETADDR, NlmFlags::empty(), &Ipv4Addrs)
        .unwrap();
    let seq = dump.seq();
    let mut count = 0;
    while let Some(msg) = dump.next() {
        let msg = msg.unwrap();
        assert_eq!(
            (msg.message_type(), msg.seq(), msg.pid()),
            (RTM_NEWADDR, seq, port)
        );
        count += 1;
    }
    drop(dump);
    assert_eq!(count, 200);
    let reply = sock
        .request(RTM_GETLINK, NlmFlags::empty(), &Link::index(1))
        .unwrap();
    assert_eq!(link_index(&reply.message().unwrap()), 1);
    assert_eq!(sock.queued(), 0, "nothing foreign was kept");
}

/// One socket shared by four threads through a `Mutex`: each exchange
/// holds the lock from request to reply, so each caller gets its own
/// answer.
#[test]
fn one_socket_shared_through_a_mutex_answers_each_caller() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .reply_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let shared = Arc::new(Mutex::new(client));
    std::thread::scope(|s| {
        s.spawn(|| {
            // Echo each request's payload back, then ack it.
            for _ in 0..4 * 25 {
                let (msg, source) = server.recv_msg().unwrap();
                let (hdr, value) = (*msg.header(), msg.payload().to_vec());
                server
                    .send_reply(source.port, &hdr, NOTE, NlmFlags::empty(), &value[..])
                    .unwrap();
                server.send_ack(source.port, &hdr, 0, None).unwrap();
            }
        });
        for caller in 0..4u32 {
            let shared = Arc::clone(&shared);
            s.spawn(move || {
                for round in 0..25u32 {
                    let value = caller * 1000 + round;
                    let mut sock = shared.lock().unwrap();
                    let reply = sock.request(NOTE, NlmFlags::empty(), &value).unwrap();
                    let msg = reply.message().unwrap();
                    assert_eq!(msg.payload(), value.to_ne_bytes());
                }
            });
        }
    });
    assert_eq!(shared.lock().unwrap().queued(), 0);
}

/// Returns the scheduler state letter of thread `tid` of this process.
fn thread_state(tid: i32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap();
    after_name.trim_start().chars().next().unwrap()
}

/// Kernel fact 10, on a raw descriptor: a thread blocked in `recv` stays
/// blocked when another thread closes the descriptor; only its read
/// timeout ends the call, with `EAGAIN`, not `EBADF`.
#[test]
fn close_does_not_wake_a_reader_blocked_on_the_same_socket() {
    let sock = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(2)))
        .open()
        .unwrap();
    let fd = sock.into_raw_fd();
    let tid = AtomicI32::new(0);
    let returned = AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            // SAFETY: gettid(2) has no preconditions.
            tid.store(unsafe { libc::gettid() }, Ordering::SeqCst);
            let mut buf = [0u8; 64];
            // SAFETY: `buf` is a live local of the length passed; `fd` is
            // open until the main thread closes it, after this call began.
            let ret = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            let errno = std::io::Error::last_os_error().raw_os_error();
            returned.store(true, Ordering::SeqCst);
            (ret, errno)
        });
        // Wait until the reader sleeps inside recv.
        let started = Instant::now();
        while tid.load(Ordering::SeqCst) == 0 || thread_state(tid.load(Ordering::SeqCst)) != 'S' {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "the reader never blocked"
            );
            std::thread::yield_now();
        }
        // SAFETY: `fd` came from `into_raw_fd`, so this thread owns it; it
        // is closed once and not used again by this thread.
        let closed = unsafe { OwnedFd::from_raw_fd(fd) };
        drop(closed);
        std::thread::sleep(Duration::from_millis(500));
        assert!(!returned.load(Ordering::SeqCst), "close woke the reader");
        let (ret, errno) = reader.join().unwrap();
        assert_eq!(ret, -1);
        assert_eq!(errno, Some(libc::EAGAIN), "the read timeout ended it");
    });
}

/// The supported way out with a read timeout: the reader owns the
/// socket, checks a stop flag whenever its receive times out, and closes
/// the socket itself once it stopped. No message sent before the stop is
/// lost.
#[test]
fn blocked_reader_stops_on_its_read_timeout_and_closes_the_socket() {
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_millis(50)))
        .open()
        .unwrap();
    let to = Address::port(sock.local_port());
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let reader = std::thread::spawn(move || {
        let mut received = Vec::new();
        loop {
            match sock.recv_msg() {
                Ok((msg, _)) => received.push(msg.payload().to_vec()),
                Err(Error::Timeout) if flag.load(Ordering::SeqCst) => break,
                Err(Error::Timeout) => {}
                Err(err) => panic!("{err:?}"),
            }
        }
        sock.close().unwrap();
        received
    });
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    for value in 1..=3u32 {
        sender.send_to(to, NOTE, NlmFlags::empty(), &value).unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    let received = reader.join().unwrap();
    let expected: Vec<_> = (1..=3u32).map(|v| v.to_ne_bytes().to_vec()).collect();
    assert_eq!(received, expected);
    let err = sender
        .send_to(to, NOTE, NlmFlags::empty(), &4u32)
        .unwrap_err();
    assert_eq!(
        err.errno(),
        Some(libc::ECONNREFUSED),
        "the socket is closed"
    );
}

/// Returns a new eventfd.
fn eventfd() -> OwnedFd {
    // SAFETY: eventfd(2) takes no pointers.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
    assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` was just returned by a successful eventfd(2) and is
    // owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Polls `fds` for input for at most ten seconds; returns which are
/// readable.
fn poll_in(fds: [RawFd; 2]) -> [bool; 2] {
    let mut pfds = fds.map(|fd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    });
    // SAFETY: `pfds` is a live array of two `pollfd`, and 2 is passed as
    // its length; the kernel writes only their `revents`.
    let ready = unsafe { libc::poll(pfds.as_mut_ptr(), 2, 10_000) };
    assert!(
        ready > 0,
        "poll: {ready} {}",
        std::io::Error::last_os_error()
    );
    pfds.map(|p| p.revents & libc::POLLIN != 0)
}

/// The supported way out without a timeout: the reader polls the socket's
/// descriptor and an eventfd; another thread writes to the eventfd to
/// stop it. The reader reads what came first, then returns and closes
/// the socket.
#[test]
fn blocked_reader_polling_a_wakeup_descriptor_returns_and_closes() {
    let mut sock = Socket::open(Protocol::USERSOCK).unwrap();
    let to = Address::port(sock.local_port());
    let wakeup = Arc::new(eventfd());
    let wake = Arc::clone(&wakeup);
    let reader = std::thread::spawn(move || {
        let mut received = Vec::new();
        loop {
            let [data, woken] = poll_in([sock.as_raw_fd(), wake.as_raw_fd()]);
            if data {
                let (msg, _) = sock.recv_msg().unwrap();
                received.push(msg.payload().to_vec());
            } else if woken {
                break;
            }
        }
        sock.close().unwrap();
        received
    });
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    sender.send_to(to, NOTE, NlmFlags::empty(), &9u32).unwrap();
    let one = 1u64.to_ne_bytes();
    // SAFETY: `one` is 8 readable bytes, the size eventfd writes take.
    let written = unsafe { libc::write(wakeup.as_raw_fd(), one.as_ptr().cast(), one.len()) };
    assert_eq!(written, 8);
    let received = reader.join().unwrap();
    assert_eq!(received, [9u32.to_ne_bytes().to_vec()]);
    let err = sender
        .send_to(to, NOTE, NlmFlags::empty(), &4u32)
        .unwrap_err();
    assert_eq!(
        err.errno(),
        Some(libc::ECONNREFUSED),
        "the socket is closed"
    );
}
