use netlink_derive::NetlinkMessage;

#[derive(NetlinkMessage)]
struct Fixed<const N: usize> {
    #[netlink(attr = 1)]
    value: [u8; N],
}

fn main() {}
