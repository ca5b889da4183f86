//! RTM_GETROUTE over IPv4 routes in one table: table, destination, prefix
//! length and output interface of every route, through each library.

use std::net::Ipv4Addr;

use netlink_core::{Decode, MessageType, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::Socket;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{Dumper, RAW_BUFFER, attrs, ne_u32, raw_dump, raw_request};
use crate::report::Table;
use crate::tally::Tally;

const RTM_GETROUTE: u16 = 26;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_TABLE: u16 = 15;
/// The table the routes go to.
const TABLE: u32 = 100;

fn tally_route(tally: &mut Tally, table: u32, dst_len: u8, dst: u32, oif: u32) {
    tally.item();
    tally.num(u64::from(table));
    tally.num(u64::from(dst_len));
    tally.num(u64::from(dst));
    tally.num(u64::from(oif));
}

/// Creates a veth pair and `routes` /32 routes through it in table 100
/// with `ip -batch`.
pub(crate) fn setup(routes: usize) {
    let link = [
        "link add ra type veth peer name rb".to_owned(),
        "link set ra up".to_owned(),
        "link set rb up".to_owned(),
    ];
    let adds = (0..routes).map(|i| {
        let a = Ipv4Addr::from(0x0a00_0000 | i as u32);
        format!("route add {a}/32 dev ra table {TABLE}")
    });
    super::ip_batch(link.into_iter().chain(adds));
}

/// Runs the route dump workload (inside the namespace).
pub(crate) fn run(reps: usize, table: &mut Table) {
    let dumpers: [Dumper; 6] = [
        ("raw header walk", raw_walk),
        ("raw + hand-written decode", raw_decode),
        ("netlink-socket + derive", ours),
        ("netlink-socket + derive, one-call receive", ours_one_call),
        ("neli", neli_dump),
        ("netlink-sys + netlink-packet-route", packet),
    ];
    let args = &["route", "show", "table", "100"][..];
    super::measure(
        "route dump",
        &dumpers,
        ("ip route show", args, "dev"),
        reps,
        table,
    );
}

/// `struct rtmsg` asking for IPv4 routes.
fn request() -> Vec<u8> {
    raw_request(
        RTM_GETROUTE,
        &[libc::AF_INET as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    )
}

fn raw_walk() -> Tally {
    let mut tally = Tally::default();
    let mut buf = vec![0; RAW_BUFFER];
    raw_dump(&request(), &mut buf, |_| tally.item());
    tally
}

fn raw_decode() -> Tally {
    let mut tally = Tally::default();
    let mut buf = vec![0; RAW_BUFFER];
    raw_dump(&request(), &mut buf, |msg| {
        let Some(rtm) = msg.get(16..28) else {
            crate::report::abort("route message shorter than rtmsg");
        };
        let (mut table, mut dst, mut oif) = (u32::from(rtm[4]), 0, 0);
        for (ty, payload) in attrs(&msg[28..]) {
            match ty {
                RTA_TABLE => table = ne_u32(payload),
                RTA_DST => dst = payload.try_into().map_or(0, u32::from_be_bytes),
                RTA_OIF => oif = ne_u32(payload),
                _ => {}
            }
        }
        tally_route(&mut tally, table, rtm[1], dst, oif);
    });
    tally
}

// ----- this framework ------------------------------------------------------

/// `struct rtmsg`.
#[derive(Debug, Clone, Copy, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct RtMsg {
    family: u8,
    dst_len: u8,
    src_len: u8,
    tos: u8,
    table: u8,
    protocol: u8,
    scope: u8,
    kind: u8,
    flags: u32,
}
netlink_core::pod_value!(RtMsg);

#[derive(Debug, NetlinkMessage)]
struct Route {
    #[netlink(header)]
    header: RtMsg,
    #[netlink(attr = 15)]
    table: Option<u32>,
    #[netlink(attr = 1)]
    dst: Option<Ipv4Addr>,
    #[netlink(attr = 4)]
    oif: Option<u32>,
}

fn ours() -> Tally {
    dump_with(super::socket())
}

fn ours_one_call() -> Tally {
    dump_with(super::one_call_socket())
}

fn dump_with(mut sock: Socket) -> Tally {
    let mut tally = Tally::default();
    let request = RtMsg {
        family: libc::AF_INET as u8,
        ..RtMsg::default()
    };
    let mut dump = sock
        .dump(MessageType(RTM_GETROUTE), NlmFlags::empty(), &request)
        .expect("dump");
    while let Some(msg) = dump.next() {
        let msg = msg.expect("dump message");
        let route = Route::decode(msg.payload()).expect("route");
        let table = route.table.unwrap_or(u32::from(route.header.table));
        let dst = route.dst.map_or(0, u32::from);
        tally_route(
            &mut tally,
            table,
            route.header.dst_len,
            dst,
            route.oif.unwrap_or(0),
        );
    }
    tally
}

// ----- neli ----------------------------------------------------------------

fn neli_dump() -> Tally {
    use neli::attr::Attribute;
    use neli::consts::nl::NlmF;
    use neli::consts::rtnl::{RtAddrFamily, RtScope, RtTable, Rta, Rtm, Rtn, Rtprot};
    use neli::consts::socket::NlFamily;
    use neli::nl::{NlPayload, NlmsghdrBuilder};
    use neli::rtnl::{Rtmsg, RtmsgBuilder};
    use neli::socket::synchronous::NlSocketHandle;
    use neli::utils::Groups;

    let sock = NlSocketHandle::connect(NlFamily::Route, None, Groups::empty()).expect("socket");
    let rtmsg = RtmsgBuilder::default()
        .rtm_family(RtAddrFamily::Inet)
        .rtm_dst_len(0)
        .rtm_src_len(0)
        .rtm_tos(0)
        .rtm_table(RtTable::Unspec)
        .rtm_protocol(Rtprot::Unspec)
        .rtm_scope(RtScope::Universe)
        .rtm_type(Rtn::Unspec)
        .build()
        .expect("rtmsg");
    let request = NlmsghdrBuilder::default()
        .nl_type(Rtm::Getroute)
        .nl_flags(NlmF::REQUEST | NlmF::DUMP)
        .nl_payload(NlPayload::Payload(rtmsg))
        .build()
        .expect("request");
    sock.send(&request).expect("send");
    let mut tally = Tally::default();
    loop {
        let (messages, _) = sock.recv::<Rtm, Rtmsg>().expect("recv");
        for msg in messages {
            let msg = msg.expect("neli message");
            let route = match msg.nl_payload() {
                NlPayload::Payload(route) => route,
                NlPayload::DumpExtAck(_) | NlPayload::Empty => return tally,
                other => panic!("unexpected reply: {other:?}"),
            };
            let (mut table, mut dst, mut oif) = (u32::from(u8::from(*route.rtm_table())), 0, 0);
            for attr in route.rtattrs().iter() {
                match attr.rta_type() {
                    Rta::Table => table = attr.get_payload_as().expect("table"),
                    Rta::Dst => {
                        let bytes: &[u8] = attr.payload().as_ref();
                        dst = bytes.try_into().map_or(0, u32::from_be_bytes);
                    }
                    Rta::Oif => oif = attr.get_payload_as().expect("oif"),
                    _ => {}
                }
            }
            tally_route(&mut tally, table, *route.rtm_dst_len(), dst, oif);
        }
    }
}

// ----- netlink-sys and netlink-packet-route --------------------------------

fn packet() -> Tally {
    use netlink_packet_core::{
        NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    };
    use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage};
    use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

    let mut message = RouteMessage::default();
    message.header.address_family = AddressFamily::Inet;
    let mut request = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(RouteNetlinkMessage::GetRoute(message)),
    );
    request.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    request.finalize();
    let mut tally = Tally::default();
    super::packet_dump(&request, |msg| {
        let NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(route)) = msg.payload else {
            panic!("unexpected reply: {msg:?}");
        };
        let (mut table, mut dst, mut oif) = (u32::from(route.header.table), 0, 0);
        for attr in route.attributes {
            match attr {
                RouteAttribute::Table(t) => table = t,
                RouteAttribute::Destination(RouteAddress::Inet(a)) => dst = u32::from(a),
                RouteAttribute::Oif(o) => oif = o,
                _ => {}
            }
        }
        tally_route(
            &mut tally,
            table,
            route.header.destination_prefix_length,
            dst,
            oif,
        );
    });
    tally
}
