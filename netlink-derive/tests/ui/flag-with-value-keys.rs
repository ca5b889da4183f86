use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1, be, max_len = 4)]
    up: bool,
}

fn main() {}
