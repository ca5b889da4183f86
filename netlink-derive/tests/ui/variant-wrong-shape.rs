use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
enum LinkAttr {
    #[netlink(attr = 1)]
    Pair(u32, u32),
}

fn main() {}
