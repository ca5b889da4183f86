//! A hostile `NETLINK_USERSOCK` peer: short, garbage, oversized and
//! misaligned datagrams, foreign sequence numbers, messages after DONE, an
//! ERROR shorter than 4 bytes, and a multicast flood. The socket answers
//! each with a typed error or an overrun, keeps working, and loses no good
//! message sent after the bad ones.
//!
//! The malformed datagrams need no privileges. The flood tests join a
//! `NETLINK_USERSOCK` group, which needs CAP_NET_ADMIN: without it they
//! say that they skip, and fail under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

use std::time::Duration;

use netlink_core::{ErrorMessage, MessageBuilder, NlMsgHdr};
use netlink_socket::{Address, Error, MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
use netlink_tests::net_admin;
use zerocopy::IntoBytes;

const PING: MessageType = MessageType(0x10);
const GOOD: MessageType = MessageType(0x20);

fn victim() -> Socket {
    SocketBuilder::new(Protocol::USERSOCK)
        .read_timeout(Some(Duration::from_secs(5)))
        .reply_timeout(Some(Duration::from_secs(5)))
        .open()
        .unwrap()
}

fn message(ty: MessageType, flags: NlmFlags, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut msg = MessageBuilder::new(&mut out, ty, flags);
    msg.set_seq(seq);
    msg.append(payload).unwrap();
    msg.finish().unwrap();
    out
}

fn header(len: u32, ty: MessageType, seq: u32) -> Vec<u8> {
    NlMsgHdr {
        len,
        ty: ty.0,
        flags: 0,
        seq,
        pid: 0,
    }
    .as_bytes()
    .to_vec()
}

/// Sends the whole catalogue of malformed datagrams, then one good
/// message, and returns the good message's payload.
fn send_garbage(hostile: &mut Socket, to: Address) -> Vec<u8> {
    let mut misaligned = header(19, GOOD, 1);
    misaligned.extend([1, 2, 3]);
    misaligned.extend(header(16, GOOD, 2));
    let mut short_error = header(18, MessageType::ERROR, 3);
    short_error.extend([0xff, 0xff]);
    let oversized = message(GOOD, NlmFlags::empty(), 4, &vec![0x5a; 100_000]);
    let datagrams: [&[u8]; 6] = [
        &[1, 2, 3, 4, 5, 6, 7, 8],
        &header(0, GOOD, 5),
        &header(u32::MAX, GOOD, 6),
        &misaligned,
        &short_error,
        &oversized,
    ];
    for datagram in datagrams {
        hostile.send_raw_to(to, datagram).unwrap();
    }
    let good = b"still here".to_vec();
    hostile
        .send_raw_to(to, &message(GOOD, NlmFlags::empty(), 7, &good))
        .unwrap();
    good
}

#[test]
fn malformed_datagrams_are_typed_errors_and_the_good_one_arrives() {
    let mut sock = victim();
    let mut hostile = Socket::open(Protocol::USERSOCK).unwrap();
    let good = send_garbage(&mut hostile, Address::port(sock.local_port()));

    // 8 stray bytes, nlmsg_len 0, nlmsg_len past the end.
    for _ in 0..3 {
        let err = sock.recv_msg().unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }
    // Misaligned: the first message is whole, the next one is misframed.
    let (first, _) = sock.recv_msg().unwrap();
    assert_eq!(first.payload(), [1, 2, 3]);
    assert!(matches!(sock.recv_msg(), Err(Error::Decode(_))));
    // An ERROR shorter than 4 bytes is framed but never success.
    let (short, _) = sock.recv_msg().unwrap();
    assert!(ErrorMessage::parse(&short).is_err());
    // 100 kB in one datagram: sized by the peek, not truncated.
    let (big, source) = sock.recv_msg().unwrap();
    assert_eq!(big.payload().len(), 100_000);
    assert_eq!(source.port, hostile.local_port());
    let (msg, _) = sock.recv_msg().unwrap();
    assert_eq!(msg.seq(), 7);
    assert_eq!(&msg.payload()[..good.len()], good);
}

#[test]
fn malformed_reply_fails_the_request_and_the_next_one_works() {
    let mut sock = victim();
    let mut hostile = Socket::open(Protocol::USERSOCK).unwrap();
    sock.set_peer(hostile.local_port());
    let to = Address::port(sock.local_port());
    std::thread::scope(|s| {
        s.spawn(|| {
            // Request 1: a foreign seq, then an ERROR with our seq that is
            // too short to hold an errno.
            let (hdr, _) = next_request(&mut hostile);
            hostile
                .send_raw_to(
                    to,
                    &message(GOOD, NlmFlags::empty(), hdr.seq ^ 1, b"foreign"),
                )
                .unwrap();
            let mut short_error = header(18, MessageType::ERROR, hdr.seq);
            short_error.extend([0, 0]);
            hostile.send_raw_to(to, &short_error).unwrap();

            // Request 2: two parts, DONE, and two messages after DONE in
            // the same datagram.
            let (hdr, _) = next_request(&mut hostile);
            let mut datagram = Vec::new();
            for part in [b"p1", b"p2"] {
                datagram.extend(message(GOOD, NlmFlags::MULTI, hdr.seq, part));
            }
            datagram.extend(message(
                MessageType::DONE,
                NlmFlags::MULTI,
                hdr.seq,
                &0i32.to_ne_bytes(),
            ));
            datagram.extend(message(GOOD, NlmFlags::empty(), hdr.seq, b"after done"));
            datagram.extend(message(GOOD, NlmFlags::empty(), 99, b"stray"));
            hostile.send_raw_to(to, &datagram).unwrap();
        });
        let err = sock.request(PING, NlmFlags::empty(), &[][..]).unwrap_err();
        assert!(
            matches!(err, Error::Decode(_)),
            "a short ERROR is never success: {err:?}"
        );

        let mut dump = sock.dump(PING, NlmFlags::empty(), &[][..]).unwrap();
        let mut parts = Vec::new();
        while let Some(msg) = dump.next() {
            parts.push(trimmed(msg.unwrap().payload()));
        }
        assert_eq!(parts, [b"p1".to_vec(), b"p2".to_vec()]);
    });
    // Nothing good was lost: the foreign message and both messages after
    // DONE wait in order.
    let mut kept = Vec::new();
    while sock.queued() > 0 {
        for msg in sock.recv().unwrap().messages() {
            kept.push(trimmed(msg.unwrap().payload()));
        }
    }
    assert_eq!(
        kept,
        [
            b"foreign".to_vec(),
            b"after done".to_vec(),
            b"stray".to_vec()
        ]
    );
}

/// Returns a payload without the padding `MessageBuilder::append` adds.
fn trimmed(payload: &[u8]) -> Vec<u8> {
    let end = payload.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    payload[..end].to_vec()
}

fn next_request(sock: &mut Socket) -> (NlMsgHdr, u32) {
    let (msg, source) = sock.recv_msg().unwrap();
    (*msg.header(), source.port)
}

fn flood(group: u32, count: usize) {
    let mut sender = Socket::open(Protocol::USERSOCK).unwrap();
    let to = Address::group(group).unwrap();
    for i in 0..count {
        let seq = u32::try_from(i).unwrap();
        sender
            .send_raw_to(to, &message(GOOD, NlmFlags::empty(), seq, &[7; 1024]))
            .unwrap();
    }
}

#[test]
fn multicast_flood_is_an_overrun_after_which_the_socket_works() {
    if !net_admin("joins a NETLINK_USERSOCK group") {
        return;
    }
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(4096, false)
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    sock.join_group(9).unwrap();
    flood(9, 500);

    let err = sock.recv().unwrap_err();
    assert!(
        matches!(err, Error::Overrun),
        "ENOBUFS comes first: {err:?}"
    );
    let mut queued = 0;
    loop {
        match sock.recv() {
            Ok(_) => queued += 1,
            Err(Error::Timeout) => break,
            Err(err) => panic!("{err:?}"),
        }
    }
    assert!(
        queued >= 1,
        "messages queued before the overrun are still read"
    );
    assert!(queued < 500, "the flood overflowed the buffer");

    let mut peer = Socket::open(Protocol::USERSOCK).unwrap();
    let good = message(GOOD, NlmFlags::empty(), 1, b"after the flood");
    peer.send_raw_to(Address::port(sock.local_port()), &good)
        .unwrap();
    let (msg, _) = sock.recv_msg().unwrap();
    assert_eq!(&msg.payload()[..15], b"after the flood");
}

#[test]
fn no_enobufs_makes_the_flood_loss_silent() {
    if !net_admin("joins a NETLINK_USERSOCK group") {
        return;
    }
    let mut sock = SocketBuilder::new(Protocol::USERSOCK)
        .recv_buffer(4096, false)
        .no_enobufs(true)
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    sock.join_group(10).unwrap();
    flood(10, 500);
    let mut received = 0;
    loop {
        match sock.recv() {
            Ok(_) => received += 1,
            Err(Error::Timeout) => break,
            Err(err) => panic!("no overrun is reported: {err:?}"),
        }
    }
    assert!((1..500).contains(&received), "{received}");
}
