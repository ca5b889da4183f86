use netlink_core::derive_support::RawAttr;
use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link<'a> {
    #[netlink(unknown)]
    rest: Vec<RawAttr<'a>>,
    #[netlink(unknown)]
    more: Vec<RawAttr<'a>>,
}

fn main() {}
