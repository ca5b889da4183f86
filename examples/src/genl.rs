//! Generic netlink: the controller's families, operations and groups, and
//! a generic view of any family's notifications.
//!
//! The controller (`nlctrl`, family id `0x10`) describes every family in
//! a `CTRL_CMD_NEWFAMILY` message whose operations and multicast groups
//! are nests of nests numbered 1, 2, ... (`include/uapi/linux/genetlink.h`):
//!
//! ```text
//! | nlmsghdr (type 0x10) | genlmsghdr (cmd 1) | FAMILY_ID | FAMILY_NAME | ...
//!     | OPS { 1 { OP_ID, OP_FLAGS }, 2 { ... } } | MCAST_GROUPS { 1 { NAME, ID } } |
//! ```
//!
//! The types here are written with the derive (`indexed, nested`), the
//! header is the socket crate's [`GenlMsgHdr`].

use netlink_core::derive_support::{RawAttr, RawMessage};
use netlink_core::{Attr, Attrs, Decode, NlmFlags};
use netlink_derive::NetlinkMessage;
use netlink_socket::genl::{GENL_ID_CTRL, GenlMsgHdr};
use netlink_socket::{Error, Socket};

use crate::table::Table;

/// `CTRL_CMD_NEWFAMILY`.
pub const CMD_NEWFAMILY: u8 = 1;
/// `CTRL_CMD_DELFAMILY`.
pub const CMD_DELFAMILY: u8 = 2;
/// `CTRL_CMD_GETFAMILY`.
pub const CMD_GETFAMILY: u8 = 3;
/// `CTRL_CMD_NEWMCAST_GRP`.
pub const CMD_NEWMCAST_GRP: u8 = 7;
/// `CTRL_CMD_DELMCAST_GRP`.
pub const CMD_DELMCAST_GRP: u8 = 8;

/// `GENL_ADMIN_PERM`, `GENL_CMD_CAP_DO`, `GENL_CMD_CAP_DUMP`,
/// `GENL_CMD_CAP_HASPOL` and `GENL_UNS_ADMIN_PERM`, with short names.
const OP_FLAGS: [(u32, &str); 5] = [
    (0x01, "admin"),
    (0x02, "do"),
    (0x04, "dump"),
    (0x08, "policy"),
    (0x10, "ns-admin"),
];

/// One operation of a family (`CTRL_ATTR_OPS` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, NetlinkMessage)]
pub struct Operation {
    /// `CTRL_ATTR_OP_ID`: the command number.
    #[netlink(attr = 1)]
    pub id: u32,
    /// `CTRL_ATTR_OP_FLAGS`: `GENL_*` capability bits.
    #[netlink(attr = 2)]
    pub flags: Option<u32>,
}

impl Operation {
    /// Returns the capabilities as short words joined by `+`: `do`,
    /// `dump`, `admin`...
    #[must_use]
    pub fn flags_text(&self) -> String {
        let flags = self.flags.unwrap_or(0);
        let words: Vec<&str> = OP_FLAGS
            .iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|&(_, name)| name)
            .collect();
        words.join("+")
    }
}

/// One multicast group of a family (`CTRL_ATTR_MCAST_GROUPS` entry).
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct Group<'a> {
    /// `CTRL_ATTR_MCAST_GRP_NAME`.
    #[netlink(attr = 1)]
    pub name: &'a str,
    /// `CTRL_ATTR_MCAST_GRP_ID`: the number to join.
    #[netlink(attr = 2)]
    pub id: u32,
}

/// A family as `CTRL_CMD_NEWFAMILY` describes it.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct Family<'a> {
    /// The generic netlink header.
    #[netlink(header)]
    pub header: GenlMsgHdr,
    /// `CTRL_ATTR_FAMILY_ID`: the message type of its messages.
    #[netlink(attr = 1)]
    pub id: u16,
    /// `CTRL_ATTR_FAMILY_NAME`.
    #[netlink(attr = 2)]
    pub name: &'a str,
    /// `CTRL_ATTR_VERSION`.
    #[netlink(attr = 3)]
    pub version: Option<u32>,
    /// `CTRL_ATTR_HDRSIZE`: the family's own header after `genlmsghdr`.
    #[netlink(attr = 4)]
    pub hdrsize: Option<u32>,
    /// `CTRL_ATTR_MAXATTR`.
    #[netlink(attr = 5)]
    pub maxattr: Option<u32>,
    /// `CTRL_ATTR_OPS`.
    #[netlink(attr = 6, indexed, nested, noflag)]
    pub ops: Vec<Operation>,
    /// `CTRL_ATTR_MCAST_GROUPS`.
    #[netlink(attr = 7, indexed, nested, noflag)]
    pub groups: Vec<Group<'a>>,
    /// Everything else (policies, ...).
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

impl Family<'_> {
    /// Returns the groups as `name(0xid)` joined by commas, or `-`.
    #[must_use]
    pub fn groups_text(&self) -> String {
        if self.groups.is_empty() {
            return "-".to_owned();
        }
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| format!("{}({:#x})", g.name, g.id))
            .collect();
        groups.join(",")
    }
}

/// A `CTRL_CMD_GETFAMILY` request: by name, by id, or (neither, sent as
/// a dump) every family.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct GetFamily<'a> {
    /// The generic netlink header (the command comes from [`Ctrl`]).
    #[netlink(header)]
    pub header: GenlMsgHdr,
    /// `CTRL_ATTR_FAMILY_ID`.
    #[netlink(attr = 1)]
    pub id: Option<u16>,
    /// `CTRL_ATTR_FAMILY_NAME`.
    #[netlink(attr = 2)]
    pub name: Option<&'a str>,
}

/// The controller's messages, keyed by `genlmsghdr.cmd`. Notifications of
/// group `notify` use the same shapes.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
#[netlink(message)]
pub enum Ctrl<'a> {
    /// A family, in a reply or as it registers.
    #[netlink(command = 1)]
    NewFamily(Family<'a>),
    /// A family went away.
    #[netlink(command = 2)]
    DelFamily(Family<'a>),
    /// The request.
    #[netlink(command = 3)]
    GetFamily(GetFamily<'a>),
    /// A family gained a multicast group.
    #[netlink(command = 7)]
    NewGroup(Family<'a>),
    /// A family lost a multicast group.
    #[netlink(command = 8)]
    DelGroup(Family<'a>),
    /// Any other command, kept as it came.
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

/// Dumps every family and calls `each` with every one that decodes; one
/// that does not is handed to `bad` and the dump goes on.
///
/// # Errors
///
/// Errors of the dump and of `each`.
pub fn list_families<F, B>(sock: &mut Socket, mut each: F, mut bad: B) -> Result<(), Error>
where
    F: FnMut(&Family<'_>) -> Result<(), Error>,
    B: FnMut(netlink_core::DecodeError),
{
    let request = Ctrl::GetFamily(GetFamily {
        header: GenlMsgHdr::new(CMD_GETFAMILY, 2),
        id: None,
        name: None,
    });
    let mut dump = sock.dump(GENL_ID_CTRL, NlmFlags::empty(), &request)?;
    while let Some(msg) = dump.next() {
        match Ctrl::decode(msg?.payload()) {
            Ok(Ctrl::NewFamily(family)) => each(&family)?,
            Ok(_) => {}
            Err(err) => bad(err),
        }
    }
    Ok(())
}

/// Describes a controller notification in one line.
#[must_use]
pub fn describe_ctrl(ctrl: &Ctrl<'_>) -> String {
    match ctrl {
        Ctrl::NewFamily(f) => format!("new family {} id {:#x}", f.name, f.id),
        Ctrl::DelFamily(f) => format!("deleted family {} id {:#x}", f.name, f.id),
        Ctrl::NewGroup(f) => format!("new group of {}: {}", f.name, f.groups_text()),
        Ctrl::DelGroup(f) => format!("deleted group of {}: {}", f.name, f.groups_text()),
        Ctrl::GetFamily(_) => "get family".to_owned(),
        Ctrl::Other(raw) => format!("controller command {}", raw.ty),
    }
}

/// Describes the payload of any generic netlink message in one line:
/// the command, then `type=value` for each attribute, the value shown as
/// a number when it is 1, 2, 4 or 8 bytes long, as text when it is a
/// NUL-terminated printable string, as `{...}` for a nest, and in hex
/// otherwise. `hdrsize` bytes of family header are skipped.
///
/// # Errors
///
/// A decode error for a payload shorter than the headers or attributes
/// that are not well formed.
pub fn describe_any(payload: &[u8], hdrsize: usize) -> Result<String, netlink_core::DecodeError> {
    let (header, attrs) = GenlMsgHdr::split(payload)?;
    let attrs = attrs.get(hdrsize..).unwrap_or_default();
    let mut line = format!("cmd {}", header.cmd);
    for attr in Attrs::new(attrs) {
        let attr = attr?;
        line.push_str(&format!(" {}={}", attr.kind(), value_text(&attr)));
    }
    Ok(line)
}

fn value_text(attr: &Attr<'_>) -> String {
    let bytes = attr.payload();
    if let Some(text) = printable(bytes) {
        return text.to_owned();
    }
    match bytes.len() {
        1 => u8::decode(bytes).map(|v| v.to_string()).unwrap_or_default(),
        2 => u16::decode(bytes)
            .map(|v| v.to_string())
            .unwrap_or_default(),
        4 => u32::decode(bytes)
            .map(|v| v.to_string())
            .unwrap_or_default(),
        8 => u64::decode(bytes)
            .map(|v| v.to_string())
            .unwrap_or_default(),
        _ if attr.is_nested() => "{...}".to_owned(),
        _ => bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Returns the text of a NUL-terminated string of printable ASCII of at
/// least two characters.
fn printable(bytes: &[u8]) -> Option<&str> {
    let (last, text) = bytes.split_last()?;
    let printable = text.len() >= 2 && text.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    (*last == 0 && printable)
        .then(|| std::str::from_utf8(text).ok())
        .flatten()
}

/// Dumps the families and returns the table `genl-list` prints: id,
/// name, version, header size, attribute count, groups and operations.
/// With `verbose`, the operations column lists each command with its
/// capabilities (`3:do+dump+policy`) instead of their number. Families
/// that do not decode are reported to `bad`.
///
/// # Errors
///
/// Errors of the dump.
pub fn families_table<B>(sock: &mut Socket, verbose: bool, bad: B) -> Result<Table, Error>
where
    B: FnMut(netlink_core::DecodeError),
{
    let header = [
        "ID", "NAME", "VERSION", "HDRSIZE", "MAXATTR", "GROUPS", "OPS",
    ];
    let mut table = Table::new(header);
    list_families(
        sock,
        |family| {
            table.row(family_row(family, verbose));
            Ok(())
        },
        bad,
    )?;
    Ok(table)
}

fn family_row(family: &Family<'_>, verbose: bool) -> [String; 7] {
    let number = |n: Option<u32>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    let ops = if verbose {
        let ops: Vec<String> = family
            .ops
            .iter()
            .map(|op| format!("{}:{}", op.id, op.flags_text()))
            .collect();
        ops.join(",")
    } else {
        family.ops.len().to_string()
    };
    [
        format!("{:#x}", family.id),
        family.name.to_owned(),
        number(family.version),
        number(family.hdrsize),
        number(family.maxattr),
        family.groups_text(),
        ops,
    ]
}
