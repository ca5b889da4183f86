//! `ip-link`: lists the links of this network namespace, as
//! `ip -br link` does.
//!
//! Shows an rtnetlink dump (`RTM_GETLINK`) decoded into the derived
//! [`netlink_examples::route::Link`]: the `ifinfomsg` header, optional
//! attributes, the `IFLA_LINKINFO` nest and the kept unknown attributes.
//! It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin ip-link
//! ```

use std::process::ExitCode;

use netlink_examples::cli::{self, Failure};
use netlink_examples::route::links_table;
use netlink_socket::{Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("ip-link", run())
}

fn run() -> Result<(), Failure> {
    let mut sock = Socket::open(Protocol::ROUTE).map_err(cli::while_("opening the socket"))?;
    let table = links_table(&mut sock, |err| eprintln!("ip-link: skipped a link: {err}"))
        .map_err(cli::while_("dumping links"))?;
    print!("{table}");
    Ok(())
}
