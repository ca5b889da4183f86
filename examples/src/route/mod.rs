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
use netlink_socket::{Error, MessageType};

use crate::table::Table;

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

/// Dumps the links and returns them as the table `ip-link` prints:
/// index, name, state, MTU, hardware address, kind and flags. Like `ip`,
/// the flags end with `M-DOWN` when the link a link sits on (`IFLA_LINK`,
/// a veth's peer) is down. Links that do not decode are reported to
/// `bad`.
///
/// # Errors
///
/// Errors of the dump.
pub fn links_table<B>(sock: &mut netlink_socket::Socket, bad: B) -> Result<Table, Error>
where
    B: FnMut(netlink_core::DecodeError),
{
    let mut rows = Vec::new();
    list_links(
        sock,
        |link| {
            rows.push((
                link_row(link),
                link.header.index,
                link.header.flags,
                link.link,
            ));
            Ok(())
        },
        bad,
    )?;
    let up = |index: u32| {
        rows.iter()
            .any(|r| u32::try_from(r.1) == Ok(index) && r.2 & IFF_UP != 0)
    };
    let mut table = Table::new(["INDEX", "NAME", "STATE", "MTU", "ADDRESS", "KIND", "FLAGS"]);
    for (row, _, _, lower) in &rows {
        let mut row = row.clone();
        let lower_known = lower.is_some_and(|l| rows.iter().any(|r| u32::try_from(r.1) == Ok(l)));
        if lower_known && !lower.is_some_and(up) {
            row[6].insert_str(row[6].len() - 1, ",M-DOWN");
        }
        table.row(row);
    }
    Ok(table)
}

/// `IFF_UP`.
const IFF_UP: u32 = 0x1;

fn link_row(link: &Link<'_>) -> [String; 7] {
    [
        link.header.index.to_string(),
        link.name_text(),
        link.state_text().to_owned(),
        link.mtu.map_or_else(|| "-".to_owned(), |m| m.to_string()),
        link.address.map_or_else(|| "-".to_owned(), hw_address),
        link.kind_text().to_owned(),
        format!("<{}>", flag_names(link.header.flags).join(",")),
    ]
}

/// Dumps links and addresses and returns the table `ip-addr` prints: one
/// row per link with its name, state and addresses (`address/prefix`,
/// IPv4 before IPv6, in the kernel's order). Messages that do not decode
/// are reported to `bad`.
///
/// # Errors
///
/// Errors of the dumps.
pub fn addresses_table<B>(sock: &mut netlink_socket::Socket, mut bad: B) -> Result<Table, Error>
where
    B: FnMut(netlink_core::DecodeError),
{
    let mut links: Vec<(i32, String, &'static str, Vec<String>)> = Vec::new();
    list_links(
        sock,
        |l| {
            links.push((l.header.index, l.name_text(), l.state_text(), Vec::new()));
            Ok(())
        },
        &mut bad,
    )?;
    list_addresses(
        sock,
        |a| {
            let index = i32::try_from(a.header.index).unwrap_or(-1);
            let link = links.iter_mut().find(|l| l.0 == index);
            if let (Some(link), Some(cidr)) = (link, a.cidr()) {
                link.3.push(cidr);
            }
            Ok(())
        },
        bad,
    )?;
    let mut table = Table::new(["NAME", "STATE", "ADDRESSES"]);
    for (_, name, state, addresses) in links {
        table.row([name, state.to_owned(), addresses.join(" ")]);
    }
    Ok(table)
}
