//! The kernel facts of the reliability notes, reproduced against the real
//! kernel, each with what the socket does about it: DONE sharing a
//! datagram with dump data, requests the kernel answers with silence or
//! with a bare ack, the receive-size drift of dumps, the missing nested
//! flag on `IFLA_LINKINFO`, and interface names that are not UTF-8.
//!
//! Tests that change links or addresses run in a private network
//! namespace each creates; without CAP_NET_ADMIN and CAP_SYS_ADMIN they
//! say that they skip, and fail under NETLINK_TEST_REQUIRE_PRIVILEGED=1.

mod socket_rtnl;

use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use netlink_core::{Encode, MessageBuilder, NlMsgHdr};
use netlink_socket::genl::{self, GENL_ID_CTRL, ctrl};
use netlink_socket::{Address, Error, MessageType, NlmFlags, Protocol, Socket, SocketBuilder};
use netlink_tests::{in_new_netns, privileged};
use socket_rtnl::{
    IFLA_INFO_KIND, IFLA_LINKINFO, Ipv4Addrs, Link, RTM_DELLINK, RTM_GETADDR, RTM_GETLINK,
    RTM_NEWADDR, RTM_NEWLINK, add_addresses, link_attrs, link_index, link_name, link_names,
    route_socket,
};
use zerocopy::IntoBytes;

/// Returns `payload` as one message of type `ty` with exactly `flags` and
/// sequence number `seq`.
fn raw_message<P: Encode + ?Sized>(
    ty: MessageType,
    flags: NlmFlags,
    seq: u32,
    payload: &P,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut msg = MessageBuilder::new(&mut out, ty, flags);
    msg.set_seq(seq);
    msg.payload(payload).unwrap();
    msg.finish().unwrap();
    out
}

// ----- fact 1: DONE in the same datagram as dump data ----------------------

/// `RTM_GETRULE`, and an `fib_rule_hdr` asking for IPv4 rules.
const RTM_GETRULE: MessageType = MessageType(34);
const IPV4_RULES: [u8; 12] = [libc::AF_INET as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// A rule dump of a new namespace (its three default IPv4 rules) comes as
/// one datagram that holds the rules and DONE. The socket's dump hands
/// over every rule of that datagram, then ends.
#[test]
fn done_shares_a_datagram_with_dump_data_and_nothing_is_lost() {
    if !privileged("dumps the rules of a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_secs(2)))
            .open()
            .unwrap();
        let flags = NlmFlags::REQUEST | NlmFlags::DUMP;
        let seq = sock
            .send_to(Address::port(0), RTM_GETRULE, flags, &IPV4_RULES[..])
            .unwrap();
        let mut datagrams = Vec::new();
        loop {
            let datagram = sock.recv().unwrap();
            let types: Vec<MessageType> = datagram
                .messages()
                .map(|m| m.unwrap())
                .inspect(|m| assert_eq!(m.seq(), seq))
                .map(|m| m.message_type())
                .collect();
            let done = types.last() == Some(&MessageType::DONE);
            datagrams.push(types);
            if done {
                break;
            }
        }
        if datagrams.last().is_some_and(|types| types.len() == 1) {
            netlink_tests::skip("this kernel sends DONE alone; socket_hostile covers the case");
            return;
        }
        let rule = MessageType(32);
        assert_eq!(datagrams, [vec![rule, rule, rule, MessageType::DONE]]);

        let mut dump = sock
            .dump(RTM_GETRULE, NlmFlags::empty(), &IPV4_RULES[..])
            .unwrap();
        let mut rules = 0;
        while let Some(msg) = dump.next() {
            assert_eq!(msg.unwrap().message_type(), rule);
            rules += 1;
        }
        drop(dump);
        assert_eq!(rules, 3, "every rule, those next to DONE included");
        assert_eq!(sock.queued(), 0);
    });
}

// ----- fact 2: silence, and acks of requests that are not requests ---------

/// A message without `NLM_F_REQUEST` is not executed, yet `NLM_F_ACK`
/// still gets an ack with error 0: here a veth pair is not created.
#[test]
fn message_without_request_flag_is_acked_with_zero_and_not_executed() {
    if !privileged("sends link requests in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        let flags = NlmFlags::ACK | NlmFlags::CREATE | NlmFlags::EXCL;
        let veth = Link::veth(b"nlt-r0", "nlt-r1");
        let seq = 0x5eed_0001;
        sock.send_raw(&raw_message(RTM_NEWLINK, flags, seq, &veth))
            .unwrap();
        assert_eq!(sock.wait_for_ack(seq).unwrap(), None, "acked with 0");
        assert_eq!(link_names(&mut sock), [b"lo".to_vec()], "not executed");
        assert_eq!(sock.queued(), 0, "the ack was all");
    });
}

/// A message whose `nlmsg_len` runs past the datagram, or is below 16,
/// gets no reply at all, even with `NLM_F_ACK`: the wait for its ack ends
/// in a typed timeout. In a datagram whose second message runs past the
/// end, the first is answered and the second is not. The socket works
/// after.
#[test]
fn message_with_a_bad_length_gets_no_reply_and_the_wait_times_out() {
    let mut sock = SocketBuilder::new(Protocol::ROUTE)
        .reply_timeout(Some(Duration::from_millis(200)))
        .read_timeout(Some(Duration::from_millis(200)))
        .open()
        .unwrap();
    let flags = NlmFlags::REQUEST | NlmFlags::ACK;
    let good = raw_message(RTM_GETLINK, flags, 0x5eed_0010, &Link::index(1));
    for (seq, len) in [(0x5eed_0011, good.len() as u32 + 4), (0x5eed_0012, 8)] {
        let mut bad = good.clone();
        let mut hdr = NlMsgHdr::default();
        hdr.as_mut_bytes().copy_from_slice(&bad[..16]);
        hdr.len = len;
        hdr.seq = seq;
        bad[..16].copy_from_slice(hdr.as_bytes());
        sock.send_raw(&bad).unwrap();
        let err = sock.wait_for_ack(seq).unwrap_err();
        assert!(matches!(err, Error::Timeout), "len {len}: {err:?}");
        assert_eq!(sock.queued(), 0, "len {len}: no reply at all");

        let mut pair = good.clone();
        pair.extend_from_slice(&bad);
        sock.send_raw(&pair).unwrap();
        assert_eq!(sock.wait_for_ack(0x5eed_0010).unwrap(), None);
        let err = sock.wait_for_ack(seq).unwrap_err();
        assert!(matches!(err, Error::Timeout), "len {len}: {err:?}");
        let (reply, _) = sock.recv_msg().unwrap();
        assert_eq!(reply.message_type(), RTM_NEWLINK, "the first was answered");
        assert_eq!(sock.queued(), 0);
    }
    let reply = sock
        .request(RTM_GETLINK, NlmFlags::empty(), &Link::index(1))
        .unwrap();
    assert_eq!(link_index(&reply.message().unwrap()), 1);
}

// ----- fact 4: receive-size drift ----------------------------------------

/// Receives one datagram of at most `capacity` bytes from `fd`; returns
/// its real length (`MSG_TRUNC`) and whether it was cut.
fn raw_recv(fd: &OwnedFd, capacity: usize) -> Option<(usize, bool)> {
    let mut buf = vec![0u8; capacity];
    // SAFETY: `buf` holds `capacity` writable bytes for the whole call.
    let len = unsafe {
        libc::recv(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            capacity,
            libc::MSG_TRUNC,
        )
    };
    let len = usize::try_from(len).ok()?;
    Some((len, len > capacity))
}

/// After one 32 KiB receive the kernel fills dump datagrams to 32 KiB, so
/// 4 KiB receives truncate them. The socket, wrapping the very same
/// descriptor, sizes every receive by a peek: a dump of 1500 addresses
/// hands over exactly 1500 messages.
#[test]
fn receive_size_drift_truncates_small_reads_but_never_the_socket() {
    if !privileged("adds addresses in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        add_addresses(1500);
        let sock = SocketBuilder::new(Protocol::ROUTE)
            .read_timeout(Some(Duration::from_millis(300)))
            .open()
            .unwrap();
        let port = sock.local_port();
        let fd = OwnedFd::from(sock);
        let dump = raw_message(
            RTM_GETADDR,
            NlmFlags::REQUEST | NlmFlags::DUMP,
            1,
            &Ipv4Addrs,
        );
        // SAFETY: `dump` is a live buffer of the length passed.
        let sent = unsafe { libc::send(fd.as_raw_fd(), dump.as_ptr().cast(), dump.len(), 0) };
        assert_eq!(usize::try_from(sent).unwrap(), dump.len());
        // The first datagram was filled before any receive; this one
        // raises the size of the next ones to 32 KiB.
        let (_, cut) = raw_recv(&fd, 32 * 1024).unwrap();
        assert!(!cut);
        let (mut small, mut truncated) = (0, 0);
        while let Some((_, cut)) = raw_recv(&fd, 4096) {
            small += 1;
            truncated += usize::from(cut);
        }
        assert!(small >= 1, "the dump went on after the first datagram");
        assert!(truncated >= 1, "none of {small} later datagrams were cut");

        let mut sock = Socket::from_fd(fd).unwrap();
        assert_eq!(sock.local_port(), port);
        let mut dump = sock
            .dump(RTM_GETADDR, NlmFlags::empty(), &Ipv4Addrs)
            .unwrap();
        let mut count = 0;
        while let Some(msg) = dump.next() {
            assert_eq!(msg.unwrap().message_type(), RTM_NEWADDR);
            count += 1;
        }
        assert_eq!(count, 1500, "every message of the dump");
    });
}

// ----- fact 8: the nested flag ----------------------------------------------

/// rtnetlink sends `IFLA_LINKINFO` without `NLA_F_NESTED` though the
/// request carried it; it is read as a nest all the same.
#[test]
fn linkinfo_arrives_without_the_nested_flag_and_is_read_as_a_nest() {
    if !privileged("creates a veth pair in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        let request = Link::veth(b"nlt-n0", "nlt-n1");
        let mut encoded = Vec::new();
        request.encode(&mut encoded).unwrap();
        let sent = netlink_core::Attrs::new(&encoded[16..])
            .filter_map(Result::ok)
            .find(|a| a.kind() == IFLA_LINKINFO)
            .unwrap();
        assert!(sent.is_nested(), "encode always sets the flag");
        sock.request(RTM_NEWLINK, NlmFlags::CREATE, &request)
            .unwrap();

        let reply = sock
            .request(
                RTM_GETLINK,
                NlmFlags::empty(),
                &Link {
                    name: Some(b"nlt-n0"),
                    ..Link::default()
                },
            )
            .unwrap();
        let msg = reply.message().unwrap();
        let info = link_attrs(&msg)
            .filter_map(Result::ok)
            .find(|a| a.kind() == IFLA_LINKINFO)
            .expect("IFLA_LINKINFO");
        assert!(!info.is_nested(), "the kernel leaves the flag out");
        let kind = info
            .nested()
            .filter_map(Result::ok)
            .find(|a| a.kind() == IFLA_INFO_KIND)
            .expect("IFLA_INFO_KIND inside");
        assert_eq!(kind.payload(), b"veth\0");
    });
}

/// Returns a generic netlink payload: `genlmsghdr` for `cmd`, then one
/// attribute of raw type `raw_type` (flag bits included) holding `value`.
fn genl_payload(cmd: u8, raw_type: u16, value: &[u8]) -> Vec<u8> {
    let mut out = vec![cmd, 1, 0, 0];
    netlink_core::attr::write_raw(&mut out, raw_type, value).unwrap();
    out
}

/// Strict generic netlink families check the flag on input: the
/// controller's policy dump refuses `NLA_F_NESTED` on a string, and
/// ethtool refuses a nest without it. Both are typed kernel errors with
/// the kernel's reason.
#[test]
fn strict_generic_families_check_the_nested_flag_on_input() {
    let mut sock = SocketBuilder::new(Protocol::GENERIC)
        .reply_timeout(Some(Duration::from_secs(2)))
        .open()
        .unwrap();
    const CTRL_CMD_GETPOLICY: u8 = 10;
    let name = genl_payload(
        CTRL_CMD_GETPOLICY,
        0x8000 | ctrl::ATTR_FAMILY_NAME,
        b"nlctrl\0",
    );
    let mut dump = sock
        .dump(GENL_ID_CTRL, NlmFlags::empty(), &name[..])
        .unwrap();
    let err = match dump.next() {
        Some(Err(err)) => err,
        other => panic!("expected a refusal, got {other:?}"),
    };
    drop(dump);
    let kernel = err.kernel().expect("a kernel error");
    assert_eq!(kernel.errno(), libc::EINVAL, "{kernel}");
    assert!(
        kernel.message().is_some_and(|m| m.contains("NLA_F_NESTED")),
        "{kernel}"
    );

    let Ok(ethtool) = genl::get_family(&mut sock, "ethtool") else {
        netlink_tests::skip("this kernel has no ethtool family");
        return;
    };
    const ETHTOOL_MSG_LINKINFO_GET: u8 = 2;
    const ETHTOOL_A_LINKINFO_HEADER: u16 = 1;
    const ETHTOOL_A_HEADER_DEV_NAME: u16 = 2;
    let mut header = Vec::new();
    netlink_core::attr::write(&mut header, ETHTOOL_A_HEADER_DEV_NAME, "lo").unwrap();
    let bare = genl_payload(ETHTOOL_MSG_LINKINFO_GET, ETHTOOL_A_LINKINFO_HEADER, &header);
    let err = sock
        .request(ethtool.message_type(), NlmFlags::empty(), &bare[..])
        .unwrap_err();
    let kernel = err.kernel().expect("a kernel error");
    assert_eq!(kernel.errno(), libc::EINVAL, "{kernel}");
    assert!(
        kernel.message().is_some_and(|m| m.contains("NLA_F_NESTED")),
        "{kernel}"
    );
}

// ----- fact 9: names are bytes ----------------------------------------------

/// An interface name that is not UTF-8 is accepted, dumped back byte for
/// byte, and can be used to delete the link.
#[test]
fn interface_names_are_bytes() {
    if !privileged("creates a veth pair in a new network namespace") {
        return;
    }
    in_new_netns(|| {
        let mut sock = route_socket();
        let name: &[u8] = b"br\xff\xfe";
        sock.request(
            RTM_NEWLINK,
            NlmFlags::CREATE | NlmFlags::EXCL,
            &Link::veth(name, "nlt-u1"),
        )
        .unwrap();
        let names = link_names(&mut sock);
        assert_eq!(names, [name.to_vec(), b"lo".to_vec(), b"nlt-u1".to_vec()]);

        let reply = sock
            .request(
                RTM_GETLINK,
                NlmFlags::empty(),
                &Link {
                    name: Some(name),
                    ..Link::default()
                },
            )
            .unwrap();
        assert_eq!(link_name(&reply.message().unwrap()).as_deref(), Some(name));
        let del = Link {
            name: Some(name),
            ..Link::default()
        };
        assert!(
            sock.request(RTM_DELLINK, NlmFlags::empty(), &del)
                .unwrap()
                .is_ack_only()
        );
        assert_eq!(link_names(&mut sock), [b"lo".to_vec()]);
    });
}
