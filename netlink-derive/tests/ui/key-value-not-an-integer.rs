use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = "three")]
    mtu: u32,
}

fn main() {}
