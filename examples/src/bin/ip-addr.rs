//! `ip-addr`: lists the addresses of each link of this network
//! namespace, as `ip -br addr` does.
//!
//! Shows two rtnetlink dumps on one socket (`RTM_GETLINK`, then
//! `RTM_GETADDR` for every family) decoded into derived types, IPv4 and
//! IPv6 addresses read by length. It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin ip-addr
//! ```

use std::process::ExitCode;

use netlink_examples::cli::{self, Failure};
use netlink_examples::route::addresses_table;
use netlink_socket::{Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("ip-addr", run())
}

fn run() -> Result<(), Failure> {
    let mut sock = Socket::open(Protocol::ROUTE).map_err(cli::while_("opening the socket"))?;
    let table = addresses_table(&mut sock, |err| {
        eprintln!("ip-addr: skipped a message: {err}")
    })
    .map_err(cli::while_("dumping addresses"))?;
    print!("{table}");
    Ok(())
}
