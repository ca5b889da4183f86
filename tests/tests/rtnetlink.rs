//! rtnetlink against the real kernel, inside a private network namespace
//! each test creates (so nothing is left behind): link dumps, veth pairs
//! made and removed with acks, kernel errors with extended acks, strict
//! dump errors carried by DONE, notifications (our own seq included),
//! interrupted and busy dumps, spoofed messages, groups above 32, sockets
//! opened in another namespace by path or descriptor, and notifications
//! of a peer namespace seen with its id.
//!
//! Every test needs CAP_NET_ADMIN and CAP_SYS_ADMIN; without them it says
//! that it skips, and fails under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use netlink_core::{Attrs, Encode, EncodeError, Message, attr};
use netlink_socket::{Address, Error, MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
use netlink_tests::{getsockopt_int, in_new_netns, ip, privileged};

const RTM_NEWLINK: MessageType = MessageType(16);
const RTM_DELLINK: MessageType = MessageType(17);
const RTM_GETLINK: MessageType = MessageType(18);
const RTM_NEWADDR: MessageType = MessageType(20);
const RTM_DELADDR: MessageType = MessageType(21);
const RTM_GETADDR: MessageType = MessageType(22);
const IFLA_IFNAME: u16 = 3;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_ADDRESS: u16 = 1;
const RTNLGRP_LINK: u32 = 1;
const RTNLGRP_IPV4_IFADDR: u32 = 5;
const RTNLGRP_IPV4_MCADDR: u32 = 37;
const RTNLGRP_IPV6_MCADDR: u32 = 38;

/// An `RTM_*LINK` payload: `ifinfomsg`, an optional name and an optional
/// veth peer.
#[derive(Default)]
struct Link<'a> {
    ifi_type: u16,
    up: bool,
    index: i32,
    name: Option<&'a [u8]>,
    veth_peer: Option<&'a str>,
}

fn ifinfomsg(out: &mut Vec<u8>, ifi_type: u16, index: i32, up: bool) {
    let flags = if up { libc::IFF_UP as u32 } else { 0 };
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&ifi_type.to_ne_bytes());
    out.extend_from_slice(&index.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
}

impl Encode for Link<'_> {
    fn encoded_len(&self) -> usize {
        let mut out = Vec::new();
        self.encode(&mut out).map_or(0, |()| out.len())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        ifinfomsg(out, self.ifi_type, self.index, self.up);
        if let Some(name) = self.name {
            let mut value = name.to_vec();
            value.push(0);
            attr::write(out, IFLA_IFNAME, &value)?;
        }
        if let Some(peer) = self.veth_peer {
            attr::write_nest(out, IFLA_LINKINFO, |out| {
                attr::write(out, IFLA_INFO_KIND, "veth")?;
                attr::write_nest(out, IFLA_INFO_DATA, |out| {
                    attr::write_nest(out, VETH_INFO_PEER, |out| {
                        ifinfomsg(out, 0, 0, false);
                        attr::write(out, IFLA_IFNAME, peer)
                    })
                })
            })?;
        }
        Ok(())
    }
}

/// An `ifaddrmsg` for IPv4 with an optional address on `index`.
struct Addr {
    index: u32,
    addr: Option<[u8; 4]>,
}

impl Encode for Addr {
    fn encoded_len(&self) -> usize {
        8 + self.addr.map_or(0, |_| 16)
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[libc::AF_INET as u8, 32, 0, 0]);
        out.extend_from_slice(&self.index.to_ne_bytes());
        if let Some(addr) = self.addr {
            attr::write(out, IFA_LOCAL, &addr)?;
            attr::write(out, IFA_ADDRESS, &addr)?;
        }
        Ok(())
    }
}

fn route_socket() -> Socket {
    SocketBuilder::new(Protocol::ROUTE)
        .reply_timeout(Some(Duration::from_secs(10)))
        .open()
        .unwrap()
}

/// Returns the name in a link message.
fn link_name(msg: &Message<'_>) -> Option<Vec<u8>> {
    Attrs::new(msg.payload().get(16..)?)
        .filter_map(Result::ok)
        .find(|a| a.kind() == IFLA_IFNAME)
        .map(|a| {
            a.payload()
                .split(|&b| b == 0)
                .next()
                .unwrap_or_default()
                .to_vec()
        })
}

fn link_names(sock: &mut Socket) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut dump = sock
        .dump(RTM_GETLINK, NlmFlags::empty(), &Link::default())
        .unwrap();
    while let Some(msg) = dump.next() {
        let msg = msg.unwrap();
        assert_eq!(msg.message_type(), RTM_NEWLINK);
        names.extend(link_name(&msg));
    }
    names
}

fn create_veth(sock: &mut Socket, name: &str, peer: &str) -> Result<(), Error> {
    create_veth_up(sock, name, peer, false)
}

fn create_veth_up(sock: &mut Socket, name: &str, peer: &str, up: bool) -> Result<(), Error> {
    let link = Link {
        name: Some(name.as_bytes()),
        veth_peer: Some(peer),
        up,
        ..Link::default()
    };
    let reply = sock.request(RTM_NEWLINK, NlmFlags::CREATE | NlmFlags::EXCL, &link)?;
    assert!(reply.is_ack_only(), "NEWLINK is answered by an ack alone");
    Ok(())
}

#[test]
fn dump_links_in_a_private_namespace() {
    if !privileged("dumps links in a new network namespace") {
        return;
    }
    let names = in_new_netns(|| link_names(&mut route_socket()));
    assert_eq!(names, [b"lo".to_vec()], "a new namespace holds only lo");
}

#[test]
fn create_and_delete_a_veth_pair_with_acks() {
    if !privileged("creates a veth pair") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        create_veth(&mut sock, "nlt-a", "nlt-b").unwrap();
        let names = link_names(&mut sock);
        assert!(names.contains(&b"nlt-a".to_vec()) && names.contains(&b"nlt-b".to_vec()));

        let err = create_veth(&mut sock, "nlt-a", "nlt-c").unwrap_err();
        assert_eq!(err.errno(), Some(libc::EEXIST), "{err}");

        let del = Link {
            name: Some(b"nlt-a"),
            ..Link::default()
        };
        assert!(
            sock.request(RTM_DELLINK, NlmFlags::empty(), &del)
                .unwrap()
                .is_ack_only()
        );
        assert_eq!(
            link_names(&mut sock),
            [b"lo".to_vec()],
            "deleting one end removes both"
        );
        let err = sock
            .request(RTM_DELLINK, NlmFlags::empty(), &del)
            .unwrap_err();
        assert_eq!(err.errno(), Some(libc::ENODEV), "{err}");
    });
}

/// Asks for a veth pair whose name is too long and returns the error.
fn long_name_refused(sock: &mut Socket) -> Error {
    let link = Link {
        name: Some(b"a-name-far-too-long"),
        veth_peer: Some("p"),
        ..Link::default()
    };
    sock.request(RTM_NEWLINK, NlmFlags::CREATE | NlmFlags::EXCL, &link)
        .unwrap_err()
}

#[test]
fn too_long_ifname_is_erange_with_ext_ack_and_offending_attribute() {
    if !privileged("sends a link request") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        let err = long_name_refused(&mut sock);
        let kernel = err
            .kernel()
            .unwrap_or_else(|| panic!("not a kernel error: {err}"));
        assert_eq!(kernel.errno(), libc::ERANGE, "{kernel}");
        assert!(kernel.message().is_some_and(|m| !m.is_empty()), "{kernel}");
        let offending = kernel.attribute().expect("the kernel names the attribute");
        assert_eq!(
            offending.offset,
            16 + 16,
            "IFLA_IFNAME follows the ifinfomsg"
        );
        assert_eq!(offending.kind, Some(IFLA_IFNAME));
        assert_eq!(kernel.request_type(), RTM_NEWLINK);
        assert!(!kernel.in_done());
        assert!(err.to_string().contains("attribute type 3"), "{err}");
    });
}

#[test]
fn too_long_ifname_is_located_with_cap_ack_too() {
    if !privileged("sends a link request") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .cap_ack(true)
            .open()
            .unwrap();
        let link = Link {
            name: Some(b"a-name-far-too-long"),
            ..Link::default()
        };
        let err = sock
            .request(RTM_NEWLINK, NlmFlags::CREATE, &link)
            .unwrap_err();
        let offending = err.kernel().and_then(|k| k.attribute()).expect("located");
        assert_eq!(offending.kind, Some(IFLA_IFNAME));
    });
}

/// With extended acks turned off the kernel answers the same request
/// with the bare errno: no text, no offending attribute.
#[test]
fn without_ext_ack_an_error_carries_no_text_and_no_attribute() {
    if !privileged("sends a link request") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .ext_ack(false)
            .open()
            .unwrap();
        let err = long_name_refused(&mut sock);
        let kernel = err
            .kernel()
            .unwrap_or_else(|| panic!("not a kernel error: {err}"));
        assert_eq!(kernel.errno(), libc::ERANGE, "{kernel}");
        assert_eq!(kernel.message(), None, "{kernel}");
        assert_eq!(kernel.attribute(), None, "{kernel}");
        assert_eq!(kernel.missing_type(), None, "{kernel}");
        assert_eq!(kernel.request_type(), RTM_NEWLINK);
    });
}

#[test]
fn strict_dump_error_arrives_through_done() {
    if !privileged("dumps links with strict checking") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .strict_checking(true)
            .open()
            .unwrap();
        let bad = Link {
            ifi_type: 1,
            ..Link::default()
        };
        let mut dump = sock.dump(RTM_GETLINK, NlmFlags::empty(), &bad).unwrap();
        let err = match dump.next() {
            Some(Err(err)) => err,
            other => panic!("expected a dump error, got {other:?}"),
        };
        assert!(dump.next().is_none(), "the dump ended");
        drop(dump);
        let kernel = err.kernel().expect("a kernel error");
        assert_eq!(kernel.errno(), libc::EINVAL);
        assert!(kernel.in_done(), "strict dump errors come in NLMSG_DONE");
        assert!(
            kernel.message().is_some_and(|m| m.contains("header")),
            "{kernel}"
        );
        assert_eq!(kernel.request_type(), RTM_GETLINK);
        assert_eq!(
            link_names(&mut sock),
            [b"lo".to_vec()],
            "the socket still works"
        );
    });
}

#[test]
fn link_group_member_sees_the_new_link() {
    if !privileged("creates a veth pair") {
        return;
    }
    in_new_netns(|| {
        let mut listener = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_secs(5)))
            .open()
            .unwrap();
        listener.join_group(RTNLGRP_LINK).unwrap();
        assert_eq!(listener.groups().unwrap(), [RTNLGRP_LINK]);
        create_veth(&mut route_socket(), "nlt-n", "nlt-m").unwrap();
        let mut seen = Vec::new();
        while seen.len() < 2 {
            let (msg, source) = listener.recv_msg().unwrap();
            assert_eq!(source.port, 0);
            assert_eq!(source.multicast_group(), Some(RTNLGRP_LINK));
            if msg.message_type() == RTM_NEWLINK {
                seen.extend(link_name(&msg));
            }
        }
        seen.sort();
        assert_eq!(seen, [b"nlt-m".to_vec(), b"nlt-n".to_vec()]);
    });
}

#[test]
fn notification_carrying_our_seq_is_not_taken_for_the_reply() {
    if !privileged("adds an address") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        sock.join_group(RTNLGRP_LINK).unwrap();
        sock.join_group(RTNLGRP_IPV4_IFADDR).unwrap();
        let port = sock.local_port();
        let seq = sock.next_seq();
        // The kernel announces a new address to its group with the seq and
        // port of the request that made it, before the ack.
        let addr = Addr {
            index: 1,
            addr: Some([10, 7, 7, 7]),
        };
        let reply = sock.request(RTM_NEWADDR, NlmFlags::CREATE, &addr).unwrap();
        assert!(reply.is_ack_only(), "the notification is not the reply");
        assert!(sock.queued() >= 1, "the notification was kept");
        let mut ours = 0;
        while sock.queued() > 0 {
            let datagram = sock.recv().unwrap();
            assert!(datagram.source().is_multicast());
            for msg in datagram.messages() {
                let msg = msg.unwrap();
                if msg.seq() == seq && msg.message_type() == RTM_NEWADDR {
                    assert_eq!(msg.pid(), port);
                    ours += 1;
                }
            }
        }
        assert_eq!(ours, 1, "the kernel copied our seq into one notification");
    });
}

#[test]
fn group_above_32_is_named_by_pktinfo() {
    if !privileged("brings a link up") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_secs(2)))
            .open()
            .unwrap();
        for group in [RTNLGRP_IPV4_MCADDR, RTNLGRP_IPV6_MCADDR] {
            if let Err(err) = sock.join_group(group) {
                netlink_tests::skip(&format!("group {group} is not known here: {err}"));
                return;
            }
        }
        ip(&["link", "set", "lo", "up"]);
        let source = match sock.recv() {
            Ok(datagram) => datagram.source(),
            Err(Error::Timeout) => {
                netlink_tests::skip("this kernel sends no multicast-address notifications");
                return;
            }
            Err(err) => panic!("{err}"),
        };
        assert_eq!(source.groups, 0, "no bitmask above 32");
        assert!(
            matches!(
                source.group,
                Some(RTNLGRP_IPV4_MCADDR | RTNLGRP_IPV6_MCADDR)
            ),
            "{source:?}"
        );
        assert!(sock.groups().unwrap().contains(&RTNLGRP_IPV4_MCADDR));
    });
}

/// Adds `count` addresses 10.x.y.z/32 to lo with one `ip -batch`.
fn add_addresses(count: u32) {
    let batch: String = (0..count)
        .map(|i| format!("addr add 10.1.{}.{}/32 dev lo\n", i / 250, i % 250 + 1))
        .collect();
    let path = std::env::temp_dir().join(format!("nlt-addr-{}", std::process::id()));
    std::fs::write(&path, batch).unwrap();
    ip(&["-batch", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(path);
}

/// Changes an address of lo until `stop` is set, from a socket of its own.
fn churn(stop: &AtomicBool) {
    let mut sock = route_socket();
    let addr = Addr {
        index: 1,
        addr: Some([10, 9, 9, 9]),
    };
    while !stop.load(Ordering::Relaxed) {
        sock.request(RTM_NEWADDR, NlmFlags::CREATE, &addr).unwrap();
        sock.request(RTM_DELADDR, NlmFlags::empty(), &addr).unwrap();
    }
}

#[test]
fn dump_intr_is_reported_when_addresses_change_during_the_dump() {
    if !privileged("changes addresses") {
        return;
    }
    in_new_netns(|| {
        add_addresses(1500);
        let stop = AtomicBool::new(false);
        let mut sock = route_socket();
        let interrupted = std::thread::scope(|s| {
            s.spawn(|| churn(&stop));
            let mut outcome = None;
            for _ in 0..50 {
                let mut dump = sock
                    .dump(
                        RTM_GETADDR,
                        NlmFlags::empty(),
                        &Addr {
                            index: 0,
                            addr: None,
                        },
                    )
                    .unwrap();
                let mut messages = 0;
                while let Some(item) = dump.next() {
                    match item {
                        Ok(_) => messages += 1,
                        Err(Error::DumpInterrupted { received, attempts }) => {
                            outcome = Some((received, messages, attempts));
                        }
                        Err(err) => panic!("{err}"),
                    }
                }
                if outcome.is_some() {
                    break;
                }
            }
            stop.store(true, Ordering::Relaxed);
            outcome
        });
        let (received, handed, attempts) = interrupted.expect("50 raced dumps, none interrupted");
        assert_eq!(
            received, handed,
            "every message was handed over before the error"
        );
        assert!(received >= 1000);
        assert_eq!(attempts, 1);

        let all = sock
            .dump_consistent(
                RTM_GETADDR,
                NlmFlags::empty(),
                &Addr {
                    index: 0,
                    addr: None,
                },
                3,
                |_| Ok(()),
            )
            .unwrap();
        assert!(all.len() >= 1500, "a quiet dump is consistent");
    });
}

#[test]
fn second_dump_while_one_runs_is_reported_busy() {
    if !privileged("adds addresses") {
        return;
    }
    in_new_netns(|| {
        add_addresses(1500);
        let mut sock = route_socket();
        let query = Addr {
            index: 0,
            addr: None,
        };
        let mut first = sock.dump(RTM_GETADDR, NlmFlags::empty(), &query).unwrap();
        first.next().unwrap().unwrap();
        drop(first);
        let mut second = sock.dump(RTM_GETADDR, NlmFlags::empty(), &query).unwrap();
        let err = loop {
            match second.next() {
                Some(Err(err)) => break err,
                Some(Ok(_)) => {}
                None => panic!("the second dump ran while the first was unfinished"),
            }
        };
        assert!(matches!(err, Error::DumpBusy(_)), "{err:?}");
        assert_eq!(err.errno(), Some(libc::EBUSY));
        drop(second);
        // The abandoned dump drains; a later dump gets everything.
        let mut done = None;
        for _ in 0..5 {
            match sock.dump_consistent(RTM_GETADDR, NlmFlags::empty(), &query, 1, |_| Ok(())) {
                Ok(all) => {
                    done = Some(all.len());
                    break;
                }
                Err(Error::DumpBusy(_)) => {}
                Err(err) => panic!("{err}"),
            }
        }
        assert!(done.expect("the socket recovers") >= 1500);
    });
}

#[test]
fn spoofed_newlink_from_a_user_port_is_dropped_and_counted() {
    if !privileged("sends to another socket's port") {
        return;
    }
    in_new_netns(|| {
        let mut victim = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_millis(200)))
            .open()
            .unwrap();
        let mut attacker = Socket::open(Protocol::ROUTE).unwrap();
        let mut fake = Vec::new();
        let mut msg = netlink_core::MessageBuilder::new(&mut fake, RTM_NEWLINK, NlmFlags::empty());
        msg.payload(&Link {
            name: Some(b"evil0"),
            ..Link::default()
        })
        .unwrap();
        msg.set_seq(victim.next_seq());
        msg.finish().unwrap();
        attacker
            .send_raw_to(Address::port(victim.local_port()), &fake)
            .unwrap();
        assert!(matches!(victim.recv(), Err(Error::Timeout)));
        assert_eq!(victim.dropped_foreign(), 1);
        assert_eq!(link_names(&mut victim), [b"lo".to_vec()], "still works");
    });
}

/// Runs `f` on a thread in a fresh namespace of its own (only lo) while
/// another thread holds a target namespace that alone has the veth pair
/// `nlt-t0`/`nlt-t1`; `f` gets the target's path,
/// `/proc/PID/task/TID/ns/net`, valid while that thread lives.
fn from_another_namespace<T: Send>(f: impl FnOnce(&str) -> T + Send) -> T {
    let (ready, target) = mpsc::channel();
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|s| {
        s.spawn(move || {
            in_new_netns(move || {
                create_veth(&mut route_socket(), "nlt-t0", "nlt-t1").unwrap();
                let path = format!("/proc/{}/task/{}/ns/net", std::process::id(), gettid());
                ready.send(path).unwrap();
                // Keeps the namespace, and its path, until `f` is done.
                let _ = finished.recv();
            });
        });
        let path = target.recv().expect("the target namespace is ready");
        let result = in_new_netns(|| f(&path));
        drop(done);
        result
    })
}

/// Returns the link names a socket sees, sorted.
fn sorted_link_names(sock: &mut Socket) -> Vec<Vec<u8>> {
    let mut names = link_names(sock);
    names.sort();
    names
}

fn target_links() -> Vec<Vec<u8>> {
    vec![b"lo".to_vec(), b"nlt-t0".to_vec(), b"nlt-t1".to_vec()]
}

/// Opens a socket with the builder `open` makes from the target's path,
/// on a thread in another namespace, and checks that the socket lives in
/// the target namespace: it sees the veth pair only the target has, while
/// the opening thread, which never moved, still sees only its own lo.
fn assert_opened_in_the_target(open: impl FnOnce(&str) -> SocketBuilder + Send) {
    let (inside, here) = from_another_namespace(|path| {
        let mut sock = open(path)
            .reply_timeout(Some(Duration::from_secs(10)))
            .open()
            .unwrap();
        (
            sorted_link_names(&mut sock),
            sorted_link_names(&mut route_socket()),
        )
    });
    assert_eq!(inside, target_links());
    assert_eq!(here, [b"lo".to_vec()], "the opening thread stayed put");
}

#[test]
fn socket_opened_in_a_namespace_by_path_sees_that_namespace() {
    if !privileged("opens a socket in another namespace") {
        return;
    }
    assert_opened_in_the_target(|path| SocketBuilder::new(Protocol::ROUTE).netns_path(path));
}

/// The same with a descriptor of the target namespace.
#[test]
fn socket_opened_in_a_namespace_by_fd_sees_that_namespace() {
    if !privileged("opens a socket in another namespace") {
        return;
    }
    assert_opened_in_the_target(|path| {
        let ns = OwnedFd::from(std::fs::File::open(path).unwrap());
        SocketBuilder::new(Protocol::ROUTE).netns_fd(ns)
    });
}

/// `RTM_NEWNSID` (from `linux/rtnetlink.h`).
const RTM_NEWNSID: MessageType = MessageType(88);
/// `NETNSA_NSID` and `NETNSA_FD` (from `linux/net_namespace.h`).
const NETNSA_NSID: u16 = 1;
const NETNSA_FD: u16 = 3;
/// `NETLINK_LISTEN_ALL_NSID` (from `linux/netlink.h`).
const NETLINK_LISTEN_ALL_NSID: libc::c_int = 8;

/// An `RTM_NEWNSID` payload: `rtgenmsg` (padded to 4 bytes), then the id
/// to give the namespace that descriptor `fd` refers to.
struct NewNsid {
    fd: u32,
    nsid: i32,
}

impl Encode for NewNsid {
    fn encoded_len(&self) -> usize {
        4 + 8 + 8
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[libc::AF_UNSPEC as u8, 0, 0, 0]);
        attr::write(out, NETNSA_NSID, &self.nsid)?;
        attr::write(out, NETNSA_FD, &self.fd)
    }
}

/// A socket with `listen_all_nsid` receives the link notifications of a
/// peer namespace that has an id here, each with that id in its source;
/// a socket without the option, in the same group, does not. The peer
/// namespace is reached through a descriptor: it has no name.
#[test]
fn listen_all_nsid_receives_a_peer_namespace_notifications_with_its_id() {
    if !privileged("assigns a namespace id and creates links in a peer namespace") {
        return;
    }
    in_new_netns(|| {
        let mut listener = SocketBuilder::new(Protocol::ROUTE)
            .listen_all_nsid(true)
            .read_timeout(Some(Duration::from_secs(5)))
            .open()
            .unwrap();
        let mut plain = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_millis(300)))
            .open()
            .unwrap();
        for sock in [&mut listener, &mut plain] {
            sock.join_group(RTNLGRP_LINK).unwrap();
        }
        let level = libc::SOL_NETLINK;
        assert_eq!(getsockopt_int(&listener, level, NETLINK_LISTEN_ALL_NSID), 1);
        assert_eq!(getsockopt_int(&plain, level, NETLINK_LISTEN_ALL_NSID), 0);

        let peer = in_new_netns(|| {
            OwnedFd::from(std::fs::File::open("/proc/thread-self/ns/net").unwrap())
        });
        let fd = u32::try_from(peer.as_raw_fd()).unwrap();
        let mut sock = route_socket();
        let reply = sock
            .request(RTM_NEWNSID, NlmFlags::empty(), &NewNsid { fd, nsid: 7 })
            .unwrap();
        assert!(reply.is_ack_only());

        let mut inside = SocketBuilder::new(Protocol::ROUTE)
            .netns_fd(peer.try_clone().unwrap())
            .reply_timeout(Some(Duration::from_secs(10)))
            .open()
            .unwrap();
        create_veth(&mut inside, "nlt-i0", "nlt-i1").unwrap();

        let mut seen = Vec::new();
        while seen.len() < 2 {
            let (msg, source) = listener.recv_msg().unwrap();
            if msg.message_type() != RTM_NEWLINK {
                continue;
            }
            assert_eq!(source.port, 0);
            assert_eq!(source.nsid, Some(7), "{source:?}");
            seen.extend(link_name(&msg));
        }
        seen.sort();
        assert_eq!(seen, [b"nlt-i0".to_vec(), b"nlt-i1".to_vec()]);
        let err = plain.recv().map(|d| d.source()).unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");
        assert_eq!(sorted_link_names(&mut sock), [b"lo".to_vec()]);
    });
}

fn gettid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .expect("thread id")
}

/// A link dump read with `one_call_receive` at the 32 KiB floor sees the
/// same links as one read with the default peek: the kernel fills dump
/// datagrams to at most what the socket reads with, so none is cut.
#[test]
fn one_call_receive_reads_a_link_dump_whole() {
    if !privileged("creates veth pairs") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        for i in 0..40 {
            create_veth(&mut sock, &format!("oc{i}a"), &format!("oc{i}b")).unwrap();
        }
        let mut one_call = SocketBuilder::new(Protocol::ROUTE)
            .one_call_receive(netlink_socket::RECV_FLOOR)
            .open()
            .unwrap();
        let peeked = sorted_link_names(&mut sock);
        assert_eq!(peeked.len(), 81, "lo and 40 pairs");
        assert_eq!(sorted_link_names(&mut one_call), peeked);
    });
}
