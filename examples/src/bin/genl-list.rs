//! `genl-list`: lists the generic netlink families with their
//! operations and multicast groups, as `genl ctrl list` does.
//!
//! Shows a generic netlink dump (`CTRL_CMD_GETFAMILY`) sent through the
//! derived command enum [`netlink_examples::genl::Ctrl`], and replies
//! whose operations and groups are indexed nests decoded by the derive.
//! It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin genl-list -- [--verbose]
//! ```
//!
//! With `--verbose`, each operation is listed as `ID:capabilities`, such
//! as `3:do+dump+policy`.

use std::process::ExitCode;

use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::genl::families_table;
use netlink_socket::{Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("genl-list", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let verbose = args.flag("--verbose");
    let mut sock = Socket::open(Protocol::GENERIC).map_err(cli::while_("opening the socket"))?;
    let bad = |err| eprintln!("genl-list: skipped a family: {err}");
    let table = families_table(&mut sock, verbose, bad).map_err(cli::while_("dumping families"))?;
    print!("{table}");
    Ok(())
}
