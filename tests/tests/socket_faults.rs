//! Faults of the transport, against the real kernel: overruns while
//! requests wait, send faults (empty, over the send buffer, no such port),
//! a full peer, silent success without an ack, late replies, control
//! messages inside a reply, membership errors and spoofed multicast.
//!
//! Tests over `NETLINK_USERSOCK` need no privileges, except the overrun
//! test, which joins a group and so needs CAP_NET_ADMIN. Tests over
//! rtnetlink run in a private network namespace each creates and need
//! CAP_NET_ADMIN and CAP_SYS_ADMIN. Without what they need, tests say that
//! they skip, and fail under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

mod socket_rtnl;

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_core::{MessageBuilder, NlMsgHdr};
use netlink_socket::{Address, Error, MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
use netlink_tests::{in_new_netns, net_admin, privileged};
use socket_rtnl::{
    Link, RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_LINK,
    add_addresses, link_index, link_name, link_names,
};

const PING: MessageType = MessageType(0x10);
const PONG: MessageType = MessageType(0x11);
const NOTE: MessageType = MessageType(0x12);

/// Returns the next request `sock` receives: its header and sender port.
fn accept(sock: &mut Socket) -> (NlMsgHdr, u32) {
    let (msg, source) = sock.recv_msg().unwrap();
    (*msg.header(), source.port)
}

/// Multicasts `count` messages of 1 KiB to `group` of `NETLINK_USERSOCK`.
fn flood(group: u32, count: u32) {
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    let to = Address::group(group).unwrap();
    for i in 0..count {
        sender
            .send_to(to, NOTE, NlmFlags::empty(), &[i as u8; 1024][..])
            .unwrap();
    }
}

/// Reads `sock` until its read timeout and returns how many datagrams
/// came, failing on anything but data and the final timeout.
fn drain(sock: &mut Socket) -> usize {
    let mut count = 0;
    loop {
        match sock.recv() {
            Ok(_) => count += 1,
            Err(Error::Timeout) => return count,
            Err(err) => panic!("while draining: {err:?}"),
        }
    }
}

/// Returns the socket's effective `SO_SNDBUF`.
fn send_buffer(sock: &Socket) -> usize {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are live locals and `len` holds the size of
    // `value`, so the kernel writes at most that many bytes into it.
    let ret = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&raw mut value).cast(),
            &raw mut len,
        )
    };
    assert_eq!(ret, 0, "getsockopt: {}", std::io::Error::last_os_error());
    usize::try_from(value).unwrap()
}

// ----- ENOBUFS while requests are pending ---------------------------------

/// Two requests wait for their acks while a flood overflows the client:
/// one ack was queued before the flood, the other finds the queue full.
/// The overrun comes first, the queued ack is still found, the lost one
/// ends in a timeout, and the socket works after.
#[test]
fn overrun_while_requests_wait_is_reported_and_nothing_waits_forever() {
    if !net_admin("joins a NETLINK_USERSOCK group") {
        return;
    }
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .write_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .recv_buffer(4096, false)
        .reply_timeout(Some(Duration::from_millis(300)))
        .read_timeout(Some(Duration::from_millis(300)))
        .open()
        .unwrap();
    client.join_group(12).unwrap();

    let first = client.send(PING, NlmFlags::empty(), &[][..]).unwrap();
    let second = client.send(PING, NlmFlags::empty(), &[][..]).unwrap();
    let (hdr, port) = accept(&mut server);
    assert_eq!(hdr.seq, first);
    server.send_ack(port, &hdr, 0, None).unwrap();
    flood(12, 300);
    let (hdr, port) = accept(&mut server);
    assert_eq!(hdr.seq, second);
    // A user-space unicast into a full receiver waits, then gives up.
    let lost = server.send_ack(port, &hdr, 0, None).unwrap_err();
    assert!(matches!(lost, Error::Timeout), "{lost:?}");

    let err = client.wait_for_ack(first).unwrap_err();
    assert!(
        matches!(err, Error::Overrun),
        "ENOBUFS comes first: {err:?}"
    );
    assert_eq!(
        client.wait_for_ack(first).unwrap(),
        None,
        "queued before the flood"
    );
    let started = Instant::now();
    let err = client.wait_for_ack(second).unwrap_err();
    assert!(matches!(err, Error::Timeout), "the lost ack: {err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let kept = drain(&mut client);
    assert!((1..300).contains(&kept), "flood messages read: {kept}");
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port) = accept(&mut server);
            server
                .send_reply(port, &hdr, PONG, NlmFlags::empty(), &7u32)
                .unwrap();
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        assert_eq!(reply.message().unwrap().message_type(), PONG);
    });
}

/// The same against the kernel: three `RTM_GETLINK` requests are pending,
/// two answered before a burst of address notifications overflows the
/// socket, the third sent into the full buffer. The overrun is reported,
/// the two queued acks are found, the dropped reply ends in a timeout,
/// and a new request works once the socket is drained.
#[test]
fn pipelined_kernel_requests_survive_an_overrun() {
    if !privileged("adds addresses in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .recv_buffer(16 * 1024, false)
            .reply_timeout(Some(Duration::from_millis(500)))
            .read_timeout(Some(Duration::from_millis(500)))
            .open()
            .unwrap();
        sock.join_group(RTNLGRP_IPV4_IFADDR).unwrap();
        let lo = Link::index(1);
        let first = sock.send(RTM_GETLINK, NlmFlags::empty(), &lo).unwrap();
        let second = sock.send(RTM_GETLINK, NlmFlags::empty(), &lo).unwrap();
        add_addresses(300);
        let third = sock.send(RTM_GETLINK, NlmFlags::empty(), &lo).unwrap();

        let err = sock.wait_for_ack(first).unwrap_err();
        assert!(matches!(err, Error::Overrun), "{err:?}");
        assert_eq!(sock.wait_for_ack(first).unwrap(), None);
        assert_eq!(sock.wait_for_ack(second).unwrap(), None);
        let err = sock.wait_for_ack(third).unwrap_err();
        assert!(
            matches!(err, Error::Timeout),
            "its reply was dropped: {err:?}"
        );

        // The replies of the first two and what the buffer held of the
        // burst were kept, in order.
        let (mut replies, mut notes) = (Vec::new(), 0);
        loop {
            match sock.recv_msg() {
                Ok((msg, _)) if msg.message_type() == RTM_NEWLINK => replies.push(msg.seq()),
                Ok((msg, source)) => {
                    assert_eq!(msg.message_type(), RTM_NEWADDR);
                    assert_eq!(source.multicast_group(), Some(RTNLGRP_IPV4_IFADDR));
                    notes += 1;
                }
                Err(Error::Timeout) => break,
                Err(err) => panic!("{err:?}"),
            }
        }
        assert_eq!(replies, [first, second]);
        assert!((1..300).contains(&notes), "{notes}");

        let reply = sock.request(RTM_GETLINK, NlmFlags::empty(), &lo).unwrap();
        let msg = reply.message().expect("the link");
        assert_eq!(link_index(&msg), 1);
    });
}

// ----- send faults ----------------------------------------------------------

/// The kernel refuses an empty datagram with `ENODATA` (`netlink_sendmsg`),
/// whoever it is for: a typed error at send time, and the socket answers
/// the next request normally. An empty batch is refused the same way.
#[test]
fn empty_datagram_is_refused_at_send_and_harms_nothing() {
    let mut sock = SocketBuilder::new(Protocol::ROUTE)
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    let err = sock.send_raw(&[]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENODATA), "{err:?}");
    assert!(matches!(err, Error::Io(_)));
    let err = sock.send_batch(&mut []).unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENODATA), "{err:?}");
    assert!(
        matches!(sock.recv(), Err(Error::Timeout)),
        "nothing was sent"
    );
    let reply = sock
        .request(RTM_GETLINK, NlmFlags::empty(), &Link::index(1))
        .unwrap();
    assert_eq!(link_index(&reply.message().unwrap()), 1);

    let mut peer = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    let to = Address::port(peer.local_port());
    let err = sender.send_raw_to(to, &[]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENODATA), "{err:?}");
    sender.send_to(to, NOTE, NlmFlags::empty(), &5u32).unwrap();
    let (msg, _) = peer.recv_msg().unwrap();
    assert_eq!(msg.message_type(), NOTE);
    assert_eq!(msg.payload(), 5u32.to_ne_bytes());
}

/// The kernel refuses a datagram longer than the send buffer less 32
/// bytes with `EMSGSIZE` (`netlink_sendmsg`); one byte less passes. A
/// builder given that limit refuses the message at encode time instead.
#[test]
fn message_over_the_send_buffer_is_refused_at_send_and_at_encode() {
    let mut peer = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(256 * 1024, false)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .send_buffer(4096, false)
        .peer(peer.local_port())
        .open()
        .unwrap();
    let limit = send_buffer(&sock) - 32;
    let largest = limit - 16;

    let err = sock
        .send(NOTE, NlmFlags::empty(), &vec![1u8; largest + 4][..])
        .unwrap_err();
    assert_eq!(err.errno(), Some(libc::EMSGSIZE), "{err:?}");
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    sock.send(NOTE, NlmFlags::empty(), &vec![2u8; largest][..])
        .unwrap();
    let (msg, _) = peer.recv_msg().unwrap();
    assert_eq!(msg.header().len as usize, limit);
    assert!(msg.payload().iter().all(|&b| b == 2));

    let mut out = Vec::new();
    let mut msg = MessageBuilder::new(&mut out, NOTE, NlmFlags::REQUEST).max_payload(largest);
    msg.append(&vec![3u8; largest - 8]).unwrap();
    assert!(msg.append(&[3u8; 12]).is_err(), "past the send buffer");
    msg.append(&[3u8; 8]).unwrap();
    msg.finish().unwrap();
    assert_eq!(out.len(), limit);
    sock.send_raw(&out).unwrap();
    assert_eq!(peer.recv_msg().unwrap().0.payload().len(), largest);
}

/// A request to a port nobody holds fails at once with `ECONNREFUSED`; it
/// does not wait for the reply timeout. The socket works after.
#[test]
fn request_to_a_missing_port_fails_at_once() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .peer(0x7fff_ffe0)
        .reply_timeout(Some(Duration::from_secs(30)))
        .open()
        .unwrap();
    let started = Instant::now();
    let err = sock.request(PING, NlmFlags::empty(), &[][..]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::ECONNREFUSED), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait"
    );
    let err = sock
        .send_raw_to(Address::port(0x7fff_ffe1), &[0; 16])
        .unwrap_err();
    assert_eq!(err.errno(), Some(libc::ECONNREFUSED), "{err:?}");

    sock.set_peer(server.local_port());
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port) = accept(&mut server);
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        assert!(
            sock.request(PING, NlmFlags::empty(), &[][..])
                .unwrap()
                .is_ack_only()
        );
    });
}

/// A user-space unicast into a full receiver blocks the sender until its
/// write timeout (`EAGAIN`, a typed timeout); once the receiver reads,
/// sending works again.
#[test]
fn unicast_into_a_full_peer_times_out_the_sender() {
    let mut peer = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(4096, false)
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    let mut sender = SocketBuilder::new(Protocol::USERSOCK)
        .write_timeout(Some(Duration::from_millis(100)))
        .open()
        .unwrap();
    let to = Address::port(peer.local_port());
    let mut sent = 0;
    let err = loop {
        match sender.send_to(to, NOTE, NlmFlags::empty(), &[0u8; 1024][..]) {
            Ok(_) => sent += 1,
            Err(err) => break err,
        }
        assert!(sent < 1000, "the peer never filled up");
    };
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(sent >= 1);
    assert_eq!(drain(&mut peer), sent, "every accepted message arrives");
    sender.send_to(to, NOTE, NlmFlags::empty(), &1u32).unwrap();
    assert_eq!(drain(&mut peer), 1);
}

/// Fills the receive buffer of `peer` from a socket of its own that gives
/// up after a short write timeout, and returns how many 1 KiB messages it
/// took.
fn fill(peer: &Socket) -> usize {
    let mut filler = SocketBuilder::new(Protocol::USERSOCK)
        .write_timeout(Some(Duration::from_millis(50)))
        .open()
        .unwrap();
    let to = Address::port(peer.local_port());
    let mut sent = 0;
    loop {
        match filler.send_to(to, NOTE, NlmFlags::empty(), &[0u8; 1024][..]) {
            Ok(_) => sent += 1,
            Err(Error::Timeout) => return sent,
            Err(err) => panic!("while filling: {err:?}"),
        }
        assert!(sent < 1000, "the peer never filled up");
    }
}

/// With no write timeout (the default), an exchange call to a full peer
/// that never reads still ends: the reply timeout bounds its send, and
/// the call fails with a typed timeout instead of blocking forever. A
/// request and a dump both do; a write timeout shorter than the reply
/// timeout bounds the send instead.
#[test]
fn exchange_with_a_full_peer_that_never_reads_times_out_with_no_write_timeout() {
    let peer = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(4096, false)
        .open()
        .unwrap();
    assert!(fill(&peer) >= 1);
    let reply_timeout = Duration::from_millis(300);
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(peer.local_port())
        .reply_timeout(Some(reply_timeout))
        .open()
        .unwrap();
    assert_eq!(client.write_timeout(), None, "the default");

    let started = Instant::now();
    let err = client
        .request(PING, NlmFlags::empty(), &[][..])
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    let waited = started.elapsed();
    assert!(
        waited >= reply_timeout / 2,
        "it waited for room: {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    let started = Instant::now();
    let err = client.dump(PING, NlmFlags::empty(), &[][..]).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    client
        .set_write_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let started = Instant::now();
    let err = client
        .request(PING, NlmFlags::empty(), &[][..])
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(started.elapsed() < reply_timeout, "the shorter bound won");
    assert_eq!(client.queued(), 0, "nothing was sent, nothing came");
}

// ----- success without a reply ---------------------------------------------

/// With auto-ack off, a request that succeeds is answered by nothing:
/// `send` returns and nothing arrives; `request` ends in a typed timeout
/// although the kernel did the work. Asking for the ack explicitly gets
/// one, and every exchange after works.
#[test]
fn success_without_ack_is_silent_and_the_next_exchange_works() {
    if !privileged("creates veth pairs in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .auto_ack(false)
            .reply_timeout(Some(Duration::from_millis(300)))
            .read_timeout(Some(Duration::from_millis(300)))
            .open()
            .unwrap();
        let create = NlmFlags::CREATE | NlmFlags::EXCL;
        sock.send(RTM_NEWLINK, create, &Link::veth(b"nlt-a0", "nlt-a1"))
            .unwrap();
        assert!(
            matches!(sock.recv(), Err(Error::Timeout)),
            "no reply at all"
        );

        let err = sock
            .request(RTM_NEWLINK, create, &Link::veth(b"nlt-b0", "nlt-b1"))
            .unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");

        let reply = sock
            .request(
                RTM_DELLINK,
                NlmFlags::ACK,
                &Link {
                    name: Some(b"nlt-b0"),
                    ..Link::default()
                },
            )
            .unwrap();
        assert!(reply.is_ack_only());
        assert_eq!(
            link_names(&mut sock),
            [b"lo".to_vec(), b"nlt-a0".to_vec(), b"nlt-a1".to_vec()],
            "the silent requests were executed"
        );
        assert_eq!(sock.queued(), 0, "nothing stray arrived");
    });
}

// ----- stale replies --------------------------------------------------------

/// A reply that comes after its request timed out carries the old
/// sequence number: the next request does not take it for its own, and
/// it is kept for `recv`.
#[test]
fn late_reply_to_a_timed_out_request_is_not_taken_for_the_next() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .reply_timeout(Some(Duration::from_millis(100)))
        .open()
        .unwrap();
    let err = client.request(PING, NlmFlags::empty(), &1u32).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    let (late, port) = accept(&mut server);

    client.set_reply_timeout(Some(Duration::from_secs(5)));
    std::thread::scope(|s| {
        s.spawn(|| {
            server
                .send_reply(port, &late, PONG, NlmFlags::empty(), &1u32)
                .unwrap();
            server.send_ack(port, &late, 0, None).unwrap();
            let (hdr, port) = accept(&mut server);
            server
                .send_reply(port, &hdr, PONG, NlmFlags::empty(), &2u32)
                .unwrap();
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        let reply = client.request(PING, NlmFlags::empty(), &2u32).unwrap();
        let msg = reply.message().unwrap();
        assert_ne!(msg.seq(), late.seq);
        assert_eq!(
            msg.payload(),
            2u32.to_ne_bytes(),
            "its own reply, not the late one"
        );
    });
    assert_eq!(client.queued(), 2, "the late reply and its ack are kept");
    let (msg, _) = client.recv_msg().unwrap();
    assert_eq!(
        (msg.seq(), msg.payload()),
        (late.seq, &1u32.to_ne_bytes()[..])
    );
}

// ----- control messages in a reply ----------------------------------------

/// NOOP and unknown control types inside a reply are skipped; an
/// `NLMSG_OVERRUN` is a typed overrun that does not end a dump.
#[test]
fn noop_and_unknown_controls_are_skipped_and_overrun_is_reported() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .reply_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port) = accept(&mut server);
            for ty in [MessageType::NOOP, MessageType(0x0c)] {
                server
                    .send_reply(port, &hdr, ty, NlmFlags::empty(), &0u32)
                    .unwrap();
            }
            server
                .send_reply(port, &hdr, PONG, NlmFlags::empty(), &1u32)
                .unwrap();
            server.send_ack(port, &hdr, 0, None).unwrap();

            let (hdr, port) = accept(&mut server);
            let parts = [(PONG, 1u32), (MessageType::OVERRUN, 0), (PONG, 2)];
            for (ty, value) in parts {
                server
                    .send_reply(port, &hdr, ty, NlmFlags::MULTI, &value)
                    .unwrap();
            }
            server.send_done(port, &hdr).unwrap();
        });
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        let types: Vec<_> = reply
            .messages()
            .map(|m| m.unwrap().message_type())
            .collect();
        assert_eq!(types, [PONG]);

        let mut dump = client.dump(PING, NlmFlags::empty(), &[][..]).unwrap();
        let mut seen = Vec::new();
        while let Some(item) = dump.next() {
            match item {
                Ok(msg) => seen.push(Some(u32::from_ne_bytes(msg.payload().try_into().unwrap()))),
                Err(Error::Overrun) => seen.push(None),
                Err(err) => panic!("{err:?}"),
            }
        }
        assert_eq!(seen, [Some(1), None, Some(2)]);
    });
}

// ----- groups ---------------------------------------------------------------

/// Joining group 0 or a group past the protocol's count is `EINVAL` on
/// rtnetlink too, and the socket keeps its memberships and works.
#[test]
fn membership_errors_are_typed_and_leave_the_socket_working() {
    let mut sock = SocketBuilder::new(Protocol::ROUTE)
        .read_timeout(Some(Duration::from_secs(2)))
        .open()
        .unwrap();
    sock.join_group(RTNLGRP_LINK).unwrap();
    for group in [0, 1000, u32::MAX] {
        let err = sock.join_group(group).unwrap_err();
        assert_eq!(err.errno(), Some(libc::EINVAL), "group {group}: {err:?}");
        assert!(matches!(err, Error::Io(_)));
    }
    assert_eq!(
        sock.leave_group(1000).unwrap_err().errno(),
        Some(libc::EINVAL)
    );
    assert_eq!(sock.groups().unwrap(), [RTNLGRP_LINK]);
    let reply = sock
        .request(RTM_GETLINK, NlmFlags::empty(), &Link::index(1))
        .unwrap();
    assert_eq!(link_index(&reply.message().unwrap()), 1);
}

/// Root can multicast a fake `RTM_NEWLINK` into rtnetlink's link group
/// from a user socket; subscribers drop it (the sender port is not 0)
/// and still see the kernel's real notification.
#[test]
fn spoofed_multicast_into_a_kernel_group_is_dropped() {
    if !privileged("multicasts into rtnetlink in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut listener = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_millis(300)))
            .open()
            .unwrap();
        listener.join_group(RTNLGRP_LINK).unwrap();
        let mut attacker = Socket::open(Protocol::ROUTE).unwrap();
        let fake = Link {
            name: Some(b"evil0"),
            ..Link::default()
        };
        // No NLM_F_REQUEST: the copy the kernel itself receives is not
        // executed.
        attacker
            .send_to(
                Address::group(RTNLGRP_LINK).unwrap(),
                RTM_NEWLINK,
                NlmFlags::empty(),
                &fake,
            )
            .unwrap();
        assert!(matches!(listener.recv(), Err(Error::Timeout)));
        assert_eq!(listener.dropped_foreign(), 1);

        let mut sock = socket_rtnl::route_socket();
        sock.request(
            RTM_NEWLINK,
            NlmFlags::CREATE,
            &Link::veth(b"nlt-s0", "nlt-s1"),
        )
        .unwrap();
        let (msg, source) = listener.recv_msg().unwrap();
        assert_eq!(source.port, 0);
        assert_eq!(msg.message_type(), RTM_NEWLINK);
        assert!(link_name(&msg).is_some_and(|n| n.starts_with(b"nlt-s")));
        assert_eq!(listener.dropped_foreign(), 1);
        assert!(!link_names(&mut sock).contains(&b"evil0".to_vec()));
    });
}

/// Every socket reads its port back from the kernel: two sockets of one
/// process get different ports, each the one `getsockname` reports.
#[test]
fn ports_are_read_back_and_differ_between_sockets() {
    let a = Socket::open(Protocol::USERSOCK).unwrap();
    let b = Socket::open(Protocol::USERSOCK).unwrap();
    assert_ne!(a.local_port(), b.local_port());
    for sock in [&a, &b] {
        let mut addr: libc::sockaddr_nl = zeroed_sockaddr();
        let mut len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: `addr` and `len` are live locals and `len` is the size
        // of `addr`, so the kernel writes at most that much into it.
        let ret =
            unsafe { libc::getsockname(sock.as_raw_fd(), (&raw mut addr).cast(), &raw mut len) };
        assert_eq!(ret, 0);
        assert_eq!(addr.nl_pid, sock.local_port());
    }
}

fn zeroed_sockaddr() -> libc::sockaddr_nl {
    // SAFETY: `sockaddr_nl` is plain integers; all zeroes is a valid value.
    unsafe { std::mem::zeroed() }
}
