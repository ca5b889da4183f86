//! `genl-monitor`: prints the notifications of a generic netlink
//! family's multicast group, as `genl monitor` does.
//!
//! Shows resolving a family and group by name through the controller,
//! joining the group (whose id is above 32 for most families, so the
//! destination group comes from `NETLINK_PKTINFO`), and decoding: the
//! controller's own notifications through the derived
//! [`netlink_examples::genl::Ctrl`], any other family's attribute by
//! attribute. It needs no privilege for most groups; groups a family
//! reserves to administrators say so.
//!
//! ```sh
//! cargo run -p netlink-examples --bin genl-monitor -- [FAMILY GROUP] [--count N]
//! ```
//!
//! The default is the controller's `nlctrl notify`, which reports
//! families and groups as modules come and go; `netdev mgmt` reports
//! network devices as they are created and deleted in this namespace.
//! It says on standard error when it listens, then prints one line per
//! notification, and stops after `N` of them (default: never).

use std::io::Write;
use std::process::ExitCode;

use netlink_core::Decode;
use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::genl::{Ctrl, describe_any, describe_ctrl};
use netlink_socket::genl::{GENL_ID_CTRL, Resolver};
use netlink_socket::{Error, Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("genl-monitor", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let count: Option<u64> = args.option("--count")?;
    let (family, group) = match args.positional() {
        [] => ("nlctrl".to_owned(), "notify".to_owned()),
        [family, group] => (family.clone(), group.clone()),
        _ => {
            return Err(Failure::msg(
                "reading arguments",
                "usage: genl-monitor [FAMILY GROUP] [--count N]",
            ));
        }
    };
    let mut sock = Socket::open(Protocol::GENERIC).map_err(cli::while_("opening the socket"))?;
    let doing = format!("resolving {family} {group}");
    let mut resolver = Resolver::new();
    let id = resolver
        .group(&mut sock, &family, &group)
        .map_err(cli::while_(&doing))?;
    let hdrsize = resolver
        .family(&mut sock, &family)
        .map_or(0, |f| f.hdrsize as usize);
    sock.join_group(id)
        .map_err(cli::while_(&format!("joining {family} {group}")))?;
    eprintln!("genl-monitor: listening on {family} {group} (group {id})");
    let mut seen = 0;
    while count.is_none_or(|n| seen < n) {
        match sock.recv_msg() {
            Ok((msg, _)) => println!("{family}/{group}: {}", describe(&msg, hdrsize)),
            Err(Error::Overrun) => println!("(notifications were lost)"),
            Err(err) => return Err(Failure::socket("receiving", err)),
        }
        let _ = std::io::stdout().flush();
        seen += 1;
    }
    Ok(())
}

fn describe(msg: &netlink_socket::Message<'_>, hdrsize: usize) -> String {
    let described = if msg.message_type() == GENL_ID_CTRL {
        Ctrl::decode(msg.payload()).map(|ctrl| describe_ctrl(&ctrl))
    } else {
        describe_any(msg.payload(), hdrsize)
    };
    described.unwrap_or_else(|err| format!("(malformed message: {err})"))
}
