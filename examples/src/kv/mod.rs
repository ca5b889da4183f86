//! `kv`: a small key-value service of our own over `NETLINK_USERSOCK`.
//!
//! `NETLINK_USERSOCK` has no kernel side: it carries messages between user
//! processes, which makes it the place to define a protocol of one's own.
//! A server binds a known port ([`DEFAULT_PORT`]); clients send requests
//! to it; every change is multicast to group [`GROUP`], which monitors
//! join. Serving and asking need no privilege; joining the group does
//! (`CAP_NET_ADMIN`): the kernel lets anyone send to a `NETLINK_USERSOCK`
//! group, but only privileged sockets receive from one.
//!
//! ```text
//! +-----------+----------------------+-------------------------------+
//! | nlmsghdr  | KvHeader (4 bytes)   | attributes                    |
//! | type 16.. | version|pad|table    | KEY, VALUE, TAG*, META{...}   |
//! +-----------+----------------------+-------------------------------+
//! ```
//!
//! | request | type | answer |
//! |---|---|---|
//! | [`SetRequest`] | [`SET`] | ack; [`Entry`] to group [`GROUP`] |
//! | [`KeyRequest`] | [`GET`] | one [`Entry`], then the ack |
//! | [`KeyRequest`] | [`DELETE`] | ack; [`Deleted`] to group [`GROUP`] |
//! | [`DumpRequest`] | [`DUMP`] | an [`Entry`] per key (`NLM_F_MULTI`), then `NLMSG_DONE` |
//!
//! Errors are `NLMSG_ERROR` acks carrying an errno and an extended-ack
//! text: `ENOENT` for a missing key, `ECANCELED` when a compare-and-set
//! revision does not match, `EINVAL` for a request that does not decode
//! (the text is the decode error, which names the attribute and offset),
//! `EOPNOTSUPP` for a message that is not a request, and `EPROTO` for a
//! wrong protocol version.
//!
//! Every kind of field the derive handles appears here: a fixed header
//! ([`KvHeader`]), required attributes (`key`), optional ones
//! (`expect_revision`, `prefix`), a nest ([`Meta`]), repeated attributes
//! (`tags`), length policies, strict requests that refuse unknown
//! attributes, and a message-type enum ([`KvMessage`]) that decodes
//! whatever arrived in one call.

mod client;
mod server;

pub use client::{Client, Monitor, Notification, Record};
pub use server::Server;

use netlink_core::derive_support::RawMessage;
use netlink_derive::NetlinkMessage;
use netlink_socket::Protocol;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The protocol the service speaks on: `NETLINK_USERSOCK`.
pub const PROTOCOL: Protocol = Protocol::USERSOCK;

/// The port a server binds unless told otherwise. It lies far above any
/// PID (at most 2^22), which the kernel gives first sockets, and far below
/// the ports it picks for later ones (counting down from `-4096`).
pub const DEFAULT_PORT: u32 = 0x4b56_0001;

/// The multicast group change notifications go to.
pub const GROUP: u32 = 1;

/// The protocol version this module speaks.
pub const VERSION: u8 = 1;

/// `SET`: store a value under a key.
pub const SET: u16 = 16;
/// `GET`: read one key.
pub const GET: u16 = 17;
/// `DELETE`: remove one key.
pub const DELETE: u16 = 18;
/// `DUMP`: read every key of a table (sent with `NLM_F_DUMP`).
pub const DUMP: u16 = 19;
/// `ENTRY`: a key with its value, in replies and notifications.
pub const ENTRY: u16 = 20;
/// `DELETED`: the notification that a key went away.
pub const DELETED: u16 = 21;

/// The longest key, in bytes, NUL included.
pub const MAX_KEY: usize = 256;
/// The longest value, in bytes.
pub const MAX_VALUE: usize = 4096;

/// The fixed header of every message.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct KvHeader {
    /// The protocol version, [`VERSION`].
    pub version: u8,
    /// Zero.
    pub pad: u8,
    /// The table: keys of different tables are independent.
    pub table: u16,
}

impl KvHeader {
    /// Returns the header for `table` in the current version.
    #[must_use]
    pub const fn new(table: u16) -> Self {
        Self {
            version: VERSION,
            pad: 0,
            table,
        }
    }
}

/// A `SET` request. Strict: an attribute it does not know is an error.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
#[netlink(strict)]
pub struct SetRequest<'a> {
    /// The header.
    #[netlink(header)]
    pub header: KvHeader,
    /// The key (required).
    #[netlink(attr = 1, min_len = 2, max_len = 256)]
    pub key: &'a str,
    /// The value (required).
    #[netlink(attr = 2, max_len = 4096)]
    pub value: &'a [u8],
    /// Labels stored with the value, one attribute each.
    #[netlink(attr = 3, max_len = 64)]
    pub tags: Vec<&'a str>,
    /// Compare and set: store only if the key's revision is this one (0
    /// for "the key must not exist").
    #[netlink(attr = 5)]
    pub expect_revision: Option<u64>,
}

/// A `GET` or `DELETE` request. Strict.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
#[netlink(strict)]
pub struct KeyRequest<'a> {
    /// The header.
    #[netlink(header)]
    pub header: KvHeader,
    /// The key (required).
    #[netlink(attr = 1, min_len = 2, max_len = 256)]
    pub key: &'a str,
}

/// A `DUMP` request. Strict.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
#[netlink(strict)]
pub struct DumpRequest<'a> {
    /// The header.
    #[netlink(header)]
    pub header: KvHeader,
    /// Only keys that start with this.
    #[netlink(attr = 6, max_len = 256)]
    pub prefix: Option<&'a str>,
}

/// What the server knows about an entry: a nest inside [`Entry`] and
/// [`Deleted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, NetlinkMessage)]
pub struct Meta {
    /// The revision: 1 when the key was created, one more on every set.
    #[netlink(attr = 1)]
    pub revision: u64,
    /// The port of the client that made the last change.
    #[netlink(attr = 2)]
    pub changed_by: u32,
}

/// An `ENTRY`: a reply to `GET` and `DUMP`, and the notification of a
/// `SET`.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct Entry<'a> {
    /// The header.
    #[netlink(header)]
    pub header: KvHeader,
    /// The key.
    #[netlink(attr = 1)]
    pub key: &'a str,
    /// The value.
    #[netlink(attr = 2)]
    pub value: &'a [u8],
    /// The labels, in the order they were set.
    #[netlink(attr = 3)]
    pub tags: Vec<&'a str>,
    /// Revision and author.
    #[netlink(attr = 4, nested)]
    pub meta: Meta,
}

/// A `DELETED` notification.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
pub struct Deleted<'a> {
    /// The header.
    #[netlink(header)]
    pub header: KvHeader,
    /// The key that went away.
    #[netlink(attr = 1)]
    pub key: &'a str,
    /// The last revision, and who deleted it.
    #[netlink(attr = 4, nested)]
    pub meta: Meta,
}

/// Every message of the protocol, keyed by `nlmsg_type`.
#[derive(Debug, Clone, PartialEq, Eq, NetlinkMessage)]
#[netlink(message)]
pub enum KvMessage<'a> {
    /// [`SET`].
    #[netlink(ty = 16)]
    Set(SetRequest<'a>),
    /// [`GET`].
    #[netlink(ty = 17)]
    Get(KeyRequest<'a>),
    /// [`DELETE`].
    #[netlink(ty = 18)]
    Delete(KeyRequest<'a>),
    /// [`DUMP`].
    #[netlink(ty = 19)]
    Dump(DumpRequest<'a>),
    /// [`ENTRY`].
    #[netlink(ty = 20)]
    Entry(Entry<'a>),
    /// [`DELETED`].
    #[netlink(ty = 21)]
    Deleted(Deleted<'a>),
    /// Any other type, kept as it came.
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_core::derive_support::MessageEnum;
    use netlink_core::{Decode, Encode};

    fn encode<T: Encode>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        value.encode(&mut out).unwrap();
        assert_eq!(out.len(), value.encoded_len());
        out
    }

    #[test]
    fn set_request_round_trips_through_the_message_enum() {
        let set = KvMessage::Set(SetRequest {
            header: KvHeader::new(3),
            key: "colour",
            value: b"blue",
            tags: vec!["a", "b"],
            expect_revision: Some(2),
        });
        let bytes = encode(&set);
        assert_eq!(set.message_type(), SET);
        assert_eq!(KvMessage::decode_message(SET, &bytes).unwrap(), set);
    }

    #[test]
    fn missing_key_is_named() {
        let bytes = encode(&KvHeader::new(0).as_bytes().to_vec());
        let err = KeyRequest::decode(&bytes).unwrap_err();
        assert!(err.to_string().contains("key"), "{err}");
    }

    #[test]
    fn unknown_attribute_in_a_request_is_refused() {
        let mut bytes = KvHeader::new(0).as_bytes().to_vec();
        netlink_core::attr::write(&mut bytes, 1, "k").unwrap();
        netlink_core::attr::write(&mut bytes, 99, &7u32).unwrap();
        assert!(KeyRequest::decode(&bytes).is_err());
    }

    #[test]
    fn over_long_key_is_refused_on_encode_and_decode() {
        let key = "k".repeat(MAX_KEY);
        let request = KeyRequest {
            header: KvHeader::new(0),
            key: &key,
        };
        assert!(request.encode(&mut Vec::new()).is_err());
        let mut bytes = KvHeader::new(0).as_bytes().to_vec();
        netlink_core::attr::write(&mut bytes, 1, key.as_str()).unwrap();
        assert!(KeyRequest::decode(&bytes).is_err());
    }

    #[test]
    fn entry_with_meta_nest_round_trips() {
        let entry = Entry {
            header: KvHeader::new(0),
            key: "k",
            value: b"\x00\x01",
            tags: vec![],
            meta: Meta {
                revision: 9,
                changed_by: 77,
            },
        };
        assert_eq!(Entry::decode(&encode(&entry)).unwrap(), entry);
    }
}
