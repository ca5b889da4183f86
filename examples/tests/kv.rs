//! `kv-server`, `kv-client` and `kv-monitor` run as programs: the client
//! reads back what it stored, the monitor sees every change, and the
//! server answers every malformed request of a hostile client with an
//! error ack while it goes on serving the others.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Background, CopiedProgram, rows, run};
use netlink_core::MessageBuilder;
use netlink_examples::kv::{self, Client, KvHeader};
use netlink_socket::{Error, MessageType, NlmFlags};
use netlink_tests::{in_new_netns, privileged};
use zerocopy::IntoBytes;

const SERVER: &str = env!("CARGO_BIN_EXE_kv-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_kv-client");
const MONITOR: &str = env!("CARGO_BIN_EXE_kv-monitor");

/// A `kv-server` process on a kernel-chosen port, killed when dropped.
struct ServerProcess {
    child: Child,
    port: u32,
}

impl ServerProcess {
    fn start() -> Self {
        let mut child = Command::new(SERVER)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start kv-server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .split_whitespace()
            .nth(4)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Self { child, port }
    }

    fn port_arg(&self) -> String {
        self.port.to_string()
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(server: &ServerProcess, args: &[&str]) -> String {
    let port = server.port_arg();
    let mut all = vec!["--port", port.as_str()];
    all.extend_from_slice(args);
    run(CLIENT, &all)
}

#[test]
fn client_reads_back_what_it_stored() {
    let server = ServerProcess::start();
    client(
        &server,
        &["set", "colour", "blue", "--tag", "a", "--tag", "b"],
    );
    client(&server, &["set", "colour", "green", "--expect", "1"]);
    client(&server, &["set", "shape", "round"]);
    client(&server, &["--table", "2", "set", "colour", "elsewhere"]);
    let got = client(&server, &["get", "colour"]);
    assert!(
        got.starts_with("colour = green (tags -, revision 2"),
        "{got}"
    );

    let dump = rows(&client(&server, &["dump"]));
    let keys: Vec<(&str, &str)> = dump
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(keys, [("colour", "green"), ("shape", "round")]);
    assert_eq!(rows(&client(&server, &["--table", "2", "dump"])).len(), 1);

    client(&server, &["del", "shape"]);
    assert_eq!(rows(&client(&server, &["dump", "sh"])).len(), 0);
}

#[test]
fn client_errors_carry_the_server_text() {
    let server = ServerProcess::start();
    let port = server.port_arg();
    let out = Command::new(CLIENT)
        .args(["--port", &port, "get", "missing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains(r#"no key "missing" in table 0"#), "{text}");

    client(&server, &["set", "k", "v"]);
    let out = Command::new(CLIENT)
        .args(["--port", &port, "set", "k", "w", "--expect", "5"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("is at revision 1, not 5"), "{text}");
}

#[test]
fn monitor_sees_every_change() {
    // Joining a NETLINK_USERSOCK group needs CAP_NET_ADMIN.
    if !privileged("joins a NETLINK_USERSOCK multicast group") {
        return;
    }
    // A namespace of its own keeps out the servers of other tests, which
    // multicast to the same group.
    let out = in_new_netns(|| {
        let server = ServerProcess::start();
        let monitor = Background::start(MONITOR, &[], "listening");
        client(&server, &["set", "x", "1"]);
        client(&server, &["set", "x", "2", "--tag", "t"]);
        client(&server, &["del", "x"]);
        monitor.stop_after(Duration::from_millis(800))
    });
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("set     x = 1 (tags -, revision 1"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("set     x = 2 (tags t, revision 2"),
        "{out}"
    );
    assert!(lines[2].starts_with("deleted x (revision 2"), "{out}");
}

#[test]
fn monitor_without_privilege_says_so() {
    if !privileged("runs kv-monitor as an unprivileged user") {
        return;
    }
    let out = CopiedProgram::new(MONITOR, "kv-monitor").run_as_nobody(&[]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("needs CAP_NET_ADMIN"), "{text}");
}

/// Payloads a hostile client sends, each with the type it is sent as.
fn malformed() -> Vec<(&'static str, u16, Vec<u8>)> {
    let header = KvHeader::new(0).as_bytes().to_vec();
    let with = |attrs: &[(u16, &[u8])]| {
        let mut out = header.clone();
        for (kind, payload) in attrs {
            netlink_core::attr::write(&mut out, *kind, payload).unwrap();
        }
        out
    };
    let mut broken_len = with(&[(1, b"key\0")]);
    broken_len[4..6].copy_from_slice(&2u16.to_ne_bytes());
    let mut past_end = with(&[(1, b"key\0")]);
    past_end[4..6].copy_from_slice(&200u16.to_ne_bytes());
    let mut old_version = with(&[(1, b"key\0")]);
    old_version[0] = 9;
    let long_key = [b'k'; 300];
    vec![
        ("no key", kv::GET, header.clone()),
        ("no value", kv::SET, with(&[(1, b"key\0")])),
        ("attribute shorter than its header", kv::GET, broken_len),
        ("attribute past the message", kv::GET, past_end),
        ("key not UTF-8", kv::GET, with(&[(1, b"\xff\xfe\0")])),
        (
            "unknown attribute",
            kv::GET,
            with(&[(1, b"key\0"), (99, b"x")]),
        ),
        ("key too long", kv::DELETE, with(&[(1, &long_key)])),
        ("empty key", kv::GET, with(&[(1, b"\0")])),
        (
            "revision of 3 bytes",
            kv::SET,
            with(&[(1, b"k\0"), (2, b"v"), (5, b"abc")]),
        ),
        ("payload shorter than the header", kv::GET, vec![1, 0]),
        ("wrong version", kv::GET, old_version),
        ("a reply sent as a request", kv::ENTRY, with(&[(1, b"k\0")])),
        ("unknown message type", 0x99, header),
    ]
}

/// Sends one malformed request and returns the server's errno and text.
fn refused(client: &mut Client, ty: u16, payload: &[u8]) -> (i32, String) {
    match client
        .socket()
        .request(MessageType(ty), NlmFlags::empty(), payload)
    {
        Err(Error::Kernel(err)) => (err.errno(), err.message().unwrap_or("").to_owned()),
        other => panic!("expected an error ack, got {other:?}"),
    }
}

/// Builds a message whose `nlmsg_len` claims more than the datagram holds.
fn overlong_message(seq: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut msg = MessageBuilder::new(&mut buf, MessageType(kv::GET), NlmFlags::REQUEST);
    msg.set_seq(seq);
    msg.append(KvHeader::new(0).as_bytes()).unwrap();
    msg.finish().unwrap();
    buf[..4].copy_from_slice(&200u32.to_ne_bytes());
    buf
}

#[test]
fn server_answers_every_malformed_request_and_keeps_serving() {
    let mut server = ServerProcess::start();
    let mut good = Client::connect(server.port).unwrap();
    let mut hostile = Client::connect(server.port).unwrap();
    good.set("before", b"1", &[], None).unwrap();
    for round in 0..3 {
        for (what, ty, payload) in malformed() {
            let (errno, text) = refused(&mut hostile, ty, &payload);
            assert!(errno > 0, "{what}: errno {errno}");
            assert!(!text.is_empty(), "{what}: error without a text");
            good.set("between", what.as_bytes(), &[], None).unwrap();
        }
        assert!(server.is_running(), "round {round}");
    }
    let seq = hostile.socket().next_seq();
    hostile.socket().send_raw(&overlong_message(seq)).unwrap();
    match hostile.socket().wait_for_ack(seq) {
        Err(Error::Kernel(err)) => assert_eq!(err.errno(), libc::EINVAL),
        other => panic!("expected EINVAL for a bad frame, got {other:?}"),
    }
    hostile.socket().send_raw(&[0; 8]).unwrap();
    // An empty datagram may be refused by the socket; either way the
    // server must not notice.
    let _ = hostile.socket().send_raw(&[]);
    assert_eq!(good.get("before").unwrap().value, b"1");
    assert_eq!(good.get("between").unwrap().revision, 39);
    assert!(server.is_running());
}

/// Sends a `SET` without `NLM_F_REQUEST`: like the kernel, the server
/// acks it with 0 when asked and does not carry it out.
#[test]
fn message_without_request_flag_is_acked_and_not_carried_out() {
    let server = ServerProcess::start();
    let mut client = Client::connect(server.port).unwrap();
    let mut payload = KvHeader::new(0).as_bytes().to_vec();
    netlink_core::attr::write(&mut payload, 1, "ghost").unwrap();
    netlink_core::attr::write(&mut payload, 2, &b"boo"[..]).unwrap();
    let mut buf = Vec::new();
    let seq = client.socket().next_seq();
    let mut msg = MessageBuilder::new(&mut buf, MessageType(kv::SET), NlmFlags::ACK);
    msg.set_seq(seq);
    msg.append(&payload).unwrap();
    msg.finish().unwrap();
    client.socket().send_raw(&buf).unwrap();
    client
        .socket()
        .wait_for_ack(seq)
        .expect("a success ack for a message that is not a request");
    match client.get("ghost") {
        Err(Error::Kernel(err)) => assert_eq!(err.errno(), libc::ENOENT),
        other => panic!("the SET was carried out: {other:?}"),
    }
}

#[test]
fn server_survives_a_client_that_never_reads() {
    let mut server = ServerProcess::start();
    let mut deaf = Client::connect(server.port).unwrap();
    let mut payload = KvHeader::new(0).as_bytes().to_vec();
    netlink_core::attr::write(&mut payload, 1, "k").unwrap();
    for _ in 0..600 {
        // Each request asks for an error ack the deaf client never reads.
        deaf.socket()
            .send(MessageType(kv::GET), NlmFlags::empty(), &payload)
            .unwrap();
    }
    let mut good = Client::connect(server.port).unwrap();
    good.set("alive", b"yes", &[], None).unwrap();
    assert_eq!(good.get("alive").unwrap().value, b"yes");
    assert!(server.is_running());
}
