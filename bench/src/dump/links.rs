//! RTM_GETLINK over veth pairs: name, MTU, link kind and 64-bit stats of
//! every link, through each library.

use netlink_core::{Decode, MessageType, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::Socket;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

use super::{Dumper, RAW_BUFFER, attrs, ne_u32, raw_dump, raw_request};
use crate::report::Table;
use crate::tally::Tally;

const RTM_GETLINK: u16 = 18;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINKINFO: u16 = 18;
const IFLA_STATS64: u16 = 23;
const IFLA_INFO_KIND: u16 = 1;

/// Adds one link to `tally`; `stats` are the first four counters of
/// `rtnl_link_stats64` (rx/tx packets, rx/tx bytes).
fn tally_link(tally: &mut Tally, name: &[u8], mtu: u32, kind: &[u8], stats: [u64; 4]) {
    tally.item();
    tally.text(name);
    tally.num(u64::from(mtu));
    tally.text(kind);
    stats.iter().for_each(|&s| tally.num(s));
}

fn stats_of(bytes: &[u8]) -> [u64; 4] {
    core::array::from_fn(|i| {
        bytes
            .get(i * 8..i * 8 + 8)
            .map_or(0, |b| u64::from_ne_bytes(b.try_into().expect("8 bytes")))
    })
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// Creates `pairs` veth pairs in the current namespace with `ip -batch`.
pub(crate) fn setup(pairs: usize) {
    super::ip_batch((0..pairs).map(|i| format!("link add va{i} type veth peer name vb{i}")));
}

/// Runs the link dump workload (inside the namespace).
pub(crate) fn run(reps: usize, table: &mut Table) {
    let dumpers: [Dumper; 6] = [
        ("raw header walk", raw_walk),
        ("raw + hand-written decode", raw_decode),
        ("netlink-socket + derive", ours),
        ("netlink-socket + derive, one-call receive", ours_one_call),
        ("neli", neli_dump),
        ("netlink-sys + netlink-packet-route", packet),
    ];
    let ip = (
        "ip -j link show",
        &["-j", "link", "show"][..],
        "\"ifindex\"",
    );
    super::measure("link dump", &dumpers, ip, reps, table);
}

fn request() -> Vec<u8> {
    raw_request(RTM_GETLINK, &[0; 16])
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
        let (mut name, mut mtu, mut kind, mut stats) = (&[][..], 0, &[][..], [0; 4]);
        for (ty, payload) in attrs(msg.get(32..).unwrap_or_default()) {
            match ty {
                IFLA_IFNAME => name = until_nul(payload),
                IFLA_MTU => mtu = ne_u32(payload),
                IFLA_STATS64 => stats = stats_of(payload),
                IFLA_LINKINFO => {
                    if let Some((_, k)) = attrs(payload).find(|&(t, _)| t == IFLA_INFO_KIND) {
                        kind = until_nul(k);
                    }
                }
                _ => {}
            }
        }
        tally_link(&mut tally, name, mtu, kind, stats);
    });
    tally
}

// ----- this framework ------------------------------------------------------

/// `struct ifinfomsg`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct IfInfoMsg {
    family: u8,
    pad: u8,
    ty: u16,
    index: i32,
    flags: u32,
    change: u32,
}
netlink_core::pod_value!(IfInfoMsg);

/// The first counters of `struct rtnl_link_stats64` (the kernel's struct is
/// longer; a prefix reads as the value rule for structs says).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct Stats64 {
    rx_packets: u64,
    tx_packets: u64,
    rx_bytes: u64,
    tx_bytes: u64,
}
netlink_core::pod_value!(Stats64);

#[derive(Debug, NetlinkMessage)]
struct LinkInfo<'a> {
    #[netlink(attr = 1)]
    kind: Option<&'a [u8]>,
}

#[derive(Debug, NetlinkMessage)]
struct Link<'a> {
    #[netlink(header)]
    header: IfInfoMsg,
    #[netlink(attr = 3)]
    name: &'a [u8],
    #[netlink(attr = 4)]
    mtu: Option<u32>,
    #[netlink(attr = 18, nested)]
    info: Option<LinkInfo<'a>>,
    #[netlink(attr = 23)]
    stats: Option<Stats64>,
}

fn ours() -> Tally {
    dump_with(super::socket())
}

fn ours_one_call() -> Tally {
    dump_with(super::one_call_socket())
}

fn dump_with(mut sock: Socket) -> Tally {
    let mut tally = Tally::default();
    let request = IfInfoMsg::new_zeroed();
    let mut dump = sock
        .dump(MessageType(RTM_GETLINK), NlmFlags::empty(), &request)
        .expect("dump");
    while let Some(msg) = dump.next() {
        let msg = msg.expect("dump message");
        let link = Link::decode(msg.payload()).expect("link");
        let kind = link.info.and_then(|i| i.kind).map_or(&[][..], until_nul);
        let stats = link.stats.map_or([0; 4], |s| {
            [s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes]
        });
        tally_link(
            &mut tally,
            until_nul(link.name),
            link.mtu.unwrap_or(0),
            kind,
            stats,
        );
    }
    tally
}

// ----- neli ----------------------------------------------------------------

fn neli_dump() -> Tally {
    use neli::attr::Attribute;
    use neli::consts::nl::NlmF;
    use neli::consts::rtnl::{Ifla, IflaInfo, RtAddrFamily, Rtm};
    use neli::consts::socket::NlFamily;
    use neli::nl::{NlPayload, NlmsghdrBuilder};
    use neli::rtnl::{Ifinfomsg, IfinfomsgBuilder};
    use neli::socket::synchronous::NlSocketHandle;
    use neli::utils::Groups;

    let sock = NlSocketHandle::connect(NlFamily::Route, None, Groups::empty()).expect("socket");
    let ifinfo = IfinfomsgBuilder::default()
        .ifi_family(RtAddrFamily::Unspecified)
        .build()
        .expect("ifinfomsg");
    let request = NlmsghdrBuilder::default()
        .nl_type(Rtm::Getlink)
        .nl_flags(NlmF::REQUEST | NlmF::DUMP)
        .nl_payload(NlPayload::Payload(ifinfo))
        .build()
        .expect("request");
    sock.send(&request).expect("send");
    let mut tally = Tally::default();
    loop {
        let (messages, _) = sock.recv::<Rtm, Ifinfomsg>().expect("recv");
        for msg in messages {
            let msg = msg.expect("neli message");
            let link = match msg.nl_payload() {
                NlPayload::Payload(link) => link,
                NlPayload::DumpExtAck(_) | NlPayload::Empty => return tally,
                other => panic!("unexpected reply: {other:?}"),
            };
            let (mut name, mut mtu, mut kind, mut stats) = (String::new(), 0, None, [0; 4]);
            for attr in link.rtattrs().iter() {
                match attr.rta_type() {
                    Ifla::Ifname => name = attr.get_payload_as_with_len().expect("name"),
                    Ifla::Mtu => mtu = attr.get_payload_as().expect("mtu"),
                    Ifla::Stats64 => stats = stats_of(attr.payload().as_ref()),
                    Ifla::Linkinfo => {
                        let info = attr.get_attr_handle::<IflaInfo>().expect("linkinfo");
                        kind = info
                            .get_attr_payload_as_with_len::<String>(IflaInfo::Kind)
                            .ok();
                    }
                    _ => {}
                }
            }
            let kind = kind.as_deref().unwrap_or("");
            tally_link(&mut tally, name.as_bytes(), mtu, kind.as_bytes(), stats);
        }
    }
}

// ----- netlink-sys and netlink-packet-route --------------------------------

fn packet() -> Tally {
    use netlink_packet_core::{
        NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    };
    use netlink_packet_route::RouteNetlinkMessage;
    use netlink_packet_route::link::{LinkAttribute, LinkInfo, LinkMessage};

    let mut request = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(RouteNetlinkMessage::GetLink(LinkMessage::default())),
    );
    request.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    request.finalize();
    let mut tally = Tally::default();
    super::packet_dump(&request, |msg| {
        let NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(link)) = msg.payload else {
            panic!("unexpected reply: {msg:?}");
        };
        let (mut name, mut mtu, mut kind, mut stats) = (String::new(), 0, String::new(), [0; 4]);
        for attr in link.attributes {
            match attr {
                LinkAttribute::IfName(n) => name = n,
                LinkAttribute::Mtu(m) => mtu = m,
                LinkAttribute::Stats64(s) => {
                    stats = [s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes];
                }
                LinkAttribute::LinkInfo(infos) => {
                    for info in infos {
                        if let LinkInfo::Kind(k) = info {
                            kind = k.to_string();
                        }
                    }
                }
                _ => {}
            }
        }
        tally_link(&mut tally, name.as_bytes(), mtu, kind.as_bytes(), stats);
    });
    tally
}
