//! rtnetlink pieces shared by the `socket_*` kernel tests: link and
//! address payloads, a route socket, link-name dumps and a quick way to
//! fill a namespace with addresses.

#![allow(dead_code, reason = "each test file uses its own subset")]

use std::time::Duration;

use netlink_core::{Attrs, Encode, EncodeError, Message, attr};
use netlink_socket::{MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
use netlink_tests::ip;

pub(crate) const RTM_NEWLINK: MessageType = MessageType(16);
pub(crate) const RTM_DELLINK: MessageType = MessageType(17);
pub(crate) const RTM_GETLINK: MessageType = MessageType(18);
pub(crate) const RTM_NEWADDR: MessageType = MessageType(20);
pub(crate) const RTM_GETADDR: MessageType = MessageType(22);
pub(crate) const IFLA_IFNAME: u16 = 3;
pub(crate) const IFLA_LINKINFO: u16 = 18;
pub(crate) const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
pub(crate) const RTNLGRP_LINK: u32 = 1;
pub(crate) const RTNLGRP_IPV4_IFADDR: u32 = 5;

/// An `RTM_*LINK` payload: `ifinfomsg` with an index, an optional name
/// given as bytes, and an optional veth peer.
#[derive(Default)]
pub(crate) struct Link<'a> {
    pub(crate) index: i32,
    pub(crate) name: Option<&'a [u8]>,
    pub(crate) veth_peer: Option<&'a str>,
}

impl Link<'_> {
    /// Returns a request for a veth pair `name` / `peer`.
    pub(crate) fn veth<'a>(name: &'a [u8], peer: &'a str) -> Link<'a> {
        Link {
            index: 0,
            name: Some(name),
            veth_peer: Some(peer),
        }
    }

    /// Returns a request naming the link with index `index`.
    pub(crate) fn index(index: i32) -> Link<'static> {
        Link {
            index,
            ..Link::default()
        }
    }
}

/// Writes an `ifinfomsg`: family, pad, type, index, flags, change mask.
fn ifinfomsg(out: &mut Vec<u8>, index: i32) {
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&index.to_ne_bytes());
    out.extend_from_slice(&[0; 8]);
}

impl Encode for Link<'_> {
    fn encoded_len(&self) -> usize {
        let mut out = Vec::new();
        self.encode(&mut out).map_or(0, |()| out.len())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        ifinfomsg(out, self.index);
        if let Some(name) = self.name {
            let mut value = name.to_vec();
            value.push(0);
            attr::write(out, IFLA_IFNAME, &value)?;
        }
        if let Some(peer) = self.veth_peer {
            attr::write_nest(out, IFLA_LINKINFO, |out| {
                attr::write(out, IFLA_INFO_KIND, "veth")?;
                attr::write_nest(out, IFLA_INFO_DATA, |out| {
                    attr::write_nest(out, VETH_INFO_PEER, |out| {
                        ifinfomsg(out, 0);
                        attr::write(out, IFLA_IFNAME, peer)
                    })
                })
            })?;
        }
        Ok(())
    }
}

/// An `ifaddrmsg` asking for IPv4 addresses (a dump filter).
pub(crate) struct Ipv4Addrs;

impl Encode for Ipv4Addrs {
    fn encoded_len(&self) -> usize {
        8
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[libc::AF_INET as u8, 0, 0, 0, 0, 0, 0, 0]);
        Ok(())
    }
}

/// Returns a route socket that waits at most two seconds for a reply.
pub(crate) fn route_socket() -> Socket {
    SocketBuilder::new(Protocol::ROUTE)
        .reply_timeout(Some(Duration::from_secs(2)))
        .open()
        .unwrap()
}

/// Returns the attributes of a link message (after its `ifinfomsg`).
pub(crate) fn link_attrs<'a>(msg: &Message<'a>) -> Attrs<'a> {
    Attrs::with_base(msg.payload().get(16..).unwrap_or_default(), 32)
}

/// Returns the name in a link message, as bytes without the NUL.
pub(crate) fn link_name(msg: &Message<'_>) -> Option<Vec<u8>> {
    link_attrs(msg)
        .filter_map(Result::ok)
        .find(|a| a.kind() == IFLA_IFNAME)
        .map(|a| {
            a.payload()
                .split(|&b| b == 0)
                .next()
                .unwrap_or_default()
                .to_vec()
        })
}

/// Returns the index in a link message.
pub(crate) fn link_index(msg: &Message<'_>) -> i32 {
    let bytes = msg.payload().get(4..8).expect("an ifinfomsg");
    i32::from_ne_bytes(bytes.try_into().unwrap())
}

/// Dumps the links and returns their names, sorted.
pub(crate) fn link_names(sock: &mut Socket) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut dump = sock
        .dump(RTM_GETLINK, NlmFlags::empty(), &Link::default())
        .unwrap();
    while let Some(msg) = dump.next() {
        names.extend(link_name(&msg.unwrap()));
    }
    names.sort();
    names
}

/// Adds `count` addresses 10.x.y.z/32 to lo with one `ip -batch`.
pub(crate) fn add_addresses(count: u32) {
    let batch: String = (0..count)
        .map(|i| format!("addr add 10.2.{}.{}/32 dev lo\n", i / 250, i % 250 + 1))
        .collect();
    let path = std::env::temp_dir().join(format!(
        "nlt-faults-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, batch).unwrap();
    let result = std::panic::catch_unwind(|| ip(&["-batch", path.to_str().unwrap()]));
    let _ = std::fs::remove_file(&path);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
