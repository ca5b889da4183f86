use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
#[netlink(header)]
struct Link {
    #[netlink(attr = 1, ty = 16)]
    mtu: u32,
}

fn main() {}
