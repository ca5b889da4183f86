//! The message header, message types, flags and protocol numbers.
//!
//! ```text
//!  0               4       6       8              12              16
//! +---------------+-------+-------+---------------+---------------+
//! |   nlmsg_len   | type  | flags |   nlmsg_seq   |   nlmsg_pid   |
//! +---------------+-------+-------+---------------+---------------+
//! ```
//!
//! All fields are in host byte order (`struct nlmsghdr`, `netlink(7)`).

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The netlink message header, `struct nlmsghdr`.
///
/// Fields keep the raw wire values; [`NlMsgHdr::message_type`] and
/// [`NlMsgHdr::flags`] give them typed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
#[repr(C)]
pub struct NlMsgHdr {
    /// Length of the message including this header, `nlmsg_len`.
    pub len: u32,
    /// Message type, `nlmsg_type`.
    pub ty: u16,
    /// Flags, `nlmsg_flags`.
    pub flags: u16,
    /// Sequence number, `nlmsg_seq`: whatever the sender wrote.
    pub seq: u32,
    /// Port id the sender wrote, `nlmsg_pid`: not a trusted origin.
    pub pid: u32,
}

const _: () = assert!(core::mem::size_of::<NlMsgHdr>() == crate::align::NLMSG_HDRLEN);

impl NlMsgHdr {
    /// Returns the message type.
    #[must_use]
    pub const fn message_type(&self) -> MessageType {
        MessageType(self.ty)
    }

    /// Returns the flags, unknown bits included.
    #[must_use]
    pub const fn flags(&self) -> NlmFlags {
        NlmFlags::from_bits_retain(self.flags)
    }
}

/// A message type, `nlmsg_type`: a control type below
/// [`MessageType::MIN_TYPE`] or a protocol's own type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MessageType(pub u16);

impl MessageType {
    /// Nothing, to be ignored, `NLMSG_NOOP`.
    pub const NOOP: Self = Self(1);
    /// An error or an acknowledgement, `NLMSG_ERROR`.
    pub const ERROR: Self = Self(2);
    /// The end of a multi-part reply, `NLMSG_DONE`.
    pub const DONE: Self = Self(3);
    /// Data was lost, `NLMSG_OVERRUN`.
    pub const OVERRUN: Self = Self(4);
    /// The first type a protocol may use, `NLMSG_MIN_TYPE`.
    pub const MIN_TYPE: Self = Self(0x10);

    /// Returns whether this is a control type (below `NLMSG_MIN_TYPE`).
    #[must_use]
    pub const fn is_control(self) -> bool {
        self.0 < Self::MIN_TYPE.0
    }

    const fn name(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("NOOP"),
            2 => Some("ERROR"),
            3 => Some("DONE"),
            4 => Some("OVERRUN"),
            _ => None,
        }
    }
}

impl From<u16> for MessageType {
    fn from(value: u16) -> Self {
        Self(value)
    }
}

impl From<MessageType> for u16 {
    fn from(value: MessageType) -> Self {
        value.0
    }
}

impl fmt::Debug for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

bitflags::bitflags! {
    /// Message flags, `nlmsg_flags`, with every `NLM_F_*` bit of
    /// `include/uapi/linux/netlink.h`.
    ///
    /// The upper byte means different things for GET, NEW, DELETE and ACK
    /// requests, so several names share one bit (ROOT, REPLACE, NONREC and
    /// CAPPED are all `0x100`). Unknown bits are kept and print in hex.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NlmFlags: u16 {
        /// It is a request message.
        const REQUEST = 0x01;
        /// A multi-part message, ended by `NLMSG_DONE`.
        const MULTI = 0x02;
        /// Reply with an acknowledgement, success or error.
        const ACK = 0x04;
        /// Echo this request back.
        const ECHO = 0x08;
        /// The dump was inconsistent because the data changed meanwhile.
        const DUMP_INTR = 0x10;
        /// The dump was filtered as requested.
        const DUMP_FILTERED = 0x20;

        /// GET: return the complete table instead of a single entry.
        const ROOT = 0x100;
        /// GET: return all entries matching the criteria.
        const MATCH = 0x200;
        /// GET: return an atomic snapshot of the table.
        const ATOMIC = 0x400;
        /// GET: `ROOT | MATCH`, a dump.
        const DUMP = 0x300;

        /// NEW: replace an existing object.
        const REPLACE = 0x100;
        /// NEW: do not touch an object that already exists.
        const EXCL = 0x200;
        /// NEW: create the object if it does not exist.
        const CREATE = 0x400;
        /// NEW: add to the end of the object list.
        const APPEND = 0x800;

        /// DELETE: do not delete recursively.
        const NONREC = 0x100;
        /// DELETE: delete multiple objects.
        const BULK = 0x200;

        /// ACK: the request payload was left out of the error message.
        const CAPPED = 0x100;
        /// ACK: extended-ack TLVs follow.
        const ACK_TLVS = 0x200;

        // Bits this list does not name are data, not noise.
        const _ = !0;
    }
}

/// A netlink protocol (family) number, the third argument of `socket(2)`.
///
/// Constants cover every `NETLINK_*` protocol of
/// `include/uapi/linux/netlink.h`; any other number is a custom protocol.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Protocol(pub i32);

impl Protocol {
    /// Routing and link configuration, `NETLINK_ROUTE`.
    pub const ROUTE: Self = Self(0);
    /// Unused number, `NETLINK_UNUSED`.
    pub const UNUSED: Self = Self(1);
    /// Reserved for user-space protocols, `NETLINK_USERSOCK`.
    pub const USERSOCK: Self = Self(2);
    /// Obsolete ip_queue interface, `NETLINK_FIREWALL`.
    pub const FIREWALL: Self = Self(3);
    /// Socket monitoring, `NETLINK_SOCK_DIAG`.
    pub const SOCK_DIAG: Self = Self(4);
    /// Old name of [`Protocol::SOCK_DIAG`], `NETLINK_INET_DIAG`.
    pub const INET_DIAG: Self = Self(4);
    /// Netfilter/iptables ULOG, `NETLINK_NFLOG`.
    pub const NFLOG: Self = Self(5);
    /// IPsec, `NETLINK_XFRM`.
    pub const XFRM: Self = Self(6);
    /// SELinux event notifications, `NETLINK_SELINUX`.
    pub const SELINUX: Self = Self(7);
    /// Open-iSCSI, `NETLINK_ISCSI`.
    pub const ISCSI: Self = Self(8);
    /// Auditing, `NETLINK_AUDIT`.
    pub const AUDIT: Self = Self(9);
    /// FIB lookup, `NETLINK_FIB_LOOKUP`.
    pub const FIB_LOOKUP: Self = Self(10);
    /// Kernel connector, `NETLINK_CONNECTOR`.
    pub const CONNECTOR: Self = Self(11);
    /// Netfilter subsystems, `NETLINK_NETFILTER`.
    pub const NETFILTER: Self = Self(12);
    /// Obsolete IPv6 firewall, `NETLINK_IP6_FW`.
    pub const IP6_FW: Self = Self(13);
    /// DECnet routing messages, `NETLINK_DNRTMSG`.
    pub const DNRTMSG: Self = Self(14);
    /// Kernel messages to user space, `NETLINK_KOBJECT_UEVENT`.
    pub const KOBJECT_UEVENT: Self = Self(15);
    /// Generic netlink, `NETLINK_GENERIC`.
    pub const GENERIC: Self = Self(16);
    /// SCSI transports, `NETLINK_SCSITRANSPORT`.
    pub const SCSITRANSPORT: Self = Self(18);
    /// eCryptfs, `NETLINK_ECRYPTFS`.
    pub const ECRYPTFS: Self = Self(19);
    /// RDMA, `NETLINK_RDMA`.
    pub const RDMA: Self = Self(20);
    /// Crypto layer, `NETLINK_CRYPTO`.
    pub const CRYPTO: Self = Self(21);
    /// SMC monitoring, `NETLINK_SMC`.
    pub const SMC: Self = Self(22);

    /// Returns whether the kernel serves this protocol itself, so that every
    /// genuine message comes from port 0. `NETLINK_USERSOCK`, the unused
    /// number and custom numbers may be served by user-space peers.
    #[must_use]
    pub const fn is_kernel(self) -> bool {
        self.name().is_some() && !matches!(self.0, 1 | 2)
    }

    const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "ROUTE",
            1 => "UNUSED",
            2 => "USERSOCK",
            3 => "FIREWALL",
            4 => "SOCK_DIAG",
            5 => "NFLOG",
            6 => "XFRM",
            7 => "SELINUX",
            8 => "ISCSI",
            9 => "AUDIT",
            10 => "FIB_LOOKUP",
            11 => "CONNECTOR",
            12 => "NETFILTER",
            13 => "IP6_FW",
            14 => "DNRTMSG",
            15 => "KOBJECT_UEVENT",
            16 => "GENERIC",
            18 => "SCSITRANSPORT",
            19 => "ECRYPTFS",
            20 => "RDMA",
            21 => "CRYPTO",
            22 => "SMC",
            _ => return None,
        })
    }
}

impl From<i32> for Protocol {
    fn from(value: i32) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "NETLINK_{name}"),
            None => write!(f, "netlink protocol {}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_share_bits() {
        assert_eq!(NlmFlags::ROOT, NlmFlags::REPLACE);
        assert_eq!(NlmFlags::ROOT, NlmFlags::NONREC);
        assert_eq!(NlmFlags::ROOT, NlmFlags::CAPPED);
        assert_eq!(NlmFlags::MATCH, NlmFlags::EXCL);
        assert_eq!(NlmFlags::MATCH, NlmFlags::BULK);
        assert_eq!(NlmFlags::MATCH, NlmFlags::ACK_TLVS);
        assert_eq!(NlmFlags::ATOMIC, NlmFlags::CREATE);
        assert_eq!(NlmFlags::DUMP, NlmFlags::ROOT | NlmFlags::MATCH);
    }

    #[test]
    fn unknown_flag_bits_are_kept_and_printed_in_hex() {
        let flags = NlmFlags::from_bits_retain(0x8001);
        assert_eq!(flags.bits(), 0x8001);
        let text = format!("{flags:?}");
        assert!(text.contains("REQUEST"), "{text}");
        assert!(text.contains("0x8000"), "{text}");
    }

    #[test]
    fn header_reads_typed_fields() {
        let hdr = NlMsgHdr {
            len: 20,
            ty: 3,
            flags: 0x22,
            seq: 7,
            pid: 9,
        };
        assert_eq!(hdr.message_type(), MessageType::DONE);
        assert!(
            hdr.flags()
                .contains(NlmFlags::MULTI | NlmFlags::DUMP_FILTERED)
        );
        assert_eq!(hdr.as_bytes().len(), 16);
    }

    #[test]
    fn control_types_print_by_name_and_others_by_number() {
        assert_eq!(MessageType::ERROR.to_string(), "ERROR");
        assert_eq!(MessageType(16).to_string(), "16");
        assert!(MessageType::OVERRUN.is_control());
        assert!(!MessageType::MIN_TYPE.is_control());
    }

    #[test]
    fn protocols_accept_custom_numbers() {
        assert_eq!(Protocol::ROUTE.to_string(), "NETLINK_ROUTE");
        assert_eq!(Protocol(31).to_string(), "netlink protocol 31");
        assert!(Protocol::ROUTE.is_kernel());
        assert!(!Protocol::USERSOCK.is_kernel());
        assert_eq!(Protocol::INET_DIAG, Protocol::SOCK_DIAG);
    }
}
