use netlink_derive::NetlinkMessage;

struct NotAValue;

#[derive(NetlinkMessage)]
struct Link {
    #[netlink(attr = 1)]
    value: NotAValue,
}

fn main() {}
