use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 70000)]
    mtu: u32,
}

fn main() {}
