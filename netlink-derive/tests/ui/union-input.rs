use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
union Either {
    a: u32,
    b: u16,
}

fn main() {}
