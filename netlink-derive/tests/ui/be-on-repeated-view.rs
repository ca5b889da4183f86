use netlink_core::Repeated;
use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Ports<'a> {
    #[netlink(attr = 1, be)]
    ports: Repeated<'a, u16>,
}

fn main() {}
