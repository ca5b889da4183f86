use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1, nestd)]
    mtu: u32,
}

fn main() {}
