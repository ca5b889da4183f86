use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1)]
    mtu: Option<Option<u32>>,
}

fn main() {}
