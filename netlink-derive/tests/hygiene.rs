//! The generated code names everything by absolute path: it compiles in a
//! module without the prelude, next to items that shadow common names.

#![no_implicit_prelude]

#[allow(dead_code)]
mod shadows {
    // Items a careless expansion would pick up instead of the real ones.
    pub(crate) struct Option;
    pub(crate) struct Result;
    pub(crate) struct Vec;
    pub(crate) struct Ok;
    pub(crate) struct Some;
    pub(crate) mod core {}
    pub(crate) mod netlink_core {}
}

#[allow(unused_imports)]
use self::shadows::*;

use ::netlink_core::derive_support::{RawAttr, RawMessage};
use ::netlink_derive::NetlinkMessage;

#[derive(
    ::core::fmt::Debug,
    ::core::cmp::PartialEq,
    ::core::clone::Clone,
    ::core::marker::Copy,
    ::zerocopy::FromBytes,
    ::zerocopy::IntoBytes,
    ::zerocopy::Immutable,
    ::zerocopy::KnownLayout,
)]
#[repr(C)]
struct Header {
    cmd: u8,
    version: u8,
    reserved: u16,
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, NetlinkMessage)]
struct Inner<'a> {
    #[netlink(attr = 1, max_len = 16)]
    name: &'a str,
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, NetlinkMessage)]
struct Everything<'a> {
    #[netlink(header)]
    header: Header,
    #[netlink(attr = 1)]
    required: u32,
    #[netlink(attr = 2, be)]
    optional: ::core::option::Option<u16>,
    #[netlink(attr = 3, range = 0..=9)]
    repeated: ::std::vec::Vec<u16>,
    #[netlink(attr = 4)]
    flag: bool,
    #[netlink(attr = 5, nested)]
    nest: ::core::option::Option<Inner<'a>>,
    #[netlink(attr = 6, indexed, nested)]
    list: ::std::vec::Vec<Inner<'a>>,
    #[netlink(attr = 7, attrs)]
    attrs: ::std::vec::Vec<Choice<'a>>,
    #[netlink(attr = 8, nul = false)]
    text: &'a str,
    #[netlink(attr = 9, max_len = 8)]
    view: ::netlink_core::Repeated<'a, &'a str>,
    #[netlink(unknown)]
    rest: ::std::vec::Vec<RawAttr<'a>>,
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, NetlinkMessage)]
#[netlink(strict)]
enum Choice<'a> {
    #[netlink(attr = 1)]
    Name(&'a str),
    #[netlink(attr = 2)]
    Flag,
    #[netlink(attr = 3, indexed)]
    List(::std::vec::Vec<u32>),
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, NetlinkMessage)]
#[netlink(message)]
enum ByType<'a> {
    #[netlink(ty = 16)]
    New(Everything<'a>),
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, NetlinkMessage)]
#[netlink(message)]
enum ByCommand<'a> {
    #[netlink(command = 1)]
    New(Everything<'a>),
    #[netlink(unknown)]
    Other(RawMessage<'a>),
}

#[test]
fn generated_code_needs_no_prelude() {
    use ::netlink_core::{Decode, Encode};
    let value = Everything {
        header: Header {
            cmd: 1,
            version: 1,
            reserved: 0,
        },
        required: 7,
        optional: ::core::option::Option::Some(3),
        repeated: ::std::vec![1, 2],
        flag: true,
        nest: ::core::option::Option::Some(Inner { name: "n" }),
        list: ::std::vec![Inner { name: "a" }],
        attrs: ::std::vec![
            Choice::Name("x"),
            Choice::Flag,
            Choice::List(::std::vec![1])
        ],
        text: "t",
        view: ::netlink_core::Repeated::from_slice(&["a", "b"]),
        rest: ::std::vec::Vec::new(),
    };
    let mut out = ::std::vec::Vec::new();
    ::core::result::Result::unwrap(value.encode(&mut out));
    let back = ::core::result::Result::unwrap(ByCommand::decode(&out));
    ::std::assert_eq!(back, ByCommand::New(value));
    let _ = <ByType<'_> as ::netlink_core::derive_support::MessageEnum<'_>>::decode_message;

    let kept = ByCommand::Other(RawMessage {
        ty: 0x1ff,
        payload: &[0, 0, 0, 0],
    });
    ::std::assert!(::core::result::Result::is_err(&kept.encode(&mut out)));
}
