use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 0)]
    unspec: u32,
}

fn main() {}
