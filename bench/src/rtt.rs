//! Round trips over `NETLINK_USERSOCK`: a request with a u32 payload,
//! answered by an ack from a peer thread. The peer is the same raw loop
//! for every client; only the client side differs.

use std::time::Instant;

use netlink_core::{MessageType, NlmFlags, Protocol};
use netlink_socket::SocketBuilder;

use crate::alloc::allocations;
use crate::report::Table;
use crate::sys::{self, RawSocket};
use crate::tally::Tally;

const PING: u16 = 0x10;
const NLMSG_ERROR: u16 = 2;
const CAPPED: u16 = 0x100;

/// Answers `n` requests on `sock` with a capped success ack each.
fn serve(sock: &RawSocket, n: usize) {
    let port = sock.port().expect("peer port");
    let mut buf = vec![0u8; 64 * 1024];
    for _ in 0..n {
        let (len, from) = sock.recv_from(&mut buf).expect("peer recv");
        let Some(request) = buf.get(..16).filter(|_| len >= 16) else {
            crate::report::abort("round trip: short request");
        };
        let mut ack = [0u8; 36];
        ack[..4].copy_from_slice(&36u32.to_ne_bytes());
        ack[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        ack[6..8].copy_from_slice(&CAPPED.to_ne_bytes());
        ack[8..12].copy_from_slice(&request[8..12]);
        ack[12..16].copy_from_slice(&port.to_ne_bytes());
        ack[20..36].copy_from_slice(request);
        sock.send_to(&ack, from).expect("peer send");
    }
}

type Client = fn(u32, usize) -> Tally;

/// Runs the round-trip workload: `n` round trips per client, `reps`
/// times.
pub(crate) fn run(n: usize, reps: usize, table: &mut Table) {
    let clients: [(&str, Client); 5] = [
        ("raw sendto/recv", raw),
        ("netlink-socket request", ours),
        ("netlink-socket request, one-call receive", ours_one_call),
        ("neli", neli_client),
        ("netlink-sys + netlink-packet-core", packet),
    ];
    let expected = expected(n);
    for _ in 0..reps {
        for (name, client) in clients {
            let peer = RawSocket::open(libc::NETLINK_USERSOCK).expect("peer socket");
            let port = peer.port().expect("peer port");
            let (elapsed, allocs, tally) = std::thread::scope(|s| {
                s.spawn(|| serve(&peer, n));
                let (start, allocs) = (Instant::now(), allocations());
                let tally = client(port, n);
                (start.elapsed(), allocations() - allocs, tally)
            });
            crate::report::check("round trip", name, tally, expected);
            table.record_wall("round trip", name, elapsed, allocs, n as u64);
        }
    }
}

fn expected(n: usize) -> Tally {
    let mut tally = Tally::default();
    (0..n as u32).for_each(|i| {
        tally.item();
        tally.num(u64::from(i));
    });
    tally
}

fn raw(port: u32, n: usize) -> Tally {
    let sock = RawSocket::open(libc::NETLINK_USERSOCK).expect("socket");
    let mut buf = vec![0u8; 64 * 1024];
    let mut request = [0u8; 20];
    request[..4].copy_from_slice(&20u32.to_ne_bytes());
    request[4..6].copy_from_slice(&PING.to_ne_bytes());
    request[6..8].copy_from_slice(&5u16.to_ne_bytes());
    let mut tally = Tally::default();
    for i in 0..n as u32 {
        let seq = i.wrapping_add(1);
        request[8..12].copy_from_slice(&seq.to_ne_bytes());
        request[16..20].copy_from_slice(&i.to_ne_bytes());
        sock.send_to(&request, port).expect("send");
        let len = sock.recv(&mut buf).expect("recv");
        let ack = buf.get(..20).filter(|_| len >= 20).expect("ack");
        let ty = u16::from_ne_bytes([ack[4], ack[5]]);
        let ack_seq = u32::from_ne_bytes(ack[8..12].try_into().expect("4 bytes"));
        let errno = i32::from_ne_bytes(ack[16..20].try_into().expect("4 bytes"));
        if ty != NLMSG_ERROR || errno != 0 || ack_seq != seq {
            crate::report::abort("raw round trip: not our ack");
        }
        tally.item();
        tally.num(u64::from(i));
    }
    tally
}

fn ours(port: u32, n: usize) -> Tally {
    let sock = SocketBuilder::new(Protocol::USERSOCK)
        .peer(port)
        .open()
        .expect("socket");
    requests(sock, n)
}

/// The same client with `one_call_receive`: no size peek before each
/// receive.
fn ours_one_call(port: u32, n: usize) -> Tally {
    let sock = SocketBuilder::new(Protocol::USERSOCK)
        .peer(port)
        .one_call_receive(netlink_socket::RECV_FLOOR)
        .open()
        .expect("socket");
    requests(sock, n)
}

fn requests(mut sock: netlink_socket::Socket, n: usize) -> Tally {
    let mut tally = Tally::default();
    for i in 0..n as u32 {
        let reply = sock
            .request(MessageType(PING), NlmFlags::empty(), &i)
            .expect("request");
        if !reply.is_ack_only() {
            crate::report::abort("netlink-socket round trip: data instead of an ack");
        }
        tally.item();
        tally.num(u64::from(i));
    }
    tally
}

fn neli_client(port: u32, n: usize) -> Tally {
    use neli::consts::nl::NlmF;
    use neli::consts::socket::NlFamily;
    use neli::nl::{NlPayload, NlmsghdrBuilder};
    use neli::socket::synchronous::NlSocketHandle;
    use neli::utils::Groups;

    let sock = NlSocketHandle::connect(NlFamily::Usersock, None, Groups::empty()).expect("socket");
    // neli sends with send(2), which needs a connected socket to reach a
    // user-space peer.
    sys::connect(&sock, port).expect("connect");
    let mut tally = Tally::default();
    for i in 0..n as u32 {
        let seq = i.wrapping_add(1);
        let request = NlmsghdrBuilder::default()
            .nl_type(PING)
            .nl_flags(NlmF::REQUEST | NlmF::ACK)
            .nl_seq(seq)
            .nl_payload(NlPayload::Payload(i))
            .build()
            .expect("request");
        sock.send(&request).expect("send");
        let (mut messages, _) = sock.recv::<u16, neli::types::Buffer>().expect("recv");
        let ack = messages.next().expect("a reply").expect("neli message");
        if !matches!(ack.nl_payload(), NlPayload::Ack(_)) || *ack.nl_seq() != seq {
            crate::report::abort("neli round trip: not our ack");
        }
        tally.item();
        tally.num(u64::from(i));
    }
    tally
}

/// A request payload for `netlink-packet-core`: one u32.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ping(u32);

impl netlink_packet_core::NetlinkSerializable for Ping {
    fn message_type(&self) -> u16 {
        PING
    }

    fn buffer_len(&self) -> usize {
        4
    }

    fn serialize(&self, buffer: &mut [u8]) {
        buffer[..4].copy_from_slice(&self.0.to_ne_bytes());
    }
}

impl netlink_packet_core::NetlinkDeserializable for Ping {
    type Error = netlink_packet_core::DecodeError;

    fn deserialize(
        _header: &netlink_packet_core::NetlinkHeader,
        payload: &[u8],
    ) -> Result<Self, Self::Error> {
        netlink_packet_core::parse_u32(payload).map(Self)
    }
}

impl From<Ping> for netlink_packet_core::NetlinkPayload<Ping> {
    fn from(ping: Ping) -> Self {
        Self::InnerMessage(ping)
    }
}

fn packet(port: u32, n: usize) -> Tally {
    use netlink_packet_core::{
        NLM_F_ACK, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    };
    use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_USERSOCK};

    let mut sock = Socket::new(NETLINK_USERSOCK).expect("socket");
    sock.bind_auto().expect("bind");
    sock.connect(&SocketAddr::new(port, 0)).expect("connect");
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut tally = Tally::default();
    for i in 0..n as u32 {
        let seq = i.wrapping_add(1);
        let mut request = NetlinkMessage::new(NetlinkHeader::default(), Ping(i).into());
        request.header.flags = NLM_F_REQUEST | NLM_F_ACK;
        request.header.sequence_number = seq;
        request.finalize();
        out.resize(request.buffer_len(), 0);
        request.serialize(&mut out);
        sock.send(&out, 0).expect("send");
        let len = sock.recv(&mut &mut buf[..], 0).expect("recv");
        let ack = NetlinkMessage::<Ping>::deserialize(&buf[..len]).expect("ack");
        let NetlinkPayload::Error(err) = &ack.payload else {
            crate::report::abort("netlink-sys round trip: not an ack");
        };
        if err.code.is_some() || ack.header.sequence_number != seq {
            crate::report::abort("netlink-sys round trip: not our ack");
        }
        tally.item();
        tally.num(u64::from(i));
    }
    tally
}
