use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1, range = 10..=1)]
    level: u8,
}

fn main() {}
