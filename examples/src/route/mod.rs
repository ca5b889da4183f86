//! rtnetlink: links and addresses, as `ip link` and `ip addr` see them.
//!
//! A link message is an `ifinfomsg` followed by `IFLA_*` attributes; an
//! address message an `ifaddrmsg` followed by `IFA_*` attributes
//! (`rtnetlink(7)`, `include/uapi/linux/if_link.h`, `if_addr.h`):
//!
//! ```text
//! RTM_NEWLINK: | nlmsghdr | ifinfomsg (16) | IFNAME | MTU | ... | LINKINFO{KIND, DATA{...}} |
//! RTM_NEWADDR: | nlmsghdr | ifaddrmsg (8)  | ADDRESS | LOCAL | LABEL | ...                 |
//! ```
//!
//! The types name the attributes the programs use; every other one is
//! kept in a catch-all, so a dump decodes and encodes back unchanged.
//! Names are read as bytes ([`std::ffi::CStr`]): the kernel accepts
//! interface names that are not UTF-8.

mod addr;
mod link;

pub use addr::{AddrRequest, Address, IfAddrMsg, list_addresses};
pub use link::{
    DelLink, IfInfoMsg, Link, LinkInfo, LinkRequest, NewVeth, Stats64, VethData, VethInfo,
    VethPeer, create_veth, delete_link, flag_names, list_links, operstate_name,
};

use netlink_core::derive_support::RawMessage;
use netlink_derive::NetlinkMessage;
use netlink_socket::MessageType;

/// `RTM_NEWLINK`.
pub const RTM_NEWLINK: MessageType = MessageType(16);
/// `RTM_DELLINK`.
pub const RTM_DELLINK: MessageType = MessageType(17);
/// `RTM_GETLINK`.
pub const RTM_GETLINK: MessageType = MessageType(18);
/// `RTM_NEWADDR`.
pub const RTM_NEWADDR: MessageType = MessageType(20);
/// `RTM_DELADDR`.
pub const RTM_DELADDR: MessageType = MessageType(21);
/// `RTM_GETADDR`.
pub const RTM_GETADDR: MessageType = MessageType(22);
/// `RTNLGRP_LINK`: link notifications.
pub const RTNLGRP_LINK: u32 = 1;

/// The rtnetlink messages the programs receive, keyed by `nlmsg_type`.
#[derive(Debug, Clone, PartialEq, NetlinkMessage)]
#[netlink(message)]
pub enum RouteMessage<'a> {
    /// `RTM_NEWLINK`: a link appeared or changed.
    #[netlink(ty = 16)]
    NewLink(Link<'a>),
    /// `RTM_DELLINK`: a link went away.
    #[netlink(ty = 17)]
    DelLink(Link<'a>),
    /// `RTM_NEWADDR`.
    #[netlink(ty = 20)]
    NewAddr(Address<'a>),
    /// `RTM_DELADDR`.
    #[netlink(ty = 21)]
    DelAddr(Address<'a>),
    /// Anything else, kept as it came.
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

/// Formats a link-layer address: colon-separated hex, as `ip` prints it.
#[must_use]
pub fn hw_address(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}
