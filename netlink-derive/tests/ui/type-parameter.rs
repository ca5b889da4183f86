use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Wrapper<T> {
    #[netlink(attr = 1)]
    value: T,
}

fn main() {}
