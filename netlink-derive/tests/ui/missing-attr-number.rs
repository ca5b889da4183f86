use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(nested)]
    info: u32,
}

fn main() {}
