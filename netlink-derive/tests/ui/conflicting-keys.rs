use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1, nested, be)]
    mtu: u32,
}

fn main() {}
