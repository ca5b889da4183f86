//! `demo`: the framework on three real protocols, in one run, without
//! root.
//!
//! It lists this machine's links (rtnetlink) and generic netlink families
//! (the `nlctrl` controller), then runs a round trip of the `kv` protocol
//! over `NETLINK_USERSOCK`: a server thread, a client and a monitor in one
//! process, with acks, a dump, errors carrying extended-ack texts, a
//! malformed request the server refuses, and the change notifications
//! the monitor received. Every message is defined with
//! `#[derive(NetlinkMessage)]`.
//!
//! ```sh
//! cargo run -p netlink-examples --bin demo
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use netlink_examples::kv::{self, Client, KvHeader, Monitor, Server};
use netlink_examples::table::Table;
use netlink_examples::{genl, route};
use netlink_socket::{Error, MessageType, NlmFlags, Protocol, Socket};
use zerocopy::IntoBytes;

fn main() {
    println!("netlink demonstration: three protocols on one framework\n");
    section(
        "Links of this network namespace",
        "rtnetlink, RTM_GETLINK dump",
    );
    show(open(Protocol::ROUTE).and_then(|mut s| route::links_table(&mut s, warn)));
    section(
        "Generic netlink families",
        "nlctrl, CTRL_CMD_GETFAMILY dump",
    );
    show(open(Protocol::GENERIC).and_then(|mut s| genl::families_table(&mut s, false, warn)));
    section(
        "A key-value service of our own",
        "NETLINK_USERSOCK, no root needed",
    );
    if let Err(err) = key_value_round_trip() {
        println!("  the round trip failed: {err}");
    }
}

fn section(title: &str, how: &str) {
    println!("{title} ({how})");
}

fn open(protocol: Protocol) -> Result<Socket, Error> {
    Socket::open(protocol)
}

fn warn(err: netlink_core::DecodeError) {
    eprintln!("  skipped a message that does not decode: {err}");
}

fn show(table: Result<Table, Error>) {
    match table {
        Ok(table) => println!("{}", table.indent(2)),
        Err(err) => println!("  cannot list: {err}\n"),
    }
}

/// Starts a server thread, then talks to it with a client while a
/// monitor collects the notifications.
fn key_value_round_trip() -> Result<(), Error> {
    let mut server = Server::bind(0)?;
    let mut client = Client::connect(server.port())?;
    println!(
        "  server on port {}, client on port {}",
        server.port(),
        client.port(),
    );
    let mut monitor = open_monitor()?;
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let serving = scope.spawn(|| server.run(&stop));
        let talked = talk(&mut client);
        stop.store(true, Ordering::Relaxed);
        let served = serving
            .join()
            .unwrap_or(Err(Error::Protocol("server thread panicked")));
        talked.and(served)
    })?;
    monitor.as_mut().map_or(Ok(()), print_notifications)
}

/// Opens the monitor, or explains why it cannot be: on
/// `NETLINK_USERSOCK` the kernel lets anyone send to a group but only
/// sockets with `CAP_NET_ADMIN` join one (`NL_CFG_F_NONROOT_SEND`
/// without `NL_CFG_F_NONROOT_RECV`).
fn open_monitor() -> Result<Option<Monitor>, Error> {
    match Monitor::open() {
        Ok(monitor) => {
            println!("  monitor in group {}\n", kv::GROUP);
            Ok(Some(monitor))
        }
        Err(err) if err.errno() == Some(libc::EPERM) => {
            println!("  no monitor: joining a NETLINK_USERSOCK group needs CAP_NET_ADMIN\n");
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// Sends the requests of the round trip and prints each with its answer.
fn talk(client: &mut Client) -> Result<(), Error> {
    let mut log = Table::new(["REQUEST", "ANSWER"]).indent(2);
    let steps: [(&str, Step<'_>); 8] = [
        ("set colour = blue, tags demo,sky", &|c| {
            ack(c.set("colour", b"blue", &["demo", "sky"], None))
        }),
        ("set colour = green if revision 1", &|c| {
            ack(c.set("colour", b"green", &[], Some(1)))
        }),
        ("set colour = red if revision 1", &|c| {
            ack(c.set("colour", b"red", &[], Some(1)))
        }),
        ("get colour", &|c| c.get("colour").map(|r| r.to_string())),
        ("set shape = circle", &|c| {
            ack(c.set("shape", b"circle", &[], None))
        }),
        ("get size", &|c| c.get("size").map(|r| r.to_string())),
        ("del shape", &|c| ack(c.delete("shape"))),
        ("get, without the required key", &|c| malformed_get(c)),
    ];
    for (request, step) in steps {
        log.row([request.to_owned(), answer(step(client))]);
    }
    println!("{log}");
    print_dump(client)
}

type Step<'a> = &'a dyn Fn(&mut Client) -> Result<String, Error>;

fn ack(result: Result<(), Error>) -> Result<String, Error> {
    result.map(|()| "ack".to_owned())
}

/// Sends a `GET` that has the header but no key attribute.
fn malformed_get(client: &mut Client) -> Result<String, Error> {
    let header = KvHeader::new(0);
    let payload = header.as_bytes();
    let sock = client.socket();
    ack(sock
        .request(MessageType(kv::GET), NlmFlags::empty(), payload)
        .map(drop))
}

/// Returns the answer column: the reply, or the error's errno name and
/// the server's extended-ack text.
fn answer(result: Result<String, Error>) -> String {
    match result {
        Ok(text) => text,
        Err(Error::Kernel(err)) => {
            let name = errno_name(err.errno());
            format!("error {name}: {}", err.message().unwrap_or("(no text)"))
        }
        Err(err) => format!("failed: {err}"),
    }
}

fn errno_name(errno: i32) -> String {
    match errno {
        libc::ENOENT => "ENOENT".to_owned(),
        libc::EINVAL => "EINVAL".to_owned(),
        libc::ECANCELED => "ECANCELED".to_owned(),
        libc::EOPNOTSUPP => "EOPNOTSUPP".to_owned(),
        libc::EPROTO => "EPROTO".to_owned(),
        other => format!("errno {other}"),
    }
}

fn print_dump(client: &mut Client) -> Result<(), Error> {
    let records = client.dump(None)?;
    let plural = if records.len() == 1 {
        "entry"
    } else {
        "entries"
    };
    println!("  dump of table 0: {} {plural}", records.len());
    let mut table = Table::new(["KEY", "VALUE", "TAGS", "REVISION", "BY PORT"]).indent(4);
    for r in &records {
        let numbers = [r.revision.to_string(), r.changed_by.to_string()];
        table.row(
            [r.key.clone(), r.value_text(), r.tags_text()]
                .into_iter()
                .chain(numbers),
        );
    }
    println!("{table}");
    Ok(())
}

/// Prints what the monitor received: every change made above.
fn print_notifications(monitor: &mut Monitor) -> Result<(), Error> {
    monitor.set_timeout(Some(Duration::from_millis(200)))?;
    println!("  notifications the monitor received:");
    loop {
        match monitor.next_change() {
            Ok(change) => println!("    {change}"),
            Err(Error::Timeout) => return Ok(()),
            Err(err) => return Err(err),
        }
    }
}
