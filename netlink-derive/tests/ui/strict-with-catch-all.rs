use netlink_core::derive_support::RawAttr;
use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
#[netlink(strict)]
struct Link<'a> {
    #[netlink(attr = 1)]
    mtu: u32,
    #[netlink(unknown)]
    rest: Vec<RawAttr<'a>>,
}

fn main() {}
