use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Names<'a, 'b> {
    #[netlink(attr = 1)]
    first: &'a str,
    #[netlink(attr = 2)]
    second: &'b str,
}

fn main() {}
