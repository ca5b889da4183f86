//! Generated code is clean under strict lints in user code: this test
//! crate denies warnings, every pedantic Clippy lint and a few more, so
//! `cargo clippy --all-targets -D warnings` fails if an expansion trips one.

#![deny(warnings, clippy::all, clippy::pedantic, clippy::nursery)]
#![deny(
    missing_docs,
    unused_qualifications,
    unused_results,
    trivial_casts,
    trivial_numeric_casts,
    unreachable_pub,
    single_use_lifetimes,
    elided_lifetimes_in_paths
)]

//! (The inner doc above the denies keeps `missing_docs` satisfied.)

use netlink_core::derive_support::{RawAttr, RawMessage};
use netlink_core::{Decode, Encode, Repeated};
use netlink_derive::NetlinkMessage;

/// A header.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    zerocopy::FromBytes,
    zerocopy::IntoBytes,
    zerocopy::Immutable,
    zerocopy::KnownLayout,
)]
#[repr(C)]
pub struct Header {
    /// Command.
    pub cmd: u8,
    /// Version.
    pub version: u8,
    /// Padding.
    pub reserved: u16,
}

/// A nest.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
pub struct Inner<'a> {
    /// A name.
    #[netlink(attr = 1)]
    pub name: &'a str,
}

/// A message using every option.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
pub struct Strict<'a> {
    /// Header.
    #[netlink(header)]
    pub header: Header,
    /// Required.
    #[netlink(attr = 1, range = 1..=100)]
    pub required: u32,
    /// Optional.
    #[netlink(attr = 2, be)]
    pub optional: Option<u16>,
    /// Repeated.
    #[netlink(attr = 3)]
    pub repeated: Vec<u64>,
    /// Flag.
    #[netlink(attr = 4)]
    pub flag: bool,
    /// Nest.
    #[netlink(attr = 5, nested)]
    pub nest: Option<Inner<'a>>,
    /// Indexed.
    #[netlink(attr = 6, indexed, nested, noflag)]
    pub list: Vec<Inner<'a>>,
    /// Bytes.
    #[netlink(attr = 7, min_len = 1, max_len = 8)]
    pub bytes: &'a [u8],
    /// Text.
    #[netlink(attr = 8, nul = false, len = 2)]
    pub text: String,
    /// Attributes.
    #[netlink(attr = 9, attrs)]
    pub attrs: Vec<Choice<'a>>,
    /// Repeated, read in place.
    #[netlink(attr = 10, range = 0..=9)]
    pub view: Repeated<'a, u16>,
    /// The rest.
    #[netlink(unknown)]
    pub rest: Vec<RawAttr<'a>>,
}

/// An attribute enum.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
pub enum Choice<'a> {
    /// A name.
    #[netlink(attr = 1)]
    Name(&'a str),
    /// A flag.
    #[netlink(attr = 2)]
    Flag,
    /// A value.
    #[netlink(attr = 3, be, range = 0..=9)]
    Port(u16),
    /// A list.
    #[netlink(attr = 4, indexed)]
    List(Vec<u32>),
    /// Anything else.
    #[netlink(unknown)]
    Other(RawAttr<'a>),
}

/// A message enum.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
#[netlink(message)]
pub enum Commands<'a> {
    /// A command.
    #[netlink(command = 1)]
    New(Strict<'a>),
    /// Anything else.
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

/// A message enum by type, without lifetime.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
#[netlink(message)]
pub enum Types {
    /// A type.
    #[netlink(ty = 20)]
    Plain(Plain),
}

/// A struct without lifetime.
#[derive(Debug, PartialEq, Eq, NetlinkMessage)]
#[netlink(strict)]
pub struct Plain {
    /// A value.
    #[netlink(attr = 1)]
    pub value: Option<u8>,
}

#[test]
fn strict_lints_accept_the_expansion() {
    let value = Strict {
        header: Header {
            cmd: 1,
            version: 1,
            reserved: 0,
        },
        required: 5,
        optional: Some(1),
        repeated: vec![1],
        flag: true,
        nest: None,
        list: vec![Inner { name: "x" }],
        bytes: b"abc",
        text: "hi".to_owned(),
        attrs: vec![Choice::Port(3), Choice::Flag],
        view: Repeated::from_slice(&[4, 5]),
        rest: Vec::new(),
    };
    let mut out = Vec::new();
    value.encode(&mut out).unwrap();
    assert_eq!(Commands::decode(&out).unwrap(), Commands::New(value));
}
