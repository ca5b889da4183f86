//! Addresses: `ifaddrmsg` and the `IFA_*` attributes.

use std::net::IpAddr;

use netlink_core::derive_support::RawAttr;
use netlink_core::{Decode, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::{Error, Socket};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::RTM_GETADDR;

/// `struct ifaddrmsg`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct IfAddrMsg {
    /// `ifa_family`: `AF_INET` or `AF_INET6` (`AF_UNSPEC` in a dump
    /// request: both).
    pub family: u8,
    /// `ifa_prefixlen`.
    pub prefixlen: u8,
    /// `ifa_flags`: the low 8 bits of `IFA_F_*` (all of them in
    /// `IFA_FLAGS`).
    pub flags: u8,
    /// `ifa_scope`: `RT_SCOPE_*`.
    pub scope: u8,
    /// `ifa_index`: the interface.
    pub index: u32,
}

/// An address as `RTM_NEWADDR` describes it.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct Address<'a> {
    /// The fixed header.
    #[netlink(header)]
    pub header: IfAddrMsg,
    /// `IFA_ADDRESS`: the prefix address, or the peer on point-to-point
    /// links.
    #[netlink(attr = 1)]
    pub address: Option<IpAddr>,
    /// `IFA_LOCAL`: the local address (IPv4).
    #[netlink(attr = 2)]
    pub local: Option<IpAddr>,
    /// `IFA_LABEL`: the IPv4 label, such as `eth0:1`.
    #[netlink(attr = 3)]
    pub label: Option<&'a str>,
    /// `IFA_FLAGS`: every `IFA_F_*` bit.
    #[netlink(attr = 8)]
    pub flags: Option<u32>,
    /// Every other attribute.
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

impl Address<'_> {
    /// Returns the address `ip` shows: the local one when there is one,
    /// else `IFA_ADDRESS`.
    #[must_use]
    pub fn shown(&self) -> Option<IpAddr> {
        self.local.or(self.address)
    }

    /// Returns `address/prefixlen`, as `ip -br addr` prints it.
    #[must_use]
    pub fn cidr(&self) -> Option<String> {
        self.shown()
            .map(|a| format!("{a}/{}", self.header.prefixlen))
    }
}

/// An `RTM_GETADDR` dump request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, NetlinkMessage)]
pub struct AddrRequest {
    /// The header: family `AF_UNSPEC` (0) asks for every family.
    #[netlink(header)]
    pub header: IfAddrMsg,
}

/// Dumps the addresses of the socket's namespace and calls `each` with
/// every one that decodes; one that does not is handed to `bad` and the
/// dump goes on.
///
/// # Errors
///
/// Errors of the dump, and of `each`.
pub fn list_addresses<F, B>(sock: &mut Socket, mut each: F, mut bad: B) -> Result<(), Error>
where
    F: FnMut(&Address<'_>) -> Result<(), Error>,
    B: FnMut(netlink_core::DecodeError),
{
    let mut dump = sock.dump(RTM_GETADDR, NlmFlags::empty(), &AddrRequest::default())?;
    while let Some(msg) = dump.next() {
        match Address::decode(msg?.payload()) {
            Ok(address) => each(&address)?,
            Err(err) => bad(err),
        }
    }
    Ok(())
}
