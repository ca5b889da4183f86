//! `kv-client`: talks to a `kv-server`.
//!
//! Shows typed requests defined with the derive, their acks, a dump, and
//! the server's errors with their extended-ack text. It needs no
//! privilege.
//!
//! ```sh
//! cargo run -p netlink-examples --bin kv-client -- [--port PORT] [--table N] COMMAND
//! ```
//!
//! `COMMAND` is one of `set KEY VALUE [--tag TAG]... [--expect REVISION]`,
//! `get KEY`, `del KEY`, or `dump [PREFIX]`.

use std::process::ExitCode;

use netlink_examples::cli::{self, Args, Failure};
use netlink_examples::kv::{Client, DEFAULT_PORT, Record};
use netlink_examples::table::Table;

fn main() -> ExitCode {
    cli::exit("kv-client", run(Args::from_env()))
}

fn run(mut args: Args) -> Result<(), Failure> {
    let port = args.option("--port")?.unwrap_or(DEFAULT_PORT);
    let table = args.option("--table")?.unwrap_or(0);
    let tags = args.options("--tag")?;
    let expect = args.option("--expect")?;
    let mut client = Client::connect(port).map_err(cli::while_("opening the socket"))?;
    client.set_table(table);
    let words: Vec<&str> = args.positional().iter().map(String::as_str).collect();
    match words.as_slice() {
        ["set", key, value] => {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            let doing = format!("set {key}");
            client
                .set(key, value.as_bytes(), &tags, expect)
                .map_err(cli::while_(&doing))?;
            println!("set {key}: acknowledged");
        }
        ["get", key] => {
            let record = client
                .get(key)
                .map_err(cli::while_(&format!("get {key}")))?;
            println!("{record}");
        }
        ["del", key] => {
            client
                .delete(key)
                .map_err(cli::while_(&format!("del {key}")))?;
            println!("deleted {key}");
        }
        ["dump"] => print_dump(&client.dump(None).map_err(cli::while_("dump"))?),
        ["dump", prefix] => print_dump(&client.dump(Some(prefix)).map_err(cli::while_("dump"))?),
        _ => return Err(Failure::msg("reading arguments", usage())),
    }
    Ok(())
}

fn print_dump(records: &[Record]) {
    let mut table = Table::new(["KEY", "VALUE", "TAGS", "REVISION", "BY PORT"]);
    for r in records {
        let cells = [r.key.clone(), r.value_text(), r.tags_text()];
        table.row(
            cells
                .into_iter()
                .chain([r.revision.to_string(), r.changed_by.to_string()]),
        );
    }
    print!("{table}");
}

fn usage() -> String {
    "usage: kv-client [--port PORT] [--table N] \
     (set KEY VALUE [--tag TAG]... [--expect REVISION] | get KEY | del KEY | dump [PREFIX])"
        .to_owned()
}
