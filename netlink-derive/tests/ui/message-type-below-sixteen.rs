use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Empty {}

#[derive(NetlinkMessage)]
#[netlink(message)]
enum Messages {
    #[netlink(ty = 2)]
    Error(Empty),
}

fn main() {}
