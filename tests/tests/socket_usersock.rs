//! Two `NETLINK_USERSOCK` sockets of this process talk to each other:
//! requests, replies, acks made with `send_ack`, multi-part replies,
//! batches, multicast by bitmask and by membership, and the socket's own
//! plumbing (ports, descriptors, queue, timeouts, options read back).
//!
//! Most tests need no privileges. Joining a `NETLINK_USERSOCK` group
//! (bitmask at bind or membership) and forcing buffer sizes need
//! CAP_NET_ADMIN: without it those tests say that they skip, and fail
//! under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use netlink_core::{Attrs, Decode, Encode, EncodeError, MessageBuilder, attr};
use netlink_socket::{
    Address, Error, MessageType, NlMsgHdr, NlmFlags, Protocol, RECV_FLOOR, Socket, SocketBuilder,
};
use netlink_tests::{getsockopt_int, net_admin};

const PING: MessageType = MessageType(0x10);
const PONG: MessageType = MessageType(0x11);
const NOTE: MessageType = MessageType(0x12);

/// A small typed payload: an id and a name as two attributes.
#[derive(Debug, PartialEq, Eq)]
struct Ping<'a> {
    id: u32,
    name: &'a str,
}

impl Encode for Ping<'_> {
    fn encoded_len(&self) -> usize {
        8 + 4 + self.name.len() + 1
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        attr::write(out, 1, &self.id)?;
        attr::write(out, 2, self.name)
    }
}

impl<'a> Ping<'a> {
    fn decode(payload: &'a [u8]) -> Ping<'a> {
        let mut ping = Ping { id: 0, name: "" };
        for a in Attrs::new(payload) {
            let a = a.unwrap();
            match a.kind() {
                1 => ping.id = u32::decode(a.payload()).unwrap(),
                2 => ping.name = <&str>::decode(a.payload()).unwrap(),
                other => panic!("unexpected attribute {other}"),
            }
        }
        ping
    }
}

fn pair() -> (Socket, Socket) {
    let server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .reply_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    (server, client)
}

/// Receives one request on `server` and returns its header, sender port
/// and payload.
fn accept(server: &mut Socket) -> (NlMsgHdr, u32, Vec<u8>) {
    let (msg, source) = server.recv_msg().unwrap();
    (*msg.header(), source.port, msg.payload().to_vec())
}

#[test]
fn typed_request_gets_its_reply_and_ack() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, payload) = accept(&mut server);
            assert!(hdr.flags().contains(NlmFlags::REQUEST | NlmFlags::ACK));
            assert_eq!(hdr.message_type(), PING);
            let ping = Ping::decode(&payload);
            let pong = Ping {
                id: ping.id + 1,
                name: "pong",
            };
            server
                .send_reply(port, &hdr, PONG, NlmFlags::empty(), &pong)
                .unwrap();
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        let ping = Ping {
            id: 41,
            name: "ping",
        };
        let reply = client.request(PING, NlmFlags::empty(), &ping).unwrap();
        let msg = reply.message().expect("a data reply");
        assert_eq!(msg.message_type(), PONG);
        assert_eq!(
            Ping::decode(msg.payload()),
            Ping {
                id: 42,
                name: "pong"
            }
        );
        assert!(!reply.is_ack_only());
        assert_eq!(reply.messages().count(), 1);
    });
}

#[test]
fn error_ack_made_with_send_ack_is_a_typed_kernel_error() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, _) = accept(&mut server);
            server
                .send_ack(port, &hdr, libc::EINVAL, Some("ping needs a name"))
                .unwrap();
        });
        let err = client
            .request(PING, NlmFlags::empty(), &Ping { id: 1, name: "" })
            .unwrap_err();
        let kernel = err.kernel().expect("a peer error");
        assert_eq!(kernel.errno(), libc::EINVAL);
        assert_eq!(kernel.io_error().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(kernel.message(), Some("ping needs a name"));
        assert_eq!(kernel.request_type(), PING);
        assert!(!kernel.in_done());
    });
}

#[test]
fn success_ack_alone_and_ack_warning() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, _) = accept(&mut server);
            server.send_ack(port, &hdr, 0, None).unwrap();
            let (hdr, port, _) = accept(&mut server);
            server.send_ack(port, &hdr, 0, Some("deprecated")).unwrap();
        });
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        assert!(reply.is_ack_only());
        assert!(reply.message().is_none());
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        assert_eq!(reply.warning(), Some("deprecated"));
    });
}

fn serve_parts(server: &mut Socket, parts: u32, end_with_ack: bool) {
    let (hdr, port, _) = accept(server);
    for id in 0..parts {
        let part = Ping { id, name: "part" };
        server
            .send_reply(port, &hdr, PONG, NlmFlags::MULTI, &part)
            .unwrap();
    }
    if end_with_ack {
        server.send_ack(port, &hdr, 0, None).unwrap();
    } else {
        server.send_done(port, &hdr).unwrap();
    }
}

#[test]
fn multi_part_reply_is_read_as_a_dump_until_done() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| serve_parts(&mut server, 5, false));
        let mut dump = client.dump(PING, NlmFlags::empty(), &[][..]).unwrap();
        let mut ids = Vec::new();
        while let Some(msg) = dump.next() {
            let msg = msg.unwrap();
            assert!(msg.flags().contains(NlmFlags::MULTI));
            ids.push(Ping::decode(msg.payload()).id);
        }
        assert_eq!(ids, [0, 1, 2, 3, 4]);
        assert!(!dump.is_interrupted());
    });
}

#[test]
fn multi_part_reply_ended_by_an_ack_ends_the_dump() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| serve_parts(&mut server, 3, true));
        let ids = client
            .dump_consistent(PING, NlmFlags::empty(), &[][..], 1, |m| {
                Ok(Ping::decode(m.payload()).id)
            })
            .unwrap();
        assert_eq!(ids, [0, 1, 2]);
    });
}

#[test]
fn multi_part_reply_to_a_request_collects_every_part() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| serve_parts(&mut server, 3, false));
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        let ids: Vec<_> = reply
            .messages()
            .map(|m| Ping::decode(m.unwrap().payload()).id)
            .collect();
        assert_eq!(ids, [0, 1, 2]);
    });
}

#[test]
fn batch_goes_in_one_datagram_and_each_ack_is_awaited() {
    let (mut server, mut client) = pair();
    let mut batch = Vec::new();
    for id in 0..3u32 {
        let mut msg = MessageBuilder::new(&mut batch, PING, NlmFlags::REQUEST | NlmFlags::ACK);
        msg.payload(&Ping { id, name: "b" }).unwrap();
        msg.finish().unwrap();
    }
    let seqs = client.send_batch(&mut batch).unwrap();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));

    let datagram = server.recv().unwrap();
    let from = datagram.source().port;
    let headers: Vec<NlMsgHdr> = datagram.messages().map(|m| *m.unwrap().header()).collect();
    assert_eq!(headers.len(), 3, "one datagram holds the whole batch");
    for hdr in &headers {
        let errno = if hdr.seq == seqs[1] { libc::EPERM } else { 0 };
        server.send_ack(from, hdr, errno, None).unwrap();
    }
    assert_eq!(client.wait_for_ack(seqs[0]).unwrap(), None);
    let err = client.wait_for_ack(seqs[1]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EPERM));
    client.wait_for_ack(seqs[2]).unwrap();
}

#[test]
fn raw_bytes_and_raw_payload_round_trip() {
    let (mut server, mut client) = pair();
    let mut bytes = Vec::new();
    let mut msg = MessageBuilder::new(&mut bytes, NOTE, NlmFlags::REQUEST).max_payload(8);
    msg.append(b"abc").unwrap();
    assert!(msg.append(&[0; 8]).is_err(), "the maximum payload holds");
    msg.set_seq(77);
    msg.finish().unwrap();
    client.send_raw(&bytes).unwrap();
    let seq = client
        .send(NOTE, NlmFlags::empty(), &b"raw payload"[..])
        .unwrap();

    let (msg, source) = server.recv_msg().unwrap();
    assert_eq!((msg.seq(), &msg.payload()[..3]), (77, &b"abc"[..]));
    assert_eq!(source.port, client.local_port());
    let (msg, _) = server.recv_msg().unwrap();
    assert_eq!(msg.seq(), seq);
    assert_eq!(msg.pid(), client.local_port());
    assert_eq!(&msg.payload()[..11], b"raw payload");
}

#[test]
fn legacy_bitmask_at_bind_receives_multicast() {
    if !net_admin("binds to a NETLINK_USERSOCK group") {
        return;
    }
    let mut listener = SocketBuilder::new(Protocol::USERSOCK)
        .groups(1 << 2)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    assert_eq!(listener.groups().unwrap(), [3]);
    let to = Address::group(3).unwrap();
    sender
        .send_to(to, NOTE, NlmFlags::empty(), &Ping { id: 3, name: "g" })
        .unwrap();
    let datagram = listener.recv().unwrap();
    assert_eq!(datagram.source().groups, 1 << 2);
    assert_eq!(datagram.source().multicast_group(), Some(3));
    assert_eq!(datagram.source().port, sender.local_port());
    let msg = datagram.messages().next().unwrap().unwrap();
    assert_eq!(Ping::decode(msg.payload()).id, 3);
}

#[test]
fn membership_receives_multicast_and_is_listed() {
    if !net_admin("joins NETLINK_USERSOCK groups") {
        return;
    }
    let mut listener = SocketBuilder::new(Protocol::USERSOCK)
        .groups(1)
        .pktinfo(true)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    listener.join_group(7).unwrap();
    listener.join_group(32).unwrap();
    assert_eq!(listener.groups().unwrap(), [1, 7, 32]);

    let to = Address::group(7).unwrap();
    sender.send_to(to, NOTE, NlmFlags::empty(), &7u32).unwrap();
    let source = listener.recv().unwrap().source();
    assert_eq!(source.groups, 1 << 6);
    assert_eq!(source.group, Some(7), "NETLINK_PKTINFO names the group");

    listener.leave_group(7).unwrap();
    assert_eq!(listener.groups().unwrap(), [1, 32]);
    sender.send_to(to, NOTE, NlmFlags::empty(), &7u32).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(matches!(listener.recv(), Err(Error::Timeout)));
}

/// The kernel checks the right to listen before the group number, so
/// only a privileged socket learns that 0 and 33 are invalid.
#[test]
fn invalid_groups_are_refused() {
    assert_eq!(Address::group(0), None);
    assert_eq!(Address::group(33), None);
    if !net_admin("joins NETLINK_USERSOCK groups") {
        return;
    }
    let mut sock = Socket::open(Protocol::USERSOCK).unwrap();
    assert_eq!(sock.join_group(0).unwrap_err().errno(), Some(libc::EINVAL));
    assert_eq!(sock.join_group(33).unwrap_err().errno(), Some(libc::EINVAL));
}

#[test]
fn port_is_chosen_before_bind_and_read_back() {
    let first = Socket::open(Protocol::USERSOCK).unwrap();
    let port = first.local_port().wrapping_add(0x4000_0000) | 0x4000_0000;
    let chosen = SocketBuilder::new(Protocol::USERSOCK)
        .port(port)
        .open()
        .unwrap();
    assert_eq!(chosen.local_port(), port);
    let clash = SocketBuilder::new(Protocol::USERSOCK).port(port).open();
    assert_eq!(clash.unwrap_err().errno(), Some(libc::EADDRINUSE));
    chosen.close().unwrap();
}

#[test]
fn socket_from_an_owned_fd_keeps_its_port_and_closes_explicitly() {
    let sock = Socket::open(Protocol::USERSOCK).unwrap();
    let port = sock.local_port();
    let fd: OwnedFd = sock.into();
    let sock = Socket::from_fd(fd).unwrap();
    assert_eq!(sock.local_port(), port);
    assert_eq!(sock.protocol(), Protocol::USERSOCK);
    sock.close().unwrap();

    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let err = Socket::from_fd(OwnedFd::from(udp)).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EAFNOSUPPORT));
}

#[test]
fn sequence_numbers_are_random_nonzero_and_increase() {
    let a = Socket::open(Protocol::USERSOCK).unwrap();
    let b = Socket::open(Protocol::USERSOCK).unwrap();
    assert_ne!(a.next_seq(), 0);
    assert_ne!(a.next_seq(), b.next_seq(), "two sockets start apart");
}

#[test]
fn notifications_during_a_request_are_kept_in_order() {
    if !net_admin("joins a NETLINK_USERSOCK group") {
        return;
    }
    let (mut server, mut client) = pair();
    let mut other = Socket::open(Protocol::USERSOCK).unwrap();
    client.join_group(4).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, _) = accept(&mut server);
            let group = Address::group(4).unwrap();
            server
                .send_reply(port, &hdr, NOTE, NlmFlags::empty(), &1u32)
                .unwrap();
            other
                .send_to(group, NOTE, NlmFlags::empty(), &2u32)
                .unwrap();
            // A multicast with the request's own seq is still a
            // notification.
            let mut bytes = Vec::new();
            let mut msg = MessageBuilder::new(&mut bytes, NOTE, NlmFlags::empty());
            msg.set_seq(hdr.seq);
            msg.payload(&3u32).unwrap();
            msg.finish().unwrap();
            server.send_raw_to(group, &bytes).unwrap();
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        // The NOTE sent by unicast with our seq is a data reply; the two
        // multicasts are not.
        assert_eq!(reply.messages().count(), 1);
    });
    assert_eq!(client.queued(), 2);
    let first = client.recv().unwrap();
    assert_eq!(first.source().multicast_group(), Some(4));
    let values: Vec<u32> = [
        first.bytes().to_vec(),
        client.recv().unwrap().bytes().to_vec(),
    ]
    .iter()
    .map(|b| u32::from_ne_bytes(b[16..20].try_into().unwrap()))
    .collect();
    assert_eq!(values, [2, 3]);
}

#[test]
fn queue_overflow_is_reported_not_silent() {
    let server = Socket::open(Protocol::USERSOCK).unwrap();
    let mut server = server;
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .queue_limit(2)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, _) = accept(&mut server);
            for id in 0..5u32 {
                let mut stale = hdr;
                stale.seq = hdr.seq.wrapping_add(100);
                server
                    .send_reply(port, &stale, NOTE, NlmFlags::empty(), &id)
                    .unwrap();
            }
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
    });
    assert_eq!(client.queued(), 2);
    client.recv().unwrap();
    client.recv().unwrap();
    match client.recv() {
        Err(Error::QueueOverflow { dropped }) => assert_eq!(dropped, 3),
        other => panic!("expected an overflow report, got {other:?}"),
    }
    client
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert!(matches!(client.recv(), Err(Error::Timeout)));
}

#[test]
fn read_timeout_is_typed_and_distinct_from_protocol_errors() {
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_millis(50)))
        .open()
        .unwrap();
    let started = std::time::Instant::now();
    let err = sock.recv().unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert_eq!(err.errno(), None);
    assert!(err.kernel().is_none());
}

#[test]
fn request_to_a_silent_peer_times_out() {
    let server = Socket::open(Protocol::USERSOCK).unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .reply_timeout(Some(Duration::from_millis(50)))
        .open()
        .unwrap();
    let err = client
        .request(PING, NlmFlags::empty(), &[][..])
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
}

#[test]
fn send_to_a_missing_port_fails() {
    let mut sock = Socket::open(Protocol::USERSOCK).unwrap();
    sock.set_peer(0x7fff_fff0);
    let err = sock.send(PING, NlmFlags::empty(), &[][..]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::ECONNREFUSED), "{err:?}");
}

#[test]
fn an_empty_header_is_echoed_by_send_ack() {
    let (mut server, mut client) = pair();
    let seq = client.send(PING, NlmFlags::empty(), &[][..]).unwrap();
    let (hdr, port, _) = accept(&mut server);
    assert_eq!(hdr.seq, seq);
    server.send_ack(port, &hdr, 0, None).unwrap();
    let (msg, _) = client.recv_msg().unwrap();
    let ack = netlink_core::ErrorMessage::parse(&msg).unwrap();
    assert!(ack.is_ack());
    assert_eq!(ack.request(), Some(&hdr));
}

// ----- acks awaited out of order ---------------------------------------------

/// Sends a batch of three requests from `client` and returns their
/// sequence numbers with the headers `server` received.
fn batch_of_three(server: &mut Socket, client: &mut Socket) -> (Vec<u32>, Vec<NlMsgHdr>, u32) {
    let mut batch = Vec::new();
    for id in 0..3u32 {
        let mut msg = MessageBuilder::new(&mut batch, PING, NlmFlags::REQUEST | NlmFlags::ACK);
        msg.payload(&Ping { id, name: "o" }).unwrap();
        msg.finish().unwrap();
    }
    let seqs = client.send_batch(&mut batch).unwrap();
    let datagram = server.recv().unwrap();
    let from = datagram.source().port;
    let headers = datagram.messages().map(|m| *m.unwrap().header()).collect();
    (seqs, headers, from)
}

/// Each ack in its own datagram, awaited last first: waiting for the third
/// reads and keeps the first two, and the later waits find them among the
/// kept messages (the peer sends nothing more, so a wait that only read
/// the socket would time out).
#[test]
fn acks_awaited_out_of_order_are_found_among_kept_messages() {
    let (mut server, mut client) = pair();
    client.set_reply_timeout(Some(Duration::from_millis(300)));
    let (seqs, headers, from) = batch_of_three(&mut server, &mut client);
    for hdr in &headers {
        let errno = if hdr.seq == seqs[1] { libc::EPERM } else { 0 };
        server.send_ack(from, hdr, errno, None).unwrap();
    }
    assert_eq!(client.wait_for_ack(seqs[2]).unwrap(), None);
    assert_eq!(client.queued(), 2, "the first two acks were kept");
    assert_eq!(client.wait_for_ack(seqs[0]).unwrap(), None);
    let err = client.wait_for_ack(seqs[1]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EPERM), "{err:?}");
    assert_eq!(err.kernel().unwrap().request_type(), PING);
    assert_eq!(client.queued(), 0, "each kept ack was taken once");
    let err = client.wait_for_ack(seqs[0]).unwrap_err();
    assert!(
        matches!(err, Error::Timeout),
        "an ack is found once: {err:?}"
    );
}

/// All three acks in one datagram, the first read by `recv_msg`: the rest
/// of that datagram is kept as one piece when the wait starts, and each
/// ack is taken out of it in any order, the others staying in place.
#[test]
fn acks_kept_together_in_one_datagram_are_found_in_any_order() {
    let (mut server, mut client) = pair();
    client.set_reply_timeout(Some(Duration::from_millis(300)));
    let (seqs, headers, from) = batch_of_three(&mut server, &mut client);
    let mut acks = Vec::new();
    for hdr in &headers {
        let errno: i32 = if hdr.seq == seqs[2] { -libc::EEXIST } else { 0 };
        let mut msg = MessageBuilder::new(&mut acks, MessageType::ERROR, NlmFlags::CAPPED);
        msg.set_seq(hdr.seq).set_pid(server.local_port());
        msg.append(&errno.to_ne_bytes()).unwrap();
        msg.append(zerocopy::IntoBytes::as_bytes(hdr)).unwrap();
        msg.finish().unwrap();
    }
    server.send_raw_to(Address::port(from), &acks).unwrap();

    let (first, _) = client.recv_msg().unwrap();
    assert_eq!(first.seq(), seqs[0]);
    let err = client.wait_for_ack(seqs[2]).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EEXIST), "{err:?}");
    assert_eq!(client.wait_for_ack(seqs[1]).unwrap(), None);
    assert_eq!(client.queued(), 0);
}

// ----- one budget per exchange -----------------------------------------------

/// A peer that never answers the request but keeps sending unrelated
/// messages does not stretch the wait: the reply timeout bounds the whole
/// request, and what arrived meanwhile is kept for `recv`.
#[test]
fn unrelated_traffic_does_not_extend_the_reply_timeout() {
    let (server, mut client) = pair();
    client.set_reply_timeout(Some(Duration::from_millis(300)));
    let to = Address::port(client.local_port());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut noisy = Socket::open(Protocol::USERSOCK).unwrap();
    let (result, elapsed) = std::thread::scope(|s| {
        s.spawn(|| {
            // Unicasts from the peer's own port, with foreign seqs, every
            // 20 ms for up to 10 s.
            let mut server = server;
            for n in 0..500u32 {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                server.send_to(to, NOTE, NlmFlags::empty(), &n).unwrap();
                noisy.send_to(to, NOTE, NlmFlags::empty(), &n).unwrap();
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let started = std::time::Instant::now();
        let result = client.request(PING, NlmFlags::empty(), &[][..]);
        let elapsed = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        (result, elapsed)
    });
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(
        elapsed < Duration::from_secs(3),
        "the noise kept the request waiting for {elapsed:?}"
    );
    assert!(client.queued() >= 2, "the unrelated messages were kept");
    let (msg, _) = client.recv_msg().unwrap();
    assert_eq!(msg.message_type(), NOTE);
}

/// An exchange bounds `SO_RCVTIMEO` by the reply timeout for its own
/// waits; `recv` still waits for the read timeout afterwards.
#[test]
fn read_timeout_is_restored_after_a_shorter_reply_timeout() {
    let server = Socket::open(Protocol::USERSOCK).unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .read_timeout(Some(Duration::from_millis(400)))
        .reply_timeout(Some(Duration::from_millis(50)))
        .open()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .request(PING, NlmFlags::empty(), &[][..])
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(350));
    let started = std::time::Instant::now();
    assert!(matches!(client.recv(), Err(Error::Timeout)));
    assert!(started.elapsed() >= Duration::from_millis(390));
    assert_eq!(client.read_timeout(), Some(Duration::from_millis(400)));
}

/// The descriptor's `SO_RCVTIMEO` becomes the read timeout (the kernel
/// keeps it in clock ticks, so a whole second reads back exactly).
#[test]
fn socket_from_an_owned_fd_keeps_its_read_timeout() {
    let sock = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(1)))
        .open()
        .unwrap();
    let sock = Socket::from_fd(OwnedFd::from(sock)).unwrap();
    assert_eq!(sock.read_timeout(), Some(Duration::from_secs(1)));
    let plain = Socket::from_fd(OwnedFd::from(Socket::open(Protocol::USERSOCK).unwrap())).unwrap();
    assert_eq!(plain.read_timeout(), None);
}

// ----- non-blocking sends ----------------------------------------------------

/// With non-blocking sends, a peer whose receive buffer is full makes the
/// send fail at once with `WouldBlock` (a blocking send would wait out its
/// 2 s write timeout and fail with `Timeout`). Every send that succeeded
/// arrives; once the peer reads, sending works again; blocking sends wait
/// again when turned back on.
#[test]
fn nonblocking_send_to_a_full_peer_would_block() {
    let mut receiver = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(4096, false)
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    let to = Address::port(receiver.local_port());
    let mut sender = SocketBuilder::new(Protocol::USERSOCK)
        .send_nonblocking(true)
        .write_timeout(Some(Duration::from_secs(2)))
        .open()
        .unwrap();
    assert!(sender.send_nonblocking());
    let payload = [0x5au8; 512];
    let mut sent = 0u32;
    let err = loop {
        match sender.send_to(to, NOTE, NlmFlags::empty(), &payload[..]) {
            Ok(_) => sent += 1,
            Err(err) => break err,
        }
        assert!(sent < 10_000, "the receiver's buffer never filled");
    };
    assert!(matches!(err, Error::WouldBlock), "{err:?}");
    assert!(sent >= 1);

    let mut received = 0;
    loop {
        match receiver.recv_msg() {
            Ok((msg, _)) => {
                assert_eq!(msg.payload(), &payload[..]);
                received += 1;
            }
            Err(Error::Timeout) => break,
            Err(err) => panic!("{err:?}"),
        }
    }
    assert_eq!(received, sent, "every accepted datagram arrived");

    sender
        .send_to(to, NOTE, NlmFlags::empty(), &payload[..])
        .unwrap();
    assert_eq!(receiver.recv_msg().unwrap().0.payload(), &payload[..]);

    sender.set_send_nonblocking(false);
    sender.set_peer(receiver.local_port());
    let err = loop {
        if let Err(err) = sender.send_raw(&[0; 16]) {
            break err;
        }
    };
    assert!(matches!(err, Error::Timeout), "blocking again: {err:?}");
}

// ----- the empty message -----------------------------------------------------

/// `new-message` with nothing in it: `MessageBuilder::new` with a type and
/// no flags writes a bare 16-byte header, and the peer receives exactly
/// that: one 16-byte datagram whose header has the type and no flag bit.
#[test]
fn empty_message_arrives_as_a_bare_header_with_exactly_its_flags() {
    let (mut server, mut client) = pair();
    let mut buf = Vec::new();
    let msg = MessageBuilder::new(&mut buf, NOTE, NlmFlags::empty());
    assert_eq!(msg.finish().unwrap(), 16);
    client.send_raw(&buf).unwrap();

    let datagram = server.recv().unwrap();
    assert_eq!(datagram.bytes().len(), 16, "nothing but the header");
    assert_eq!(datagram.source().port, client.local_port());
    let msg = datagram.messages().next().unwrap().unwrap();
    assert_eq!(msg.header().len, 16);
    assert_eq!(msg.message_type(), NOTE);
    assert_eq!(msg.flags(), NlmFlags::empty(), "not even NLM_F_REQUEST");
    assert!(msg.payload().is_empty());
}

// ----- interrupted replies to a request --------------------------------------

/// Serves one request with three parts, setting `NLM_F_DUMP_INTR` on the
/// middle part or, with `on_done`, on the closing `NLMSG_DONE` only.
fn serve_interrupted(server: &mut Socket, on_done: bool) {
    let (hdr, port, _) = accept(server);
    for id in 0..3u32 {
        let mut flags = NlmFlags::MULTI;
        if id == 1 && !on_done {
            flags |= NlmFlags::DUMP_INTR;
        }
        let part = Ping { id, name: "part" };
        server.send_reply(port, &hdr, PONG, flags, &part).unwrap();
    }
    let mut flags = NlmFlags::MULTI;
    if on_done {
        flags |= NlmFlags::DUMP_INTR;
    }
    server
        .send_reply(port, &hdr, MessageType::DONE, flags, &0i32)
        .unwrap();
}

/// Returns the ids of the parts of `reply`.
fn part_ids(reply: netlink_socket::Reply<'_>) -> Vec<u32> {
    reply
        .messages()
        .map(|m| Ping::decode(m.unwrap().payload()).id)
        .collect()
}

/// A multi-part reply to `request` that carries `NLM_F_DUMP_INTR`, on a
/// part or on DONE, is the typed `DumpInterrupted` error, and the socket
/// still hands over every part it received; the next request that is not
/// interrupted succeeds and leaves nothing behind.
#[test]
fn interrupted_reply_to_a_request_is_an_error_that_hands_over_the_data() {
    let (mut server, mut client) = pair();
    std::thread::scope(|s| {
        s.spawn(|| {
            serve_interrupted(&mut server, false);
            serve_interrupted(&mut server, true);
            serve_parts(&mut server, 2, false);
        });
        for marked in ["a part", "DONE"] {
            let err = client
                .request(PING, NlmFlags::empty(), &[][..])
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::DumpInterrupted {
                        received: 3,
                        attempts: 1
                    }
                ),
                "DUMP_INTR on {marked}: {err:?}"
            );
            let reply = client.interrupted_reply().expect("the data is kept");
            assert_eq!(part_ids(reply), [0, 1, 2], "DUMP_INTR on {marked}");
        }
        let reply = client.request(PING, NlmFlags::empty(), &[][..]).unwrap();
        assert_eq!(part_ids(reply), [0, 1]);
        assert!(client.interrupted_reply().is_none());
    });
    assert_eq!(client.queued(), 0, "every part was taken by its request");
}

// ----- descriptors and options -------------------------------------------------

/// Returns the port `fd` is bound to, read with `getsockname(2)`.
fn bound_port(fd: impl AsFd) -> u32 {
    // SAFETY: `sockaddr_nl` is plain integers; all zeroes is a valid value.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    let mut len = libc::socklen_t::try_from(std::mem::size_of_val(&addr)).unwrap();
    // SAFETY: `addr` and `len` are live locals and `len` is the size of
    // `addr`, so the kernel writes at most that much into it.
    let ret =
        unsafe { libc::getsockname(fd.as_fd().as_raw_fd(), (&raw mut addr).cast(), &raw mut len) };
    assert_eq!(ret, 0, "getsockname: {}", io::Error::last_os_error());
    addr.nl_pid
}

/// A descriptor made with `socket(2)` and never bound has port 0;
/// `Socket::from_fd` binds it to a port the kernel chooses, reads that
/// port back, and receives on it.
#[test]
fn socket_from_an_unbound_fd_is_bound_and_reads_its_port_back() {
    // SAFETY: socket(2) takes no pointers.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_USERSOCK,
        )
    };
    assert!(raw >= 0, "socket: {}", io::Error::last_os_error());
    // SAFETY: `raw` is a descriptor socket(2) just returned, owned by
    // nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    assert_eq!(bound_port(&fd), 0, "not bound yet");

    let mut sock = Socket::from_fd(fd).unwrap();
    let port = sock.local_port();
    assert_ne!(port, 0, "bound by from_fd");
    assert_eq!(bound_port(&sock), port);

    let mut peer = Socket::open(Protocol::USERSOCK).unwrap();
    peer.send_to(Address::port(port), NOTE, NlmFlags::empty(), &9u32)
        .unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (msg, source) = sock.recv_msg().unwrap();
    assert_eq!(msg.payload(), 9u32.to_ne_bytes());
    assert_eq!(source.port, peer.local_port());
}

/// Returns whether `fd` polls readable within `timeout_ms`.
fn polls_readable(fd: impl AsFd, timeout_ms: libc::c_int) -> bool {
    let mut pfd = libc::pollfd {
        fd: fd.as_fd().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one live `pollfd` and the count is 1; the
    // descriptor is borrowed for the whole call.
    let ready = unsafe { libc::poll(&raw mut pfd, 1, timeout_ms) };
    assert!(ready >= 0, "poll: {}", io::Error::last_os_error());
    ready == 1 && pfd.revents & libc::POLLIN != 0
}

/// The descriptor a socket lends through `AsFd` can wait in `poll(2)`:
/// not readable while nothing waits, readable once a message arrives,
/// and not readable again after the socket took it.
#[test]
fn descriptor_lent_through_as_fd_polls_readable_when_a_message_waits() {
    let (mut server, mut client) = pair();
    assert!(!polls_readable(&server, 0), "nothing arrived yet");
    client.send(NOTE, NlmFlags::empty(), &5u32).unwrap();
    assert!(polls_readable(&server, 5000));
    let (msg, _) = server.recv_msg().unwrap();
    assert_eq!(msg.payload(), 5u32.to_ne_bytes());
    assert!(!polls_readable(&server, 0), "the socket took it");
}

/// `NETLINK_BROADCAST_ERROR` (from `linux/netlink.h`).
const NETLINK_BROADCAST_ERROR: libc::c_int = 4;
/// `NETLINK_EXT_ACK` (from `linux/netlink.h`).
const NETLINK_EXT_ACK: libc::c_int = 11;

/// `broadcast_error` only changes what a kernel broadcaster learns when
/// delivery to this socket fails, which user space cannot provoke; the
/// descriptor shows that the option is set, and left off by default.
/// Extended acks read back the same way: on by default, off on request.
#[test]
fn broadcast_error_and_ext_ack_are_read_back_from_the_descriptor() {
    let plain = Socket::open(Protocol::USERSOCK).unwrap();
    let chosen = SocketBuilder::new(Protocol::USERSOCK)
        .broadcast_error(true)
        .ext_ack(false)
        .open()
        .unwrap();
    let option = |sock: &Socket, name| getsockopt_int(sock, libc::SOL_NETLINK, name);
    assert_eq!(option(&plain, NETLINK_BROADCAST_ERROR), 0);
    assert_eq!(option(&chosen, NETLINK_BROADCAST_ERROR), 1);
    assert_eq!(option(&plain, NETLINK_EXT_ACK), 1, "on by default");
    assert_eq!(option(&chosen, NETLINK_EXT_ACK), 0);
}

/// Returns the value of `/proc/sys/net/core/{name}`.
fn core_sysctl(name: &str) -> usize {
    let path = format!("/proc/sys/net/core/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.trim().parse().unwrap()
}

/// Without `force` the kernel caps a buffer size at `rmem_max` or
/// `wmem_max` (and doubles it for its own bookkeeping); with `force`
/// (`SO_RCVBUFFORCE`, `SO_SNDBUFFORCE`) a privileged socket passes the
/// cap: the sizes read back exceed twice the maximum.
#[test]
fn forced_buffer_sizes_pass_the_system_maximum() {
    if !net_admin("forces buffer sizes past the system maximum") {
        return;
    }
    let (rmem_max, wmem_max) = (core_sysctl("rmem_max"), core_sysctl("wmem_max"));
    let limit = usize::try_from(i32::MAX / 4).unwrap();
    assert!(rmem_max < limit && wmem_max < limit, "maxima too large");
    let (want_r, want_w) = (rmem_max * 2, wmem_max * 2);
    let open = |force| {
        SocketBuilder::new(Protocol::USERSOCK)
            .recv_buffer(want_r, force)
            .send_buffer(want_w, force)
            .open()
            .unwrap()
    };
    let size = |sock: &Socket, name| {
        usize::try_from(getsockopt_int(sock, libc::SOL_SOCKET, name)).unwrap()
    };

    let capped = open(false);
    assert_eq!(size(&capped, libc::SO_RCVBUF), rmem_max * 2);
    assert_eq!(size(&capped, libc::SO_SNDBUF), wmem_max * 2);
    let forced = open(true);
    let (rcvbuf, sndbuf) = (
        size(&forced, libc::SO_RCVBUF),
        size(&forced, libc::SO_SNDBUF),
    );
    assert!(rcvbuf > rmem_max * 2, "{rcvbuf} <= 2 * {rmem_max}");
    assert!(sndbuf > wmem_max * 2, "{sndbuf} <= 2 * {wmem_max}");
    assert_eq!((rcvbuf, sndbuf), (want_r * 2, want_w * 2));
}

/// With `one_call_receive` a datagram within the capacity arrives whole;
/// one past it is cut by the kernel, reported as `Truncated` with its real
/// size, and the datagram after it still arrives.
#[test]
fn one_call_receive_reports_a_datagram_past_its_capacity_and_goes_on() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .one_call_receive(RECV_FLOOR)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .open()
        .unwrap();
    let big = vec![0x5a_u8; RECV_FLOOR + 1000];
    client.send(NOTE, NlmFlags::empty(), &7u32).unwrap();
    client.send(NOTE, NlmFlags::empty(), &big[..]).unwrap();
    client.send(NOTE, NlmFlags::empty(), &8u32).unwrap();

    let (msg, source) = server.recv_msg().unwrap();
    assert_eq!(source.port, client.local_port());
    assert_eq!(u32::decode(msg.payload()).unwrap(), 7);
    match server.recv_msg() {
        Err(Error::Truncated { len, capacity }) => {
            assert_eq!(len, 16 + big.len(), "the real size is reported");
            assert_eq!(capacity, RECV_FLOOR);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let (msg, _) = server.recv_msg().unwrap();
    assert_eq!(
        u32::decode(msg.payload()).unwrap(),
        8,
        "the next one arrives"
    );
}

/// Requests, multi-part replies and acks work the same with one call per
/// receive, and the wait stays bounded by the reply timeout.
#[test]
fn one_call_receive_serves_requests_and_times_out() {
    let mut server = SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap();
    let mut client = SocketBuilder::new(Protocol::USERSOCK)
        .peer(server.local_port())
        .one_call_receive(64 * 1024)
        .reply_timeout(Some(Duration::from_millis(300)))
        .open()
        .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (hdr, port, payload) = accept(&mut server);
            let ping = Ping::decode(&payload);
            for id in [ping.id + 1, ping.id + 2] {
                let pong = Ping { id, name: "pong" };
                server
                    .send_reply(port, &hdr, PONG, NlmFlags::MULTI, &pong)
                    .unwrap();
            }
            server.send_ack(port, &hdr, 0, None).unwrap();
        });
        let ping = Ping {
            id: 1,
            name: "ping",
        };
        let reply = client.request(PING, NlmFlags::empty(), &ping).unwrap();
        let ids: Vec<_> = reply
            .messages()
            .map(|m| Ping::decode(m.unwrap().payload()).id)
            .collect();
        assert_eq!(ids, [2, 3]);
    });
    // Nobody answers this one.
    let ping = Ping {
        id: 9,
        name: "late",
    };
    assert!(matches!(
        client.request(PING, NlmFlags::empty(), &ping),
        Err(Error::Timeout)
    ));
}
