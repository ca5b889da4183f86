use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 4)]
    mtu: u32,
    #[netlink(attr = 4)]
    txqlen: u32,
}

fn main() {}
