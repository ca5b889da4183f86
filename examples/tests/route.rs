//! `ip-link`, `ip-addr`, `veth` and `link-monitor` against the kernel's
//! own view (`ip -j link`, `ip -j addr`) in a private network namespace
//! each test creates, with veth pairs and addresses to compare; the
//! namespace disappears with the test's thread.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

use common::{Background, CopiedProgram, ip_json, ip_links, rows, run};
use netlink_tests::{in_new_netns, ip, privileged};

const IP_LINK: &str = env!("CARGO_BIN_EXE_ip-link");
const IP_ADDR: &str = env!("CARGO_BIN_EXE_ip-addr");
const VETH: &str = env!("CARGO_BIN_EXE_veth");
const LINK_MONITOR: &str = env!("CARGO_BIN_EXE_link-monitor");

/// Gives the namespace something to show: lo up, a veth pair with one
/// end up and a changed MTU, and addresses of both families.
fn populate() {
    ip(&["link", "set", "lo", "up"]);
    ip(&[
        "link", "add", "va0", "mtu", "1400", "type", "veth", "peer", "name", "vb0",
    ]);
    ip(&["link", "set", "va0", "up"]);
    ip(&["addr", "add", "10.7.0.1/24", "dev", "va0"]);
    ip(&["addr", "add", "10.7.1.1/16", "dev", "va0"]);
    ip(&["addr", "add", "2001:db8:7::1/64", "dev", "vb0", "nodad"]);
}

#[test]
fn ip_link_lists_what_ip_j_link_shows() {
    if !privileged("creates a network namespace with a veth pair") {
        return;
    }
    let (ours, kernel) = in_new_netns(|| {
        populate();
        (run(IP_LINK, &[]), ip_links())
    });
    let rows = rows(&ours);
    assert_eq!(rows.len(), kernel.len(), "{ours}");
    for row in rows {
        let [index, name, state, mtu, address, _kind, flags] = row.as_slice() else {
            panic!("bad row {row:?}");
        };
        let link = &kernel[name];
        assert_eq!(index, &link["ifindex"].to_string(), "{name}");
        assert_eq!(state, link["operstate"].as_str().unwrap(), "{name}");
        assert_eq!(mtu, &link["mtu"].to_string(), "{name}");
        assert_eq!(address, link["address"].as_str().unwrap(), "{name}");
        let ours: BTreeSet<&str> = flags.trim_matches(['<', '>']).split(',').collect();
        let theirs: BTreeSet<&str> = link["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(ours, theirs, "{name}");
    }
}

#[test]
fn ip_addr_lists_what_ip_j_addr_shows() {
    if !privileged("creates a network namespace with addresses") {
        return;
    }
    let (ours, kernel) = in_new_netns(|| {
        populate();
        (run(IP_ADDR, &[]), ip_json(&["addr"]))
    });
    let mut expected = BTreeMap::new();
    for link in &kernel {
        let name = link["ifname"].as_str().unwrap().to_owned();
        let addrs: BTreeSet<String> = link["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
            .collect();
        expected.insert(name, addrs);
    }
    let mut seen = BTreeMap::new();
    for row in rows(&ours) {
        let addrs: BTreeSet<String> = row[2..].iter().cloned().collect();
        seen.insert(row[0].clone(), addrs);
    }
    assert_eq!(seen, expected, "{ours}");
    assert!(seen["va0"].contains("10.7.1.1/16"), "{ours}");
}

#[test]
fn veth_creates_and_deletes_a_pair() {
    if !privileged("creates a veth pair in a network namespace") {
        return;
    }
    in_new_netns(|| {
        run(VETH, &["add", "pa0", "pb0", "--mtu", "1280"]);
        let links = ip_links();
        assert_eq!(links["pa0"]["mtu"], 1280);
        assert_eq!(links["pa0"]["link"], "pb0", "the pair is linked");
        let details = ip_json(&["-d", "link", "show", "pb0"]);
        assert_eq!(details[0]["linkinfo"]["info_kind"], "veth");

        let again = Command::new(VETH)
            .args(["add", "pa0", "pc0"])
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(1));
        let text = String::from_utf8_lossy(&again.stderr);
        assert!(text.contains("File exists"), "{text}");

        run(VETH, &["del", "pa0"]);
        let links = ip_links();
        assert!(
            !links.contains_key("pa0") && !links.contains_key("pb0"),
            "{links:?}"
        );
    });
}

#[test]
fn veth_without_privilege_says_so() {
    if !privileged("runs veth as an unprivileged user in a namespace") {
        return;
    }
    let veth = CopiedProgram::new(VETH, "veth");
    let out = in_new_netns(|| veth.run_as_nobody(&["add", "ua0", "ub0"]));
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("needs CAP_NET_ADMIN"), "{text}");
    assert_eq!(text.lines().count(), 1, "one line: {text}");
}

#[test]
fn link_monitor_reports_what_ip_j_link_shows() {
    if !privileged("changes links in a network namespace") {
        return;
    }
    let (out, created) = in_new_netns(|| {
        let monitor = Background::start(LINK_MONITOR, &[], "listening");
        ip(&["link", "add", "ma0", "type", "veth", "peer", "name", "mb0"]);
        let created = ip_links();
        ip(&["link", "del", "ma0"]);
        (monitor.stop_after(Duration::from_millis(800)), created)
    });
    for name in ["ma0", "mb0"] {
        let index = &created[name]["ifindex"];
        let new = format!("new     {index}: {name} ");
        let gone = format!("deleted {index}: {name} ");
        assert!(out.lines().any(|l| l.starts_with(&new)), "{new:?} in {out}");
        assert!(
            out.lines().any(|l| l.starts_with(&gone)),
            "{gone:?} in {out}"
        );
    }
    let mtu = format!("mtu {}", created["ma0"]["mtu"]);
    assert!(out.contains(&mtu), "{out}");
}
