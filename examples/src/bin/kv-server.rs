//! `kv-server`: serves the `kv` protocol over `NETLINK_USERSOCK`.
//!
//! Shows a user-space netlink peer that answers typed requests with
//! replies, multi-part dumps, acks and errors carrying an extended-ack
//! text, and multicasts every change to group 1. It needs no privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin kv-server -- [--port PORT]
//! ```
//!
//! `PORT` defaults to `netlink_examples::kv::DEFAULT_PORT`; 0 lets the
//! kernel choose. The first line of output names the port. It serves
//! until it is killed.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::kv::{DEFAULT_PORT, GROUP, Server};

fn main() -> ExitCode {
    cli::exit("kv-server", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let port = args.option("--port")?.unwrap_or(DEFAULT_PORT);
    let mut server = Server::bind(port).map_err(cli::while_("binding the server"))?;
    println!(
        "serving kv on port {} (notifications to group {GROUP})",
        server.port()
    );
    let _ = std::io::stdout().flush();
    let never = AtomicBool::new(false);
    server.run(&never).map_err(cli::while_("serving"))
}
