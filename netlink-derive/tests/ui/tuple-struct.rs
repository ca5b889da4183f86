use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Link(u32);

fn main() {}
