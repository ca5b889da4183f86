//! The demonstration: builds an rtnetlink "create a veth pair" request with
//! the core builder, then walks the bytes back and prints what they hold.
//!
//! Run it with `cargo run -p netlink-examples --bin demo`. It needs no root
//! and opens no socket.

use netlink_core::{Attr, Attrs, Decode, Message, MessageBuilder, MessageType, NlmFlags};

const RTM_NEWLINK: MessageType = MessageType(16);
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFINFOMSG_LEN: usize = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut buf = Vec::new();
    let flags = NlmFlags::REQUEST | NlmFlags::ACK | NlmFlags::CREATE | NlmFlags::EXCL;
    let mut msg = MessageBuilder::new(&mut buf, RTM_NEWLINK, flags);
    msg.set_seq(1);
    msg.append(&[0; IFINFOMSG_LEN])?;
    msg.attr(IFLA_IFNAME, "demo0")?;
    msg.attr(IFLA_MTU, &1400u32)?;
    let info = msg.begin_nest(IFLA_LINKINFO)?;
    msg.attr(IFLA_INFO_KIND, "veth")?;
    msg.end_nest(info)?;
    let len = msg.finish()?;

    println!("{len} bytes on the wire:");
    for chunk in buf.chunks(16) {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        println!("  {}", hex.join(" "));
    }

    let (parsed, _) = Message::parse(&buf)?;
    let hdr = parsed.header();
    println!("\nmessage  type {} flags {:?} seq {} len {}", hdr.ty, parsed.flags(), hdr.seq, hdr.len);
    let attrs = parsed.payload().get(IFINFOMSG_LEN..).unwrap_or_default();
    for attr in Attrs::new(attrs) {
        print_attr(&attr?, 1)?;
    }
    Ok(())
}

fn print_attr(attr: &Attr<'_>, depth: usize) -> Result<(), Box<dyn std::error::Error>> {
    let pad = "  ".repeat(depth);
    match (depth, attr.kind()) {
        (1, IFLA_IFNAME) => println!("{pad}IFLA_IFNAME    {}", <&str>::decode(attr.payload())?),
        (1, IFLA_MTU) => println!("{pad}IFLA_MTU       {}", u32::decode(attr.payload())?),
        (1, IFLA_LINKINFO) => {
            println!("{pad}IFLA_LINKINFO  (nested: {})", attr.is_nested());
            for inner in attr.nested() {
                print_attr(&inner?, depth + 1)?;
            }
        }
        (2, IFLA_INFO_KIND) => println!("{pad}IFLA_INFO_KIND {}", <&str>::decode(attr.payload())?),
        (_, kind) => println!("{pad}type {kind}: {} bytes", attr.payload().len()),
    }
    Ok(())
}
