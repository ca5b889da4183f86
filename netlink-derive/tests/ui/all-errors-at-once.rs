use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 0)]
    a: u32,
    #[netlink(atr = 2)]
    b: u32,
    c: u32,
    #[netlink(attr = 5)]
    d: u32,
    #[netlink(attr = 5)]
    e: u32,
}

fn main() {}
