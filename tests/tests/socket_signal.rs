//! A signal during a blocking receive: the socket retries `EINTR` instead
//! of returning it, both in `recv` and while a request waits for its
//! reply. The handler is installed without `SA_RESTART`, so the kernel
//! really interrupts the calls.

use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use netlink_socket::{MessageType, NlmFlags, Protocol, SocketBuilder};

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

/// Installs `count_signal` for SIGUSR1 without `SA_RESTART`.
fn install_handler() {
    // SAFETY: an all-zero `sigaction` is a valid empty action (no flags,
    // empty mask) that the lines below complete.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = count_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = 0;
    // SAFETY: `action` is a live, initialised `sigaction`; the handler only
    // touches an atomic, which is async-signal-safe; the old action is not
    // asked for (null).
    let ret = unsafe { libc::sigaction(libc::SIGUSR1, &raw const action, std::ptr::null_mut()) };
    assert_eq!(ret, 0, "sigaction: {}", std::io::Error::last_os_error());
}

/// Sends SIGUSR1 to `thread` `times` times, 20 ms apart.
fn interrupt(thread: libc::pthread_t, times: usize) {
    for _ in 0..times {
        std::thread::sleep(Duration::from_millis(20));
        // SAFETY: `thread` is a live thread of this process (its join
        // handle is held by the caller), and SIGUSR1 has a handler.
        let ret = unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
        assert_eq!(ret, 0);
    }
}

#[test]
fn signals_during_recv_and_request_are_retried() {
    install_handler();
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(10)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .read_timeout(Some(Duration::from_secs(10)))
        .open()
        .unwrap();
    let client_port = client.local_port();
    let before = SIGNALS.load(Ordering::SeqCst);

    let receiver = std::thread::spawn(move || {
        // Blocks in recv while signals arrive.
        let (msg, _) = server
            .recv_msg()
            .map(|(m, src)| (*m.header(), src))
            .unwrap();
        assert_eq!(msg.message_type(), MessageType(0x21));
        // Then serves a request, late, while the client is signalled.
        let (req, src) = server
            .recv_msg()
            .map(|(m, src)| (*m.header(), src.port))
            .unwrap();
        std::thread::sleep(Duration::from_millis(150));
        server.send_ack(src, &req, 0, None).unwrap();
    });
    interrupt(receiver.as_pthread_t(), 5);
    client
        .send(MessageType(0x21), NlmFlags::empty(), &[][..])
        .unwrap();

    let me = {
        // SAFETY: pthread_self has no preconditions.
        unsafe { libc::pthread_self() }
    };
    let signaller = std::thread::spawn(move || interrupt(me, 5));
    let reply = client
        .request(MessageType(0x22), NlmFlags::empty(), &[][..])
        .unwrap();
    assert!(reply.is_ack_only());
    signaller.join().unwrap();
    receiver.join().unwrap();
    assert!(
        SIGNALS.load(Ordering::SeqCst) >= before + 10,
        "the signals were delivered"
    );
    assert_ne!(client_port, 0);
}

#[test]
fn receive_timeout_ends_a_blocking_receive() {
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_millis(100)))
        .open()
        .unwrap();
    let err = sock.recv().unwrap_err();
    assert!(matches!(err, netlink_socket::Error::Timeout), "{err:?}");
}
