//! `genl-list` against `genl ctrl list`, and `genl-monitor` against the
//! devices `ip -j link` shows after they were created in a private
//! network namespace.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

use common::{Background, ip_links, rows, run};
use netlink_tests::{in_new_netns, ip, privileged, skip};

const GENL_LIST: &str = env!("CARGO_BIN_EXE_genl-list");
const GENL_MONITOR: &str = env!("CARGO_BIN_EXE_genl-monitor");

/// A family as both listings describe it: id, operation ids, groups.
#[derive(Debug, Default, PartialEq, Eq)]
struct Family {
    id: u32,
    ops: BTreeSet<u32>,
    groups: BTreeSet<(String, u32)>,
}

fn hex(text: &str) -> u32 {
    u32::from_str_radix(text.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("{text}"))
}

/// Reads `genl ctrl list`: `Name:` lines, then `ID: 0x..`, then the
/// `ID-0x..` lines of commands and of groups (with `name: ..`).
fn parse_genl_ctrl_list(text: &str) -> BTreeMap<String, Family> {
    let mut families = BTreeMap::new();
    let mut current: Option<(String, Family)> = None;
    let mut in_groups = false;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("Name: ") {
            families.extend(current.take());
            current = Some((name.to_owned(), Family::default()));
            in_groups = false;
        }
        let Some((_, family)) = current.as_mut() else {
            continue;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["ID:", id, ..] => family.id = hex(id),
            ["multicast", "groups:"] => in_groups = true,
            [_, id, "name:", name] if in_groups => {
                family.groups.insert(((*name).to_owned(), hex(&id[3..])));
            }
            [_, id] if id.starts_with("ID-") => {
                family.ops.insert(hex(&id[3..]));
            }
            _ => {}
        }
    }
    families.extend(current);
    families
}

/// Reads `genl-list --verbose`: groups as `name(0xid)`, operations as
/// `id:caps`, both comma-separated (no groups: `-`; no operations: no
/// column).
fn parse_ours(text: &str) -> BTreeMap<String, Family> {
    let mut families = BTreeMap::new();
    for row in rows(text) {
        let groups = row[5]
            .split(',')
            .filter(|g| *g != "-")
            .map(|g| {
                let (name, id) = g.trim_end_matches(')').split_once('(').unwrap();
                (name.to_owned(), hex(id))
            })
            .collect();
        let ops = row
            .get(6)
            .map(|ops| {
                ops.split(',')
                    .map(|op| op.split(':').next().unwrap().parse().unwrap())
            })
            .into_iter()
            .flatten()
            .collect();
        families.insert(
            row[1].clone(),
            Family {
                id: hex(&row[0]),
                ops,
                groups,
            },
        );
    }
    families
}

#[test]
fn genl_list_shows_what_genl_ctrl_list_shows() {
    let Ok(out) = Command::new("genl").args(["ctrl", "list"]).output() else {
        skip("genl(8) from iproute2 is not installed");
        return;
    };
    let theirs = parse_genl_ctrl_list(&String::from_utf8_lossy(&out.stdout));
    let ours = parse_ours(&run(GENL_LIST, &["--verbose"]));
    assert!(theirs.contains_key("nlctrl"), "{theirs:?}");
    assert_eq!(ours, theirs);
}

#[test]
fn genl_monitor_reports_devices_ip_j_link_shows() {
    if !privileged("creates devices in a network namespace") {
        return;
    }
    let (out, created) = in_new_netns(|| {
        let monitor = Background::start(GENL_MONITOR, &["netdev", "mgmt"], "listening");
        ip(&["link", "add", "ga0", "type", "veth", "peer", "name", "gb0"]);
        let created = ip_links();
        (monitor.stop_after(Duration::from_millis(800)), created)
    });
    // NETDEV_CMD_DEV_ADD_NTF (2) carries NETDEV_A_DEV_IFINDEX (1).
    for name in ["ga0", "gb0"] {
        let added = format!("netdev/mgmt: cmd 2 1={}", created[name]["ifindex"]);
        assert!(
            out.lines().any(|l| l.starts_with(&added)),
            "{added:?} in {out}"
        );
    }
}
