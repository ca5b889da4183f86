//! `kv-monitor`: prints the changes a `kv-server` multicasts.
//!
//! Shows a socket joining a multicast group of a user-space protocol and
//! decoding whatever arrives with the protocol's message enum. It needs
//! `CAP_NET_ADMIN`, which the kernel asks of sockets that join a
//! `NETLINK_USERSOCK` group, and says so without it.
//!
//! ```sh
//! cargo run -p netlink-examples --bin kv-monitor -- [--count N]
//! ```
//!
//! It says on standard error when it listens, then prints one line per
//! change, and stops after `N` changes (default: never).

use std::io::Write;
use std::process::ExitCode;

use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::kv::{GROUP, Monitor};

fn main() -> ExitCode {
    cli::exit("kv-monitor", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let count: Option<u64> = args.option("--count")?;
    let mut monitor = Monitor::open().map_err(cli::while_("joining the group"))?;
    eprintln!("kv-monitor: listening on group {GROUP}");
    let mut seen = 0;
    while count.is_none_or(|n| seen < n) {
        match monitor.next_change() {
            Ok(change) => println!("{change}"),
            Err(netlink_socket::Error::Overrun) => println!("(changes were lost: dump to resync)"),
            Err(err) => return Err(Failure::socket("receiving", err)),
        }
        let _ = std::io::stdout().flush();
        seen += 1;
    }
    Ok(())
}
