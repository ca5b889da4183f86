use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Family {
    #[netlink(attr = 6, indexed)]
    ops: u32,
}

fn main() {}
