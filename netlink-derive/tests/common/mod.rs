//! Types shared by the derive's tests: the generic netlink controller and a
//! slice of rtnetlink links, written the way a protocol crate would.

#![allow(dead_code)] // Each test binary uses a different part.

use netlink_core::derive_support::{RawAttr, RawMessage};
use netlink_derive::NetlinkMessage;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `struct genlmsghdr`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub(crate) struct GenlMsgHdr {
    pub(crate) cmd: u8,
    pub(crate) version: u8,
    pub(crate) reserved: u16,
}

/// A `CTRL_CMD_NEWFAMILY` reply, attributes in the order the kernel's
/// `ctrl_fill_info` writes them.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) struct Family<'a> {
    #[netlink(header)]
    pub(crate) header: GenlMsgHdr,
    #[netlink(attr = 2)]
    pub(crate) name: &'a str,
    #[netlink(attr = 1)]
    pub(crate) id: u16,
    #[netlink(attr = 3)]
    pub(crate) version: Option<u32>,
    #[netlink(attr = 4)]
    pub(crate) hdrsize: Option<u32>,
    #[netlink(attr = 5)]
    pub(crate) maxattr: Option<u32>,
    #[netlink(attr = 6, indexed, nested, noflag)]
    pub(crate) ops: Vec<Op>,
    #[netlink(attr = 7, indexed, nested, noflag)]
    pub(crate) groups: Vec<Group<'a>>,
    #[netlink(unknown)]
    pub(crate) rest: Vec<RawAttr<'a>>,
}

/// One entry of `CTRL_ATTR_OPS`.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub(crate) struct Op {
    #[netlink(attr = 1)]
    pub(crate) id: u32,
    #[netlink(attr = 2)]
    pub(crate) flags: Option<u32>,
}

/// One entry of `CTRL_ATTR_MCAST_GROUPS`.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub(crate) struct Group<'a> {
    #[netlink(attr = 2)]
    pub(crate) id: u32,
    #[netlink(attr = 1)]
    pub(crate) name: &'a str,
}

/// A `CTRL_CMD_GETFAMILY` request.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) struct GetFamily<'a> {
    #[netlink(header)]
    pub(crate) header: GenlMsgHdr,
    #[netlink(attr = 2)]
    pub(crate) name: Option<&'a str>,
    #[netlink(attr = 1)]
    pub(crate) id: Option<u16>,
}

/// The controller's messages, keyed by `genlmsghdr.cmd`.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
#[netlink(message)]
pub(crate) enum Ctrl<'a> {
    #[netlink(command = 1)]
    NewFamily(Family<'a>),
    #[netlink(command = 3)]
    GetFamily(GetFamily<'a>),
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

/// `struct ifinfomsg`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub(crate) struct IfInfoMsg {
    pub(crate) family: u8,
    pub(crate) pad: u8,
    pub(crate) kind: u16,
    pub(crate) index: i32,
    pub(crate) flags: u32,
    pub(crate) change: u32,
}

/// Link attributes as an attribute enum: whatever is not named here stays
/// raw, so a dump decodes and encodes back byte for byte.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) enum LinkAttr<'a> {
    #[netlink(attr = 1)]
    Address(&'a [u8]),
    #[netlink(attr = 3)]
    Name(&'a str),
    #[netlink(attr = 4)]
    Mtu(u32),
    #[netlink(attr = 13)]
    TxQueueLen(u32),
    #[netlink(attr = 16)]
    OperState(u8),
    #[netlink(unknown)]
    Other(RawAttr<'a>),
}

/// An `RTM_NEWLINK` kept in wire order.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) struct LinkMessage<'a> {
    #[netlink(header)]
    pub(crate) info: IfInfoMsg,
    #[netlink(unknown)]
    pub(crate) attrs: Vec<LinkAttr<'a>>,
}

/// `IFLA_LINKINFO` content.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) struct LinkInfo<'a> {
    #[netlink(attr = 1)]
    pub(crate) kind: &'a str,
    #[netlink(unknown)]
    pub(crate) rest: Vec<RawAttr<'a>>,
}

/// An `RTM_NEWLINK` as a struct of typed fields.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
pub(crate) struct Link<'a> {
    #[netlink(header)]
    pub(crate) info: IfInfoMsg,
    #[netlink(attr = 3)]
    pub(crate) name: &'a str,
    #[netlink(attr = 4)]
    pub(crate) mtu: Option<u32>,
    #[netlink(attr = 1)]
    pub(crate) address: Option<&'a [u8]>,
    #[netlink(attr = 18, nested)]
    pub(crate) linkinfo: Option<LinkInfo<'a>>,
}

/// Route messages keyed by `nlmsg_type`.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
#[netlink(message)]
pub(crate) enum RouteMessage<'a> {
    #[netlink(ty = 16)]
    NewLink(Link<'a>),
    #[netlink(ty = 17)]
    DelLink(Link<'a>),
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

/// Reads a fixture captured from the kernel by `netlink-core`.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../netlink-core/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}
