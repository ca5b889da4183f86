//! `ss` against `ss -tuanH` in a private network namespace holding TCP
//! listeners, an established TCP connection and UDP sockets of both
//! address families.

mod common;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream, UdpSocket};

use common::{rows, run};
use netlink_tests::{in_new_netns, ip, privileged};

const SS: &str = env!("CARGO_BIN_EXE_ss");

fn lines(rows: Vec<Vec<String>>) -> BTreeSet<String> {
    rows.into_iter().map(|r| r.join(" ")).collect()
}

#[test]
fn ss_lists_what_ss_tuan_lists() {
    if !privileged("opens sockets in a private network namespace") {
        return;
    }
    let (ours, theirs) = in_new_netns(|| {
        ip(&["link", "set", "lo", "up"]);
        let v4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let v6 = TcpListener::bind("[::1]:0").unwrap();
        let client = TcpStream::connect(v4.local_addr().unwrap()).unwrap();
        let (server, _) = v4.accept().unwrap();
        let udp4 = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp6 = UdpSocket::bind("[::]:0").unwrap();
        udp6.connect("[::1]:9").unwrap();
        let ours = run(SS, &[]);
        let theirs = std::process::Command::new("ss")
            .arg("-tuanH")
            .output()
            .unwrap();
        drop((v6, client, server, udp4, udp6));
        (ours, String::from_utf8_lossy(&theirs.stdout).into_owned())
    });
    let theirs: Vec<Vec<String>> = theirs
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    let ours = lines(rows(&ours));
    assert_eq!(ours.len(), 6, "{ours:?}");
    assert_eq!(ours, lines(theirs));
}
