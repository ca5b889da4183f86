//! `ss`: lists the TCP and UDP sockets of this network namespace, IPv4
//! and IPv6, as `ss -tuan` does.
//!
//! Shows `NETLINK_SOCK_DIAG` dumps (`SOCK_DIAG_BY_FAMILY` with an
//! `inet_diag_req_v2`), kernel structs with big-endian fields as derived
//! headers, and the `inet_diag_msg` replies. It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin ss
//! ```

use std::process::ExitCode;

use netlink_examples::cli::{self, Failure};
use netlink_examples::diag::sockets_table;
use netlink_socket::{Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("ss", run())
}

fn run() -> Result<(), Failure> {
    let mut sock = Socket::open(Protocol::SOCK_DIAG).map_err(cli::while_("opening the socket"))?;
    let table = sockets_table(&mut sock, |err| eprintln!("ss: skipped a socket: {err}"))
        .map_err(cli::while_("dumping sockets"))?;
    print!("{table}");
    Ok(())
}
