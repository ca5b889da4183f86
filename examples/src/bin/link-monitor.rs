//! `link-monitor`: prints link events as they happen, as
//! `ip monitor link` does.
//!
//! Shows a kernel multicast group (`RTNLGRP_LINK`) and the derived
//! message enum [`netlink_examples::route::RouteMessage`] dispatching on
//! `nlmsg_type`. It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin link-monitor -- [--count N]
//! ```
//!
//! It says on standard error when it listens, then prints one line per
//! event, and stops after `N` events (default: never).

use std::io::Write;
use std::process::ExitCode;

use netlink_core::derive_support::MessageEnum;
use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::route::{Link, RTNLGRP_LINK, RouteMessage, flag_names};
use netlink_socket::{Error, Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("link-monitor", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let count: Option<u64> = args.option("--count")?;
    let mut sock = Socket::open(Protocol::ROUTE).map_err(cli::while_("opening the socket"))?;
    sock.join_group(RTNLGRP_LINK)
        .map_err(cli::while_("joining RTNLGRP_LINK"))?;
    eprintln!("link-monitor: listening on RTNLGRP_LINK");
    let mut seen = 0;
    while count.is_none_or(|n| seen < n) {
        match next_event(&mut sock) {
            Ok(Some(line)) => println!("{line}"),
            Ok(None) => continue,
            Err(Error::Overrun) => println!("(events were lost: dump to resync)"),
            Err(err) => return Err(Failure::socket("receiving", err)),
        }
        let _ = std::io::stdout().flush();
        seen += 1;
    }
    Ok(())
}

/// Returns the line for the next link message, `None` for others.
fn next_event(sock: &mut Socket) -> Result<Option<String>, Error> {
    let (msg, _) = sock.recv_msg()?;
    match RouteMessage::from_message(&msg) {
        Ok(RouteMessage::NewLink(link)) => Ok(Some(describe("new", &link))),
        Ok(RouteMessage::DelLink(link)) => Ok(Some(describe("deleted", &link))),
        Ok(_) => Ok(None),
        Err(err) => Ok(Some(format!("(malformed message: {err})"))),
    }
}

fn describe(what: &str, link: &Link<'_>) -> String {
    format!(
        "{what:<7} {}: {} state {} mtu {} <{}>",
        link.header.index,
        link.name_text(),
        link.state_text(),
        link.mtu.unwrap_or(0),
        flag_names(link.header.flags).join(",")
    )
}
