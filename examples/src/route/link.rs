//! Links: `ifinfomsg` and the `IFLA_*` attributes.

use std::ffi::CStr;

use netlink_core::derive_support::RawAttr;
use netlink_core::{Decode, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::{Error, Socket};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK};

/// `struct ifinfomsg`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct IfInfoMsg {
    /// `ifi_family`: `AF_UNSPEC`.
    pub family: u8,
    /// Padding.
    pub pad: u8,
    /// `ifi_type`: the `ARPHRD_*` hardware type.
    pub kind: u16,
    /// `ifi_index`: the interface index (0 in requests by name).
    pub index: i32,
    /// `ifi_flags`: `IFF_*`.
    pub flags: u32,
    /// `ifi_change`: which flags a request changes.
    pub change: u32,
}

/// `struct rtnl_link_stats64`, the `IFLA_STATS64` attribute. Older
/// kernels send fewer fields: the missing ones read as zero.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
#[allow(
    missing_docs,
    reason = "the fields are the kernel's counters, named as in if_link.h"
)]
pub struct Stats64 {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
    pub tx_aborted_errors: u64,
    pub tx_carrier_errors: u64,
    pub tx_fifo_errors: u64,
    pub tx_heartbeat_errors: u64,
    pub tx_window_errors: u64,
    pub rx_compressed: u64,
    pub tx_compressed: u64,
    pub rx_nohandler: u64,
    pub rx_otherhost_dropped: u64,
}

netlink_core::pod_value!(Stats64);

/// `IFLA_LINKINFO`: the kind of a virtual link and its settings.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct LinkInfo<'a> {
    /// `IFLA_INFO_KIND`, such as `veth` or `bridge`.
    #[netlink(attr = 1)]
    pub kind: Option<&'a str>,
    /// `IFLA_INFO_DATA` and the rest, whose layout depends on the kind.
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

/// A link as `RTM_NEWLINK` describes it.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub struct Link<'a> {
    /// The fixed header.
    #[netlink(header)]
    pub header: IfInfoMsg,
    /// `IFLA_ADDRESS`: the hardware address.
    #[netlink(attr = 1)]
    pub address: Option<&'a [u8]>,
    /// `IFLA_IFNAME`.
    #[netlink(attr = 3)]
    pub name: Option<&'a CStr>,
    /// `IFLA_MTU`.
    #[netlink(attr = 4)]
    pub mtu: Option<u32>,
    /// `IFLA_LINK`: the index of the link this one sits on (a veth's peer).
    #[netlink(attr = 5)]
    pub link: Option<u32>,
    /// `IFLA_MASTER`: the index of the bridge or bond holding it.
    #[netlink(attr = 10)]
    pub master: Option<u32>,
    /// `IFLA_OPERSTATE`: RFC 2863 state, see [`operstate_name`].
    #[netlink(attr = 16)]
    pub operstate: Option<u8>,
    /// `IFLA_LINKINFO` (sent by rtnetlink without `NLA_F_NESTED`).
    #[netlink(attr = 18, nested)]
    pub linkinfo: Option<LinkInfo<'a>>,
    /// `IFLA_STATS64`.
    #[netlink(attr = 23)]
    pub stats64: Option<Stats64>,
    /// Every other attribute.
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

impl Link<'_> {
    /// Returns the name, lossily converted to text.
    #[must_use]
    pub fn name_text(&self) -> String {
        self.name
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }

    /// Returns the operational state's name.
    #[must_use]
    pub fn state_text(&self) -> &'static str {
        operstate_name(self.operstate.unwrap_or(0))
    }

    /// Returns `IFLA_INFO_KIND`, or `-`.
    #[must_use]
    pub fn kind_text(&self) -> &str {
        self.linkinfo.as_ref().and_then(|i| i.kind).unwrap_or("-")
    }
}

/// Returns the name `ip` gives an `IF_OPER_*` state.
#[must_use]
pub const fn operstate_name(state: u8) -> &'static str {
    match state {
        1 => "NOTPRESENT",
        2 => "DOWN",
        3 => "LOWERLAYERDOWN",
        4 => "TESTING",
        5 => "DORMANT",
        6 => "UP",
        _ => "UNKNOWN",
    }
}

/// `IFF_*` bits with the names `ip` prints, in its order.
const FLAG_NAMES: [(u32, &str); 18] = [
    (0x8, "LOOPBACK"),
    (0x2, "BROADCAST"),
    (0x10, "POINTOPOINT"),
    (0x1000, "MULTICAST"),
    (0x80, "NOARP"),
    (0x200, "ALLMULTI"),
    (0x100, "PROMISC"),
    (0x20, "NOTRAILERS"),
    (0x4, "DEBUG"),
    (0x8000, "DYNAMIC"),
    (0x4000, "AUTOMEDIA"),
    (0x2000, "PORTSEL"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x1, "UP"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
    (0x40000, "ECHO"),
];

/// Returns the flag names `ip link` prints for `ifi_flags`: `NO-CARRIER`
/// for a link that is up but not running, then the named bits, then any
/// unknown bits in hex.
#[must_use]
pub fn flag_names(flags: u32) -> Vec<String> {
    const UP: u32 = 0x1;
    const RUNNING: u32 = 0x40;
    let mut names = Vec::new();
    if flags & UP != 0 && flags & RUNNING == 0 {
        names.push("NO-CARRIER".to_owned());
    }
    let mut left = flags & !RUNNING;
    for (bit, name) in FLAG_NAMES {
        if left & bit != 0 {
            names.push(name.to_owned());
            left &= !bit;
        }
    }
    if left != 0 {
        names.push(format!("{left:#x}"));
    }
    names
}

/// An `RTM_GETLINK` dump request: the header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, NetlinkMessage)]
pub struct LinkRequest {
    /// The fixed header, all zero for a dump of every link.
    #[netlink(header)]
    pub header: IfInfoMsg,
}

/// `VETH_INFO_PEER`: the peer's own `ifinfomsg` and attributes.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct VethPeer<'a> {
    /// The peer's header.
    #[netlink(header)]
    pub header: IfInfoMsg,
    /// The peer's `IFLA_IFNAME`.
    #[netlink(attr = 3, max_len = 16)]
    pub name: &'a str,
}

/// `IFLA_INFO_DATA` of a veth.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct VethData<'a> {
    /// `VETH_INFO_PEER`.
    #[netlink(attr = 1, nested)]
    pub peer: VethPeer<'a>,
}

/// `IFLA_LINKINFO` of a veth.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct VethInfo<'a> {
    /// `IFLA_INFO_KIND`: `veth`.
    #[netlink(attr = 1)]
    pub kind: &'a str,
    /// `IFLA_INFO_DATA`.
    #[netlink(attr = 2, nested)]
    pub data: VethData<'a>,
}

/// An `RTM_NEWLINK` request that creates a veth pair.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct NewVeth<'a> {
    /// The header, all zero.
    #[netlink(header)]
    pub header: IfInfoMsg,
    /// `IFLA_IFNAME`: at most 15 bytes and the NUL.
    #[netlink(attr = 3, max_len = 16)]
    pub name: &'a str,
    /// `IFLA_MTU`.
    #[netlink(attr = 4)]
    pub mtu: Option<u32>,
    /// `IFLA_LINKINFO`.
    #[netlink(attr = 18, nested)]
    pub linkinfo: VethInfo<'a>,
}

impl<'a> NewVeth<'a> {
    /// Returns the request for the pair `name` and `peer`.
    #[must_use]
    pub fn new(name: &'a str, peer: &'a str) -> Self {
        let peer = VethPeer {
            header: IfInfoMsg::default(),
            name: peer,
        };
        Self {
            header: IfInfoMsg::default(),
            name,
            mtu: None,
            linkinfo: VethInfo {
                kind: "veth",
                data: VethData { peer },
            },
        }
    }
}

/// An `RTM_DELLINK` request by name.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct DelLink<'a> {
    /// The header, index 0: the name says which link.
    #[netlink(header)]
    pub header: IfInfoMsg,
    /// `IFLA_IFNAME`.
    #[netlink(attr = 3, max_len = 16)]
    pub name: &'a str,
}

/// Dumps every link of the socket's namespace and calls `each` with
/// every one that decodes, in the kernel's order; one that does not is
/// handed to `bad` and the dump goes on.
///
/// # Errors
///
/// Errors of the dump, and of `each`.
pub fn list_links<F, B>(sock: &mut Socket, mut each: F, mut bad: B) -> Result<(), Error>
where
    F: FnMut(&Link<'_>) -> Result<(), Error>,
    B: FnMut(netlink_core::DecodeError),
{
    let mut dump = sock.dump(RTM_GETLINK, NlmFlags::empty(), &LinkRequest::default())?;
    while let Some(msg) = dump.next() {
        match Link::decode(msg?.payload()) {
            Ok(link) => each(&link)?,
            Err(err) => bad(err),
        }
    }
    Ok(())
}

/// Creates the veth pair `name` and `peer` (`RTM_NEWLINK` with
/// `NLM_F_CREATE | NLM_F_EXCL`) and waits for the kernel's ack.
///
/// # Errors
///
/// [`Error::Kernel`]: `EPERM` without `CAP_NET_ADMIN`, `EEXIST` when a
/// name is taken, with the kernel's extended-ack text.
pub fn create_veth(
    sock: &mut Socket,
    name: &str,
    peer: &str,
    mtu: Option<u32>,
) -> Result<(), Error> {
    let mut request = NewVeth::new(name, peer);
    request.mtu = mtu;
    let flags = NlmFlags::CREATE | NlmFlags::EXCL;
    sock.request(RTM_NEWLINK, flags, &request).map(drop)
}

/// Deletes link `name` (`RTM_DELLINK`); for a veth, the peer goes too.
///
/// # Errors
///
/// [`Error::Kernel`]: `EPERM` without `CAP_NET_ADMIN`, `ENODEV` for an
/// unknown name.
pub fn delete_link(sock: &mut Socket, name: &str) -> Result<(), Error> {
    let request = DelLink {
        header: IfInfoMsg::default(),
        name,
    };
    sock.request(RTM_DELLINK, NlmFlags::empty(), &request)
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_core::{Attrs, Encode};

    #[test]
    fn veth_request_nests_the_peer_with_its_own_header() {
        let mut out = Vec::new();
        NewVeth::new("a0", "b0").encode(&mut out).unwrap();
        let attrs = Attrs::new(&out[16..]).map(Result::unwrap);
        let info = attrs.last().unwrap();
        assert_eq!(info.kind(), 18);
        let data = info.nested().nth(1).unwrap().unwrap();
        let peer = data.nested().next().unwrap().unwrap();
        let name = Attrs::new(&peer.payload()[16..]).next().unwrap().unwrap();
        assert_eq!(name.payload(), b"b0\0");
    }

    #[test]
    fn flags_read_as_ip_prints_them() {
        assert_eq!(flag_names(0x1_0049), ["LOOPBACK", "UP", "LOWER_UP"]);
        assert_eq!(
            flag_names(0x1003),
            ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]
        );
        assert_eq!(flag_names(0x8000_0000), ["0x80000000"]);
    }
}
