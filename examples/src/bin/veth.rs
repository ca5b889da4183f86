//! `veth`: creates or deletes a veth pair, as
//! `ip link add NAME type veth peer name PEER` and `ip link del NAME` do.
//!
//! Shows a request built from derived types with nests three levels deep
//! (`IFLA_LINKINFO` > `IFLA_INFO_DATA` > `VETH_INFO_PEER`, which carries
//! its own `ifinfomsg`), the kernel's ack, and its errors with their
//! extended-ack text. It needs `CAP_NET_ADMIN` and says so without it.
//!
//! ```sh
//! sudo target/debug/veth add NAME PEER [--mtu MTU]
//! sudo target/debug/veth del NAME
//! ```

use std::process::ExitCode;

use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::route::{create_veth, delete_link};
use netlink_socket::{Protocol, Socket};

fn main() -> ExitCode {
    cli::exit("veth", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let mtu = args.option("--mtu")?;
    let mut sock = Socket::open(Protocol::ROUTE).map_err(cli::while_("opening the socket"))?;
    let words: Vec<&str> = args.positional().iter().map(String::as_str).collect();
    match words.as_slice() {
        ["add", name, peer] => {
            let doing = format!("creating veth pair {name}/{peer}");
            create_veth(&mut sock, name, peer, mtu).map_err(cli::while_(&doing))?;
            println!("created veth pair {name} <-> {peer}");
        }
        ["del", name] => {
            let doing = format!("deleting {name}");
            delete_link(&mut sock, name).map_err(cli::while_(&doing))?;
            println!("deleted {name}");
        }
        _ => {
            let usage = "usage: veth add NAME PEER [--mtu MTU] | veth del NAME";
            return Err(Failure::msg("reading arguments", usage));
        }
    }
    Ok(())
}
