use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 0x4000)]
    mtu: u32,
}

fn main() {}
