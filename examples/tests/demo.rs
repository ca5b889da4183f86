//! The demonstration: run in a fresh network namespace, its link section
//! matches `ip -j link` and its family section `genl ctrl list`; its
//! key-value round trip shows acks, errors with their texts and the
//! notifications. Without privileges it runs in the current namespace
//! and must still complete.

mod common;

use std::process::Command;

use common::{ip_links, run};
use netlink_tests::{in_new_netns, privileged};

const DEMO: &str = env!("CARGO_BIN_EXE_demo");

/// Returns the first words of the rows of the table under `title`.
fn section_column(out: &str, title: &str, column: usize) -> Vec<String> {
    out.lines()
        .skip_while(|l| !l.starts_with(title))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().nth(column).map(str::to_owned))
        .collect()
}

fn check_round_trip(out: &str) {
    let answers = [
        ("set colour = blue", "ack"),
        (
            "set colour = red if revision 1",
            "error ECANCELED: key \"colour\" is at revision 2, not 1",
        ),
        ("get size", "error ENOENT: no key \"size\" in table 0"),
        ("get, without the required key", "error EINVAL:"),
    ];
    for (request, answer) in answers {
        let line = out.lines().find(|l| l.trim_start().starts_with(request));
        let line = line.unwrap_or_else(|| panic!("no {request:?} in {out}"));
        assert!(line.contains(answer), "{line:?} lacks {answer:?}");
    }
}

#[test]
fn demo_runs_and_shows_the_kernel_view() {
    if !privileged("runs the demonstration in a private network namespace") {
        let out = run(DEMO, &[]);
        check_round_trip(&out);
        return;
    }
    let (out, links, genl) = in_new_netns(|| {
        let genl = Command::new("genl").args(["ctrl", "list"]).output();
        (run(DEMO, &[]), ip_links(), genl)
    });
    let names = section_column(&out, "Links of this network namespace", 1);
    assert_eq!(names, links.keys().cloned().collect::<Vec<_>>(), "{out}");

    // Families that are not network-namespace aware are absent from a
    // private namespace, so both listings come from the same one.
    if let Ok(genl) = genl {
        let text = String::from_utf8_lossy(&genl.stdout);
        let mut theirs: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("Name: "))
            .collect();
        let mut ours = section_column(&out, "Generic netlink families", 1);
        theirs.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, theirs, "{out}");
    }

    check_round_trip(&out);
    let notes: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("notifications the monitor"))
        .collect();
    assert_eq!(notes.len(), 5, "four changes: {out}");
}
