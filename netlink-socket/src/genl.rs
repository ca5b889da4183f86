//! Generic netlink: the family header and the controller.
//!
//! Generic netlink multiplexes many families over `NETLINK_GENERIC`. A
//! family's message type is its id, which the kernel assigns at
//! registration; the controller family `nlctrl` (fixed id
//! [`GENL_ID_CTRL`]) maps names to ids, versions, operations and multicast
//! groups. Every message starts with a [`GenlMsgHdr`]:
//!
//! ```text
//! +------------------+-----+---------+----------+----------------+
//! | nlmsghdr         | cmd | version | reserved | attributes ... |
//! | (type = family)  | u8  | u8      | u16      |                |
//! +------------------+-----+---------+----------+----------------+
//! ```
//!
//! [`Resolver`] asks the controller once per family and caches the answer
//! (`genetlink` docs: ids are stable while the family stays registered).
//!
//! The controller's messages are defined with `#[derive(NetlinkMessage)]`
//! as borrowed wire types; [`Family`] is their owned form, so that a
//! [`Resolver`] can keep it.

use std::collections::HashMap;

use netlink_core::{Decode, DecodeError, Encode, EncodeError, Message, MessageType, NlmFlags};
use netlink_derive::NetlinkMessage;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::error::Error;
use crate::socket::Socket;

/// The generic netlink header, `struct genlmsghdr`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
#[repr(C)]
pub struct GenlMsgHdr {
    /// The command, `cmd`.
    pub cmd: u8,
    /// The family's interface version, `version`.
    pub version: u8,
    /// Reserved, zero.
    pub reserved: u16,
}

/// The length of [`GenlMsgHdr`], `GENL_HDRLEN`.
pub const GENL_HDRLEN: usize = 4;
const _: () = assert!(size_of::<GenlMsgHdr>() == GENL_HDRLEN);

impl GenlMsgHdr {
    /// Returns a header for `cmd` of interface `version`.
    #[must_use]
    pub const fn new(cmd: u8, version: u8) -> Self {
        Self {
            cmd,
            version,
            reserved: 0,
        }
    }

    /// Splits a generic netlink payload into its header and attributes.
    ///
    /// # Errors
    ///
    /// [`netlink_core::DecodeErrorKind::Truncated`] when the payload is
    /// shorter than the header.
    pub fn split(payload: &[u8]) -> Result<(Self, &[u8]), DecodeError> {
        Self::read_from_prefix(payload).map_err(|_| {
            DecodeError::new(
                netlink_core::DecodeErrorKind::Truncated {
                    what: "genlmsghdr",
                    needed: GENL_HDRLEN,
                    found: payload.len(),
                },
                0,
            )
        })
    }
}

/// The controller's fixed family id, `GENL_ID_CTRL`.
pub const GENL_ID_CTRL: MessageType = MessageType(0x10);

/// Controller commands and attributes, `include/uapi/linux/genetlink.h`.
pub mod ctrl {
    /// `CTRL_CMD_NEWFAMILY`: a reply or notification describing a family.
    pub const CMD_NEWFAMILY: u8 = 1;
    /// `CTRL_CMD_DELFAMILY`: a family went away.
    pub const CMD_DELFAMILY: u8 = 2;
    /// `CTRL_CMD_GETFAMILY`: ask for one family by name or id, or dump all.
    pub const CMD_GETFAMILY: u8 = 3;
    /// `CTRL_ATTR_FAMILY_ID` (u16).
    pub const ATTR_FAMILY_ID: u16 = 1;
    /// `CTRL_ATTR_FAMILY_NAME` (string).
    pub const ATTR_FAMILY_NAME: u16 = 2;
    /// `CTRL_ATTR_VERSION` (u32).
    pub const ATTR_VERSION: u16 = 3;
    /// `CTRL_ATTR_HDRSIZE` (u32).
    pub const ATTR_HDRSIZE: u16 = 4;
    /// `CTRL_ATTR_MAXATTR` (u32).
    pub const ATTR_MAXATTR: u16 = 5;
    /// `CTRL_ATTR_OPS`: nests indexed 1, 2, ... of `CTRL_ATTR_OP_*`.
    pub const ATTR_OPS: u16 = 6;
    /// `CTRL_ATTR_MCAST_GROUPS`: nests indexed 1, 2, ... of
    /// `CTRL_ATTR_MCAST_GRP_*`.
    pub const ATTR_MCAST_GROUPS: u16 = 7;
    /// `CTRL_ATTR_OP_ID` (u32).
    pub const ATTR_OP_ID: u16 = 1;
    /// `CTRL_ATTR_OP_FLAGS` (u32).
    pub const ATTR_OP_FLAGS: u16 = 2;
    /// `CTRL_ATTR_MCAST_GRP_NAME` (string).
    pub const ATTR_MCAST_GRP_NAME: u16 = 1;
    /// `CTRL_ATTR_MCAST_GRP_ID` (u32).
    pub const ATTR_MCAST_GRP_ID: u16 = 2;
    /// The controller's interface version we speak.
    pub const VERSION: u8 = 2;
}

/// A `CTRL_CMD_GETFAMILY` request: one family by name, or (with neither
/// set, sent as a dump) every family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetFamily<'a> {
    /// The family's name.
    pub name: Option<&'a str>,
    /// The family's id.
    pub id: Option<u16>,
}

/// The wire form of [`GetFamily`].
#[derive(NetlinkMessage)]
struct GetFamilyWire<'a> {
    #[netlink(header)]
    header: GenlMsgHdr,
    #[netlink(attr = 1)]
    id: Option<u16>,
    #[netlink(attr = 2)]
    name: Option<&'a str>,
}

impl<'a> GetFamily<'a> {
    fn wire(&self) -> GetFamilyWire<'a> {
        GetFamilyWire {
            header: GenlMsgHdr::new(ctrl::CMD_GETFAMILY, ctrl::VERSION),
            id: self.id,
            name: self.name,
        }
    }
}

impl Encode for GetFamily<'_> {
    fn encoded_len(&self) -> usize {
        self.wire().encoded_len()
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.wire().encode(out)
    }
}

/// An operation of a family (`CTRL_ATTR_OPS` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Operation {
    /// The command number, `CTRL_ATTR_OP_ID`.
    pub id: u32,
    /// `GENL_ADMIN_PERM`, `GENL_CMD_CAP_DO`, ... bits, `CTRL_ATTR_OP_FLAGS`.
    pub flags: u32,
}

/// A multicast group of a family (`CTRL_ATTR_MCAST_GROUPS` entry).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct McastGroup {
    /// The group's name, `CTRL_ATTR_MCAST_GRP_NAME`.
    pub name: String,
    /// The group number to join, `CTRL_ATTR_MCAST_GRP_ID`.
    pub id: u32,
}

/// A family as the controller describes it (`CTRL_CMD_NEWFAMILY`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Family {
    /// The id, used as message type, `CTRL_ATTR_FAMILY_ID`.
    pub id: u16,
    /// The name, `CTRL_ATTR_FAMILY_NAME`.
    pub name: String,
    /// The interface version, `CTRL_ATTR_VERSION`.
    pub version: u32,
    /// The size of the family's own header after `genlmsghdr`,
    /// `CTRL_ATTR_HDRSIZE`.
    pub hdrsize: u32,
    /// The highest attribute type, `CTRL_ATTR_MAXATTR`.
    pub maxattr: u32,
    /// The operations, `CTRL_ATTR_OPS`.
    pub operations: Vec<Operation>,
    /// The multicast groups, `CTRL_ATTR_MCAST_GROUPS`.
    pub groups: Vec<McastGroup>,
}

impl Family {
    /// Decodes a `CTRL_CMD_NEWFAMILY` message.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] for a short header, malformed attributes, values of
    /// the wrong size, and a missing id or name.
    pub fn decode(msg: &Message<'_>) -> Result<Self, DecodeError> {
        let wire = FamilyWire::decode(msg.payload())?;
        Ok(Self {
            id: wire.id,
            name: wire.name.to_owned(),
            version: wire.version.unwrap_or(0),
            hdrsize: wire.hdrsize.unwrap_or(0),
            maxattr: wire.maxattr.unwrap_or(0),
            operations: wire.ops.iter().map(OpWire::to_operation).collect(),
            groups: wire.groups.iter().map(GroupWire::to_group).collect(),
        })
    }

    /// Returns the id of the multicast group `name`.
    #[must_use]
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.id)
    }

    /// Returns the message type to send this family's requests with.
    #[must_use]
    pub const fn message_type(&self) -> MessageType {
        MessageType(self.id)
    }
}

/// The wire form of a `CTRL_CMD_NEWFAMILY` payload. The controller writes
/// its nests without `NLA_F_NESTED` (`noflag`), which decoding ignores
/// anyway.
#[derive(NetlinkMessage)]
struct FamilyWire<'a> {
    #[netlink(header)]
    _header: GenlMsgHdr,
    #[netlink(attr = 1)]
    id: u16,
    #[netlink(attr = 2)]
    name: &'a str,
    #[netlink(attr = 3)]
    version: Option<u32>,
    #[netlink(attr = 4)]
    hdrsize: Option<u32>,
    #[netlink(attr = 5)]
    maxattr: Option<u32>,
    #[netlink(attr = 6, indexed, nested, noflag)]
    ops: Vec<OpWire>,
    #[netlink(attr = 7, indexed, nested, noflag)]
    groups: Vec<GroupWire<'a>>,
}

/// The wire form of an operation entry.
#[derive(NetlinkMessage)]
struct OpWire {
    #[netlink(attr = 1)]
    id: u32,
    #[netlink(attr = 2)]
    flags: Option<u32>,
}

impl OpWire {
    fn to_operation(&self) -> Operation {
        Operation {
            id: self.id,
            flags: self.flags.unwrap_or(0),
        }
    }
}

/// The wire form of a multicast group entry.
#[derive(NetlinkMessage)]
struct GroupWire<'a> {
    #[netlink(attr = 1)]
    name: &'a str,
    #[netlink(attr = 2)]
    id: u32,
}

impl GroupWire<'_> {
    fn to_group(&self) -> McastGroup {
        McastGroup {
            name: self.name.to_owned(),
            id: self.id,
        }
    }
}

/// Asks the controller for family `name`.
///
/// # Errors
///
/// [`Error::NotFound`] when no such family is registered (the kernel's
/// `ENOENT`), and errors of [`Socket::request`] and [`Family::decode`].
pub fn get_family(sock: &mut Socket, name: &str) -> Result<Family, Error> {
    let request = GetFamily {
        name: Some(name),
        id: None,
    };
    let reply = match sock.request(GENL_ID_CTRL, NlmFlags::empty(), &request) {
        Err(err) if err.errno() == Some(libc::ENOENT) => return Err(not_found("family", name)),
        other => other?,
    };
    let msg = reply
        .message()
        .ok_or(Error::Protocol("controller answered with an ack only"))?;
    Ok(Family::decode(&msg)?)
}

/// Dumps every registered family.
///
/// # Errors
///
/// Errors of [`Socket::dump_consistent`] and [`Family::decode`].
pub fn families(sock: &mut Socket) -> Result<Vec<Family>, Error> {
    sock.dump_consistent(
        GENL_ID_CTRL,
        NlmFlags::empty(),
        &GetFamily::default(),
        3,
        |msg| Ok(Family::decode(&msg)?),
    )
}

fn not_found(what: &'static str, name: &str) -> Error {
    Error::NotFound {
        what,
        name: name.to_owned(),
    }
}

/// Resolves family and group names through the controller, once each.
///
/// # Examples
///
/// The controller answers any socket, and its `notify` group is open to
/// all, so this needs no privileges:
///
/// ```
/// use netlink_socket::genl::{GENL_ID_CTRL, Resolver};
/// use netlink_socket::{Protocol, Socket};
///
/// let mut sock = Socket::open(Protocol::GENERIC)?;
/// let mut resolver = Resolver::new();
/// let id = resolver.family(&mut sock, "nlctrl")?.id;
/// assert_eq!(id, GENL_ID_CTRL.0, "the controller's id is fixed");
/// let notify = resolver.group(&mut sock, "nlctrl", "notify")?;
/// sock.join_group(notify)?;
/// assert!(sock.groups()?.contains(&notify));
/// assert!(resolver.is_cached("nlctrl"), "asked once, then cached");
/// # Ok::<(), netlink_socket::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Resolver {
    cache: HashMap<String, Family>,
}

impl Resolver {
    /// Returns an empty resolver.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns family `name`, asking the controller on first use.
    ///
    /// # Errors
    ///
    /// As [`get_family`].
    pub fn family(&mut self, sock: &mut Socket, name: &str) -> Result<&Family, Error> {
        if !self.cache.contains_key(name) {
            let family = get_family(sock, name)?;
            self.cache.insert(name.to_owned(), family);
        }
        self.cache
            .get(name)
            .ok_or_else(|| not_found("family", name))
    }

    /// Returns the id of multicast group `group` of family `family`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown family or group, and errors of
    /// [`get_family`].
    pub fn group(&mut self, sock: &mut Socket, family: &str, group: &str) -> Result<u32, Error> {
        self.family(sock, family)?
            .group(group)
            .ok_or_else(|| not_found("group", group))
    }

    /// Returns whether family `name` is cached.
    #[must_use]
    pub fn is_cached(&self, name: &str) -> bool {
        self.cache.contains_key(name)
    }

    /// Forgets family `name`, for example after a `CTRL_CMD_DELFAMILY`
    /// notification: the next lookup asks the controller again.
    pub fn forget(&mut self, name: &str) {
        self.cache.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_core::MessageBuilder;

    fn family_message() -> Vec<u8> {
        let mut buf = Vec::new();
        let mut msg = MessageBuilder::new(&mut buf, GENL_ID_CTRL, NlmFlags::empty());
        msg.family_header(&GenlMsgHdr::new(ctrl::CMD_NEWFAMILY, 2))
            .unwrap();
        msg.attr(ctrl::ATTR_FAMILY_ID, &0x15u16).unwrap();
        msg.attr(ctrl::ATTR_FAMILY_NAME, "ethtool").unwrap();
        msg.attr(ctrl::ATTR_VERSION, &1u32).unwrap();
        let ops = msg.begin_nest(ctrl::ATTR_OPS).unwrap();
        let op = msg.begin_nest(1).unwrap();
        msg.attr(ctrl::ATTR_OP_ID, &3u32).unwrap();
        msg.attr(ctrl::ATTR_OP_FLAGS, &0xau32).unwrap();
        msg.end_nest(op).unwrap();
        msg.end_nest(ops).unwrap();
        let groups = msg.begin_nest(ctrl::ATTR_MCAST_GROUPS).unwrap();
        let grp = msg.begin_nest(1).unwrap();
        msg.attr(ctrl::ATTR_MCAST_GRP_NAME, "monitor").unwrap();
        msg.attr(ctrl::ATTR_MCAST_GRP_ID, &7u32).unwrap();
        msg.end_nest(grp).unwrap();
        msg.end_nest(groups).unwrap();
        msg.finish().unwrap();
        buf
    }

    #[test]
    fn family_reply_decodes_ops_and_groups() {
        let buf = family_message();
        let (msg, _) = Message::parse(&buf).unwrap();
        let family = Family::decode(&msg).unwrap();
        assert_eq!((family.id, family.name.as_str()), (0x15, "ethtool"));
        assert_eq!(family.operations, [Operation { id: 3, flags: 0xa }]);
        assert_eq!(family.group("monitor"), Some(7));
        assert_eq!(family.group("nope"), None);
    }

    #[test]
    fn family_without_id_names_the_missing_attribute() {
        let mut buf = Vec::new();
        let mut msg = MessageBuilder::new(&mut buf, GENL_ID_CTRL, NlmFlags::empty());
        msg.family_header(&GenlMsgHdr::new(1, 2)).unwrap();
        msg.attr(ctrl::ATTR_FAMILY_NAME, "x").unwrap();
        msg.finish().unwrap();
        let (msg, _) = Message::parse(&buf).unwrap();
        let err = Family::decode(&msg).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                netlink_core::DecodeErrorKind::MissingAttribute { kind: 1, .. }
            ),
            "{err}"
        );
    }

    #[test]
    fn truncated_family_attributes_are_errors_not_panics() {
        let buf = family_message();
        for cut in 16..buf.len() {
            let mut short = buf[..cut].to_vec();
            short[..4].copy_from_slice(&u32::try_from(cut).unwrap().to_ne_bytes());
            let (msg, _) = Message::parse(&short).unwrap();
            let _ = Family::decode(&msg);
        }
    }

    #[test]
    fn get_family_encodes_its_declared_length() {
        let req = GetFamily {
            name: Some("netdev"),
            id: Some(3),
        };
        let mut out = Vec::new();
        req.encode(&mut out).unwrap();
        assert_eq!(out.len(), req.encoded_len());
        assert_eq!(&out[..2], &[ctrl::CMD_GETFAMILY, ctrl::VERSION]);
    }
}
