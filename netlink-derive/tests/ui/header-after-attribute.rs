use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 3)]
    mtu: u32,
    #[netlink(header)]
    header: [u8; 16],
}

fn main() {}
