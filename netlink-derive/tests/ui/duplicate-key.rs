use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1, be, be)]
    mtu: u32,
}

fn main() {}
