//! Decoding of datagrams captured from a real kernel (see
//! `fixtures/README.md`), and their byte-for-byte rebuild.

use netlink_core::ack::tlv;
use netlink_core::attr::{MAX_NEST_DEPTH, NestedWalk};
use netlink_core::{
    Attr, Attrs, Control, Decode, DoneMessage, ErrorMessage, MacAddr, Message, MessageBuilder,
    MessageType, Messages, NlmFlags,
};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

const LINK_DUMP: &[u8] = include_bytes!("fixtures/link_dump.bin");
const LINK_DUMP_32K: &[u8] = include_bytes!("fixtures/link_dump_32k.bin");
const GENL_CTRL_NLCTRL: &[u8] = include_bytes!("fixtures/genl_ctrl_nlctrl.bin");
const GENL_CTRL_DUMP: &[u8] = include_bytes!("fixtures/genl_ctrl_dump.bin");
const ERROR_ACK_EXT: &[u8] = include_bytes!("fixtures/error_ack_ext.bin");
const ERROR_ACK_CAPPED: &[u8] = include_bytes!("fixtures/error_ack_capped.bin");
const ACK_WARNING: &[u8] = include_bytes!("fixtures/ack_warning.bin");
const DONE_ERRNO: &[u8] = include_bytes!("fixtures/done_errno.bin");
const POLICY_ERROR: &[u8] = include_bytes!("fixtures/policy_error.bin");

const RTM_NEWLINK: MessageType = MessageType(16);
const RTM_NEWTCLASS: u16 = 40;
const GENL_ID_CTRL: MessageType = MessageType(0x10);

const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINKINFO: u16 = 18;
const IFLA_AF_SPEC: u16 = 26;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;

const CTRL_CMD_NEWFAMILY: u8 = 1;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_OPS: u16 = 6;
const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
const CTRL_ATTR_OP_ID: u16 = 1;
const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

const NL_POLICY_TYPE_ATTR_TYPE: u16 = 1;
const NL_POLICY_TYPE_ATTR_MIN_VALUE_U: u16 = 4;
const NL_POLICY_TYPE_ATTR_MAX_VALUE_U: u16 = 5;
const NL_POLICY_TYPE_ATTR_MAX_LENGTH: u16 = 7;
const NL_ATTR_TYPE_U16: u32 = 3;
const NL_ATTR_TYPE_STRING: u32 = 11;

const ERANGE: i32 = 34;
const EINVAL: i32 = 22;

/// `struct ifinfomsg`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct IfInfoMsg {
    family: u8,
    pad: u8,
    ty: u16,
    index: i32,
    flags: u32,
    change: u32,
}

/// `struct genlmsghdr`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct GenlMsgHdr {
    cmd: u8,
    version: u8,
    reserved: u16,
}

fn messages(datagram: &[u8]) -> Vec<Message<'_>> {
    Messages::new(datagram)
        .collect::<Result<_, _>>()
        .expect("fixture frames cleanly")
}

fn single(datagram: &[u8]) -> Message<'_> {
    let all = messages(datagram);
    assert_eq!(all.len(), 1, "one message expected");
    all[0]
}

/// Walks every attribute after a family header of `T`, descending where
/// `descend` says, and returns how many it saw.
fn walk_all<T: FromBytes>(msg: &Message<'_>, descend: fn(&[u16], &Attr<'_>) -> bool) -> usize {
    let (_, attrs) = msg.family_header::<T>().expect("family header");
    NestedWalk::over(attrs, MAX_NEST_DEPTH, descend)
        .inspect(|r| assert!(r.is_ok(), "every attribute frames cleanly: {r:?}"))
        .count()
}

/// The nests of a link message: link info and its data, per-family data,
/// and whatever carries the nested flag.
fn link_nests(path: &[u16], attr: &Attr<'_>) -> bool {
    attr.is_nested()
        || match path {
            [] => matches!(attr.kind(), IFLA_LINKINFO | IFLA_AF_SPEC),
            [IFLA_LINKINFO] => attr.kind() == IFLA_INFO_DATA,
            [IFLA_AF_SPEC] => true,
            _ => false,
        }
}

/// The nests of a controller message: ops and groups, each an array.
fn ctrl_nests(path: &[u16], attr: &Attr<'_>) -> bool {
    match path {
        [] => matches!(attr.kind(), CTRL_ATTR_OPS | CTRL_ATTR_MCAST_GROUPS),
        [_] => true,
        _ => false,
    }
}

fn find<'a>(attrs: Attrs<'a>, kind: u16) -> Attr<'a> {
    attrs
        .map(|a| a.expect("attribute frames cleanly"))
        .find(|a| a.kind() == kind)
        .unwrap_or_else(|| panic!("attribute {kind} present"))
}

/// Rebuilds `msg` from its decoded parts: header fields, family header and
/// every top-level attribute with its raw type.
fn rebuild<T: FromBytes + IntoBytes + Immutable>(msg: &Message<'_>) -> Vec<u8> {
    let (family, attrs) = msg.family_header::<T>().unwrap();
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.flags());
    b.set_seq(msg.seq()).set_pid(msg.pid());
    b.family_header(&family).unwrap();
    for attr in attrs {
        let attr = attr.unwrap();
        b.raw_attr(attr.raw_type(), attr.payload()).unwrap();
    }
    b.finish().unwrap();
    out
}

fn rebuild_datagram<T: FromBytes + IntoBytes + Immutable>(datagram: &[u8]) -> Vec<u8> {
    messages(datagram)
        .iter()
        .flat_map(|m| match m.message_type() {
            MessageType::DONE => m_bytes(m),
            _ => rebuild::<T>(m),
        })
        .collect()
}

fn m_bytes(msg: &Message<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.flags());
    b.set_seq(msg.seq()).set_pid(msg.pid());
    b.append(msg.payload()).unwrap();
    b.finish().unwrap();
    out
}

#[test]
fn link_dump_decodes_every_link_and_attribute() {
    let msgs = messages(LINK_DUMP);
    assert_eq!(msgs.len(), 4);
    let mut names = Vec::new();
    let mut walked = Vec::new();
    for msg in &msgs {
        assert_eq!(msg.message_type(), RTM_NEWLINK);
        assert_eq!(msg.flags(), NlmFlags::MULTI);
        assert_eq!(msg.seq(), 0x1001);
        walked.push(walk_all::<IfInfoMsg>(msg, link_nests));

        let (ifi, attrs) = msg.family_header::<IfInfoMsg>().unwrap();
        let name = <&str>::decode(find(attrs.clone(), IFLA_IFNAME).payload()).unwrap();
        let mtu = u32::decode(find(attrs.clone(), IFLA_MTU).payload()).unwrap();
        let mac = MacAddr::decode(find(attrs, IFLA_ADDRESS).payload()).unwrap();
        names.push((ifi.index, name, mtu, mac.to_string()));
    }
    assert_eq!(
        names,
        [
            (1, "lo", 65536, "00:00:00:00:00:00".to_owned()),
            (2, "veth1", 1500, "02:00:00:00:00:02".to_owned()),
            (3, "veth0", 1500, "02:00:00:00:00:01".to_owned()),
            (4, "br0", 1500, "02:00:00:00:00:03".to_owned()),
        ]
    );
    assert_eq!(
        walked,
        [48, 51, 51, 93],
        "attributes per link, nests included"
    );
}

#[test]
fn link_dump_linkinfo_arrives_without_the_nested_flag() {
    let kinds: Vec<_> = messages(LINK_DUMP)
        .iter()
        .filter_map(|msg| {
            let (_, attrs) = msg.family_header::<IfInfoMsg>().unwrap();
            let info = attrs
                .map(Result::unwrap)
                .find(|a| a.kind() == IFLA_LINKINFO)?;
            assert!(!info.is_nested(), "rtnetlink leaves NLA_F_NESTED off");
            let kind = find(info.nested(), IFLA_INFO_KIND);
            Some(<&str>::decode(kind.payload()).unwrap().to_owned())
        })
        .collect();
    assert_eq!(kinds, ["veth", "veth", "bridge"]);
}

#[test]
fn link_dump_bridge_info_data_nests_one_level_further() {
    let br = messages(LINK_DUMP)[3];
    let (_, attrs) = br.family_header::<IfInfoMsg>().unwrap();
    let data = find(find(attrs, IFLA_LINKINFO).nested(), IFLA_INFO_DATA);
    assert!(data.nested().map(Result::unwrap).count() > 30);
}

#[test]
fn link_dump_offsets_count_from_the_datagram_start_of_each_message() {
    let msg = messages(LINK_DUMP)[0];
    let (_, mut attrs) = msg.family_header::<IfInfoMsg>().unwrap();
    let first = attrs.next().unwrap().unwrap();
    assert_eq!(first.offset(), 32, "after nlmsghdr and ifinfomsg");
    assert_eq!(first.kind(), IFLA_IFNAME);
}

#[test]
fn link_dump_rebuilds_byte_for_byte() {
    assert_eq!(rebuild_datagram::<IfInfoMsg>(LINK_DUMP), LINK_DUMP);
}

#[test]
fn link_dump_32k_walks_to_the_end_and_rebuilds() {
    assert!(LINK_DUMP_32K.len() > 30 * 1024 && LINK_DUMP_32K.len() <= 32 * 1024);
    let msgs = messages(LINK_DUMP_32K);
    assert_eq!(msgs.len(), 21);
    let framed: usize = msgs.iter().map(|m| m.header().len as usize).sum();
    assert_eq!(framed, LINK_DUMP_32K.len());
    for msg in &msgs {
        assert!([48, 51, 93].contains(&walk_all::<IfInfoMsg>(msg, link_nests)));
    }
    assert_eq!(rebuild_datagram::<IfInfoMsg>(LINK_DUMP_32K), LINK_DUMP_32K);
}

#[test]
fn genl_nlctrl_reply_decodes_family_ops_and_groups() {
    let msg = single(GENL_CTRL_NLCTRL);
    assert_eq!(msg.message_type(), GENL_ID_CTRL);
    assert_eq!(msg.seq(), 0x1006);
    let (genl, attrs) = msg.family_header::<GenlMsgHdr>().unwrap();
    assert_eq!(genl.cmd, CTRL_CMD_NEWFAMILY);

    let id = u16::decode(find(attrs.clone(), CTRL_ATTR_FAMILY_ID).payload()).unwrap();
    let name = <&str>::decode(find(attrs.clone(), CTRL_ATTR_FAMILY_NAME).payload()).unwrap();
    assert_eq!((id, name), (0x10, "nlctrl"));

    // Ops are an array: each element is a nest whose type is its index.
    let ops: Vec<(u16, u32)> = find(attrs.clone(), CTRL_ATTR_OPS)
        .nested()
        .map(|op| {
            let op = op.unwrap();
            let id = u32::decode(find(op.nested(), CTRL_ATTR_OP_ID).payload()).unwrap();
            (op.kind(), id)
        })
        .collect();
    assert_eq!(ops, [(1, 3), (2, 10)], "GETFAMILY and GETPOLICY");

    let group = find(find(attrs, CTRL_ATTR_MCAST_GROUPS).nested(), 1);
    let gname = <&str>::decode(find(group.nested(), CTRL_ATTR_MCAST_GRP_NAME).payload());
    let gid = u32::decode(find(group.nested(), CTRL_ATTR_MCAST_GRP_ID).payload());
    assert_eq!((gname.unwrap(), gid.unwrap()), ("notify", 0x10));

    let walked = walk_all::<GenlMsgHdr>(&msg, ctrl_nests);
    assert_eq!(walked, 5 + 1 + 2 + 4 + 1 + 1 + 2);
}

#[test]
fn genl_nlctrl_reply_rebuilds_byte_for_byte() {
    assert_eq!(
        rebuild::<GenlMsgHdr>(&single(GENL_CTRL_NLCTRL)),
        GENL_CTRL_NLCTRL
    );
}

#[test]
fn genl_ctrl_dump_holds_families_and_done_in_one_datagram() {
    let msgs = messages(GENL_CTRL_DUMP);
    let (data, done) = msgs.split_at(msgs.len() - 1);
    let names: Vec<_> = data
        .iter()
        .map(|m| {
            assert_eq!(m.message_type(), GENL_ID_CTRL);
            assert!(m.flags().contains(NlmFlags::MULTI));
            let (_, attrs) = m.family_header::<GenlMsgHdr>().unwrap();
            <&str>::decode(find(attrs, CTRL_ATTR_FAMILY_NAME).payload()).unwrap()
        })
        .collect();
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "nlctrl");
    match Control::parse(done[0]).unwrap() {
        Control::Done(d) => assert!(d.is_success() && d.ext_ack().unwrap().is_empty()),
        other => panic!("expected DONE, got {other:?}"),
    }
    assert_eq!(
        rebuild_datagram::<GenlMsgHdr>(GENL_CTRL_DUMP),
        GENL_CTRL_DUMP
    );
}

fn error_of(datagram: &[u8]) -> ErrorMessage<'_> {
    match Control::parse(single(datagram)).unwrap() {
        Control::Error(e) => e,
        other => panic!("expected NLMSG_ERROR, got {other:?}"),
    }
}

/// The request both error fixtures answer: RTM_NEWLINK with a 20-byte name.
fn assert_newlink_request_echo(err: &ErrorMessage<'_>) {
    let req = err.request().expect("echoed header");
    assert_eq!((req.len, req.ty, req.seq, req.pid), (60, 16, 0x1003, 0));
    assert_eq!(
        req.flags(),
        NlmFlags::REQUEST | NlmFlags::ACK | NlmFlags::CREATE | NlmFlags::EXCL
    );
}

fn assert_ifname_policy_ext_ack(err: &ErrorMessage<'_>) {
    let ext = err.ext_ack().expect("TLVs decode");
    assert_eq!(
        ext.message().as_deref(),
        Some("Attribute failed policy validation")
    );
    assert_eq!(
        ext.offset(),
        Some(32),
        "IFLA_IFNAME after nlmsghdr and ifinfomsg"
    );
    let policy: Vec<_> = ext.policy().unwrap().map(Result::unwrap).collect();
    let kinds: Vec<_> = policy.iter().map(Attr::kind).collect();
    assert_eq!(
        kinds,
        [NL_POLICY_TYPE_ATTR_MAX_LENGTH, NL_POLICY_TYPE_ATTR_TYPE]
    );
    assert_eq!(u32::decode(policy[0].payload()).unwrap(), 15);
    assert_eq!(
        u32::decode(policy[1].payload()).unwrap(),
        NL_ATTR_TYPE_STRING
    );
    assert_eq!(ext.cookie(), None);
    assert_eq!(ext.missing_type(), None);
}

#[test]
fn error_ack_ext_decodes_errno_echo_and_tlvs() {
    let err = error_of(ERROR_ACK_EXT);
    assert!(!err.is_ack());
    assert_eq!((err.raw_error(), err.errno()), (-ERANGE, ERANGE));
    assert_eq!(err.to_io_error().unwrap().raw_os_error(), Some(ERANGE));
    assert!(!err.is_capped());
    assert_eq!(err.header().flags(), NlmFlags::ACK_TLVS);
    assert_newlink_request_echo(&err);

    // Uncapped: the request payload is echoed whole, name included.
    let payload = err.request_payload();
    assert_eq!(payload.len(), 44);
    let name = Attrs::new(&payload[16..]).next().unwrap().unwrap();
    assert_eq!(name.kind(), IFLA_IFNAME);
    assert_eq!(name.payload(), [&[b'x'; 20][..], b"\0"].concat());
    assert_ifname_policy_ext_ack(&err);
}

#[test]
fn error_ack_ext_policy_tlv_arrives_with_the_nested_bit() {
    let msg = single(ERROR_ACK_EXT);
    // TLVs start at 4 + NLMSG_ALIGN(60) into the payload.
    let raw: Vec<_> = Attrs::new(&msg.payload()[64..])
        .map(|a| a.unwrap().raw_type())
        .collect();
    assert_eq!(raw, [tlv::MSG, tlv::OFFS, 0x8004]);
}

#[test]
fn error_ack_capped_finds_tlvs_right_after_the_echoed_header() {
    let err = error_of(ERROR_ACK_CAPPED);
    assert!(err.is_capped());
    assert_eq!(err.header().flags(), NlmFlags::CAPPED | NlmFlags::ACK_TLVS);
    assert_eq!(err.errno(), ERANGE);
    assert_newlink_request_echo(&err);
    assert!(err.request_payload().is_empty(), "60 claimed, 16 echoed");
    assert_ifname_policy_ext_ack(&err);
}

/// Rebuilds an error or ack with typed builder calls: errno, echo, TLVs.
fn rebuild_error(msg: &Message<'_>, err: &ErrorMessage<'_>, echo_len: usize) -> Vec<u8> {
    let ext = err.ext_ack().unwrap();
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, MessageType::ERROR, msg.flags());
    b.set_seq(msg.seq()).set_pid(msg.pid());
    b.append(&err.raw_error().to_ne_bytes()).unwrap();
    b.append(&msg.payload()[4..4 + echo_len]).unwrap();
    if let Some(text) = ext.message() {
        b.attr(tlv::MSG, text.as_ref()).unwrap();
    }
    if let Some(offset) = ext.offset() {
        b.attr(tlv::OFFS, &offset).unwrap();
    }
    if let Some(policy) = ext.policy() {
        let nest = b.begin_nest(tlv::POLICY).unwrap();
        for entry in policy {
            let entry = entry.unwrap();
            b.raw_attr(entry.raw_type(), entry.payload()).unwrap();
        }
        b.end_nest(nest).unwrap();
    }
    b.finish().unwrap();
    out
}

#[test]
fn error_acks_rebuild_byte_for_byte_from_typed_parts() {
    let msg = single(ERROR_ACK_EXT);
    assert_eq!(
        rebuild_error(&msg, &error_of(ERROR_ACK_EXT), 60),
        ERROR_ACK_EXT
    );
    let msg = single(ERROR_ACK_CAPPED);
    assert_eq!(
        rebuild_error(&msg, &error_of(ERROR_ACK_CAPPED), 16),
        ERROR_ACK_CAPPED
    );
    let msg = single(ACK_WARNING);
    assert_eq!(rebuild_error(&msg, &error_of(ACK_WARNING), 16), ACK_WARNING);
    let msg = single(POLICY_ERROR);
    assert_eq!(
        rebuild_error(&msg, &error_of(POLICY_ERROR), 28),
        POLICY_ERROR
    );
}

#[test]
fn ack_warning_is_a_success_that_carries_a_message() {
    let ack = error_of(ACK_WARNING);
    assert!(ack.is_ack());
    assert_eq!((ack.raw_error(), ack.errno()), (0, 0));
    assert!(ack.to_io_error().is_none());
    assert!(ack.is_capped(), "success acks are always capped");
    assert_eq!(ack.header().flags(), NlmFlags::CAPPED | NlmFlags::ACK_TLVS);
    let req = ack.request().unwrap();
    assert_eq!((req.len, req.ty, req.seq), (96, RTM_NEWTCLASS, 0x1005));
    assert!(ack.request_payload().is_empty());
    let ext = ack.ext_ack().unwrap();
    assert_eq!(
        ext.message().as_deref(),
        Some("sch_htb: quantum of class 10001 is big. Consider r2q change.")
    );
    assert_eq!(ext.offset(), None);
}

#[test]
fn done_errno_ends_a_dump_with_einval_and_a_message() {
    let msg = single(DONE_ERRNO);
    assert_eq!(msg.flags(), NlmFlags::MULTI | NlmFlags::ACK_TLVS);
    assert_eq!(msg.seq(), 0x1004);
    let done = match Control::parse(msg).unwrap() {
        Control::Done(d) => d,
        other => panic!("expected DONE, got {other:?}"),
    };
    assert!(!done.is_success());
    assert_eq!((done.raw_error(), done.errno()), (-EINVAL, EINVAL));
    assert_eq!(done.header().seq, 0x1004);
    let ext = done.ext_ack().unwrap();
    assert_eq!(
        ext.message().as_deref(),
        Some("Invalid values in header for link dump request")
    );
    assert_eq!(ext.offset(), None);
    assert_eq!(rebuild_done(&msg, &done), DONE_ERRNO);
}

fn rebuild_done(msg: &Message<'_>, done: &DoneMessage<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, MessageType::DONE, msg.flags());
    b.set_seq(msg.seq()).set_pid(msg.pid());
    b.append(&done.raw_error().to_ne_bytes()).unwrap();
    let text = done.ext_ack().unwrap().message().unwrap();
    b.attr(tlv::MSG, text.as_ref()).unwrap();
    b.finish().unwrap();
    out
}

#[test]
fn policy_error_from_a_strict_generic_family_describes_the_policy() {
    let err = error_of(POLICY_ERROR);
    assert_eq!(err.errno(), EINVAL);
    assert!(!err.is_capped());
    let req = err.request().unwrap();
    assert_eq!((req.len, req.ty, req.seq), (28, 0x10, 0x1008));
    assert_eq!(err.request_payload().len(), 12, "genlmsghdr and the u32 id");
    let ext = err.ext_ack().unwrap();
    assert_eq!(ext.message().as_deref(), Some("invalid attribute length"));
    assert_eq!(ext.offset(), Some(20), "after nlmsghdr and genlmsghdr");
    let policy: Vec<_> = ext
        .policy()
        .unwrap()
        .map(|a| {
            let a = a.unwrap();
            let value = match a.payload().len() {
                4 => u64::from(u32::decode(a.payload()).unwrap()),
                _ => u64::decode(a.payload()).unwrap(),
            };
            (a.kind(), value)
        })
        .collect();
    assert_eq!(
        policy,
        [
            (NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 0),
            (NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 0xffff),
            (NL_POLICY_TYPE_ATTR_TYPE, u64::from(NL_ATTR_TYPE_U16)),
        ]
    );
}
