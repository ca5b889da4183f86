use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Empty {}

#[derive(NetlinkMessage)]
#[netlink(message)]
enum Messages {
    #[netlink(ty = 16)]
    New(Empty),
    #[netlink(command = 1)]
    Get(Empty),
}

fn main() {}
