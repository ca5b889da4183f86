//! `sock_diag`: TCP and UDP sockets, as `ss -tuan` lists them.
//!
//! A `SOCK_DIAG_BY_FAMILY` dump request carries an `inet_diag_req_v2`
//! (family, protocol, state mask); every reply an `inet_diag_msg`
//! followed by `INET_DIAG_*` attributes (`sock_diag(7)`,
//! `include/uapi/linux/inet_diag.h`). Ports and addresses are in network
//! byte order:
//!
//! ```text
//! inet_diag_sockid (48 bytes):
//! | sport be16 | dport be16 | src 16 bytes | dst 16 bytes | if u32 | cookie 2 x u32 |
//! inet_diag_msg (72 bytes):
//! | family | state | timer | retrans | sockid | expires | rqueue | wqueue | uid | inode |
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_core::derive_support::RawAttr;
use netlink_core::{Decode, DecodeError, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::{Error, MessageType, Socket};

use crate::table::Table;
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `SOCK_DIAG_BY_FAMILY`.
pub const SOCK_DIAG_BY_FAMILY: MessageType = MessageType(20);

/// `TCP_ESTABLISHED` to `TCP_CLOSING`: every state `ss -a` asks for.
const ALL_STATES: u32 = 0xffe;

/// `struct inet_diag_sockid`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct SockId {
    /// `idiag_sport`.
    pub sport: U16<BigEndian>,
    /// `idiag_dport`.
    pub dport: U16<BigEndian>,
    /// `idiag_src`: 4 bytes used for IPv4.
    pub src: [u8; 16],
    /// `idiag_dst`.
    pub dst: [u8; 16],
    /// `idiag_if`: the bound device, 0 for none.
    pub interface: u32,
    /// `idiag_cookie`.
    pub cookie: [u32; 2],
}

/// `struct inet_diag_req_v2`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct InetDiagReqV2 {
    /// `sdiag_family`: `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// `sdiag_protocol`: `IPPROTO_TCP` or `IPPROTO_UDP`.
    pub protocol: u8,
    /// `idiag_ext`: which extension attributes to add.
    pub ext: u8,
    /// Padding.
    pub pad: u8,
    /// `idiag_states`: a bit per TCP state.
    pub states: u32,
    /// `id`: a filter for exact lookups, zero for dumps.
    pub id: SockId,
}

/// `struct inet_diag_msg`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct InetDiagMsg {
    /// `idiag_family`.
    pub family: u8,
    /// `idiag_state`: `TCP_*`, see [`state_name`].
    pub state: u8,
    /// `idiag_timer`.
    pub timer: u8,
    /// `idiag_retrans`.
    pub retrans: u8,
    /// `id`: the addresses and ports.
    pub id: SockId,
    /// `idiag_expires`.
    pub expires: u32,
    /// `idiag_rqueue`: bytes to read, or the accept queue of a listener.
    pub rqueue: u32,
    /// `idiag_wqueue`: bytes to send, or the backlog of a listener.
    pub wqueue: u32,
    /// `idiag_uid`.
    pub uid: u32,
    /// `idiag_inode`.
    pub inode: u32,
}

/// A dump request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, NetlinkMessage)]
pub struct DiagRequest {
    /// The fixed request.
    #[netlink(header)]
    pub req: InetDiagReqV2,
}

/// One socket of the reply.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct DiagMessage<'a> {
    /// The fixed part.
    #[netlink(header)]
    pub msg: InetDiagMsg,
    /// `INET_DIAG_SHUTDOWN`: the shutdown(2) state.
    #[netlink(attr = 8)]
    pub shutdown: Option<u8>,
    /// Every other attribute.
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transport {
    /// `IPPROTO_TCP`.
    Tcp,
    /// `IPPROTO_UDP`.
    Udp,
}

impl Transport {
    const fn number(self) -> u8 {
        match self {
            Self::Tcp => 6,
            Self::Udp => 17,
        }
    }

    /// Returns the name `ss` prints in its `Netid` column.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
        }
    }
}

/// A socket, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InetSocket {
    /// TCP or UDP.
    pub transport: Transport,
    /// `TCP_*` state.
    pub state: u8,
    /// Local address and port.
    pub local: (IpAddr, u16),
    /// Peer address and port.
    pub peer: (IpAddr, u16),
    /// Receive queue.
    pub rqueue: u32,
    /// Send queue.
    pub wqueue: u32,
}

impl InetSocket {
    fn from_msg(transport: Transport, msg: &InetDiagMsg) -> Self {
        let v6 = i32::from(msg.family) == libc::AF_INET6;
        Self {
            transport,
            state: msg.state,
            local: (ip(v6, msg.id.src), msg.id.sport.get()),
            peer: (ip(v6, msg.id.dst), msg.id.dport.get()),
            rqueue: msg.rqueue,
            wqueue: msg.wqueue,
        }
    }

    /// Returns the state as `ss` names it.
    #[must_use]
    pub fn state_text(&self) -> &'static str {
        state_name(self.transport, self.state)
    }
}

/// An address and port as `ss -n` prints them: `1.2.3.4:80`, `[::1]:80`,
/// with `*` for port 0.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint(pub IpAddr, pub u16);

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}:")?,
            IpAddr::V6(a) => write!(f, "[{a}]:")?,
        }
        match self.1 {
            0 => write!(f, "*"),
            port => write!(f, "{port}"),
        }
    }
}

fn ip(v6: bool, bytes: [u8; 16]) -> IpAddr {
    if v6 {
        return IpAddr::V6(Ipv6Addr::from(bytes));
    }
    let [a, b, c, d, ..] = bytes;
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// Returns the name `ss` gives a `TCP_*` state; an unconnected UDP
/// socket (`TCP_CLOSE`) is `UNCONN`.
#[must_use]
pub const fn state_name(transport: Transport, state: u8) -> &'static str {
    match (transport, state) {
        (_, 1) => "ESTAB",
        (_, 2) => "SYN-SENT",
        (_, 3) => "SYN-RECV",
        (_, 4) => "FIN-WAIT-1",
        (_, 5) => "FIN-WAIT-2",
        (_, 6) => "TIME-WAIT",
        (Transport::Udp, 7) => "UNCONN",
        (_, 7) => "CLOSE",
        (_, 8) => "CLOSE-WAIT",
        (_, 9) => "LAST-ACK",
        (_, 10) => "LISTEN",
        (_, 11) => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// Dumps the sockets of one transport and address family and calls
/// `each` with every one; a reply that does not decode goes to `bad`.
///
/// # Errors
///
/// Errors of the dump and of `each`.
pub fn list_sockets<F, B>(
    sock: &mut Socket,
    transport: Transport,
    v6: bool,
    mut each: F,
    mut bad: B,
) -> Result<(), Error>
where
    F: FnMut(InetSocket) -> Result<(), Error>,
    B: FnMut(DecodeError),
{
    let family = if v6 { libc::AF_INET6 } else { libc::AF_INET };
    let request = DiagRequest {
        req: InetDiagReqV2 {
            family: u8::try_from(family).unwrap_or_default(),
            protocol: transport.number(),
            states: ALL_STATES,
            ..InetDiagReqV2::default()
        },
    };
    let mut dump = sock.dump(SOCK_DIAG_BY_FAMILY, NlmFlags::empty(), &request)?;
    while let Some(msg) = dump.next() {
        match DiagMessage::decode(msg?.payload()) {
            Ok(reply) => each(InetSocket::from_msg(transport, &reply.msg))?,
            Err(err) => bad(err),
        }
    }
    Ok(())
}

/// Dumps TCP and UDP sockets of both families and returns the table
/// `ss` prints: netid, state, queues, local and peer endpoints, UDP
/// first as `ss -tuan` does. Replies that do not decode are reported to
/// `bad`.
///
/// # Errors
///
/// Errors of the dumps.
pub fn sockets_table<B>(sock: &mut Socket, mut bad: B) -> Result<Table, Error>
where
    B: FnMut(DecodeError),
{
    let header = ["NETID", "STATE", "RECV-Q", "SEND-Q", "LOCAL", "PEER"];
    let mut table = Table::new(header);
    for transport in [Transport::Udp, Transport::Tcp] {
        for v6 in [false, true] {
            let add = |s: InetSocket| {
                table.row(socket_row(&s));
                Ok(())
            };
            list_sockets(sock, transport, v6, add, &mut bad)?;
        }
    }
    Ok(table)
}

fn socket_row(s: &InetSocket) -> [String; 6] {
    [
        s.transport.name().to_owned(),
        s.state_text().to_owned(),
        s.rqueue.to_string(),
        s.wqueue.to_string(),
        Endpoint(s.local.0, s.local.1).to_string(),
        Endpoint(s.peer.0, s.peer.1).to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_have_the_kernel_sizes() {
        assert_eq!(size_of::<SockId>(), 48);
        assert_eq!(size_of::<InetDiagReqV2>(), 56);
        assert_eq!(size_of::<InetDiagMsg>(), 72);
    }

    #[test]
    fn endpoints_print_as_ss_does() {
        let any4 = Endpoint(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        let lo6 = Endpoint(IpAddr::V6(Ipv6Addr::LOCALHOST), 8080);
        assert_eq!(any4.to_string(), "0.0.0.0:*");
        assert_eq!(lo6.to_string(), "[::1]:8080");
    }
}
