//! The generic netlink controller, defined with the derive, against the
//! kernel's own reply.

mod common;

use common::{Ctrl, Family, GenlMsgHdr, GetFamily, Group, Op, fixture};
use netlink_core::derive_support::{GenlCommand, RawMessage};
use netlink_core::{Decode, Encode, EncodeError, Message, MessageBuilder, MessageType, NlmFlags};

#[test]
fn nlctrl_reply_decodes_through_derived_types() {
    let bytes = fixture("genl_ctrl_nlctrl.bin");
    let (msg, _) = Message::parse(&bytes).unwrap();
    let ctrl = Ctrl::decode(msg.payload()).unwrap();
    let Ctrl::NewFamily(family) = &ctrl else {
        panic!("expected NewFamily, got {ctrl:?}");
    };
    assert_eq!(ctrl.command(), 1);
    assert_eq!(family.name, "nlctrl");
    assert_eq!(family.id, 0x10);
    assert!(!family.ops.is_empty());
    assert!(
        family.ops.iter().any(|op| op.id == 3),
        "GETFAMILY op listed"
    );
    assert_eq!(family.groups.len(), 1);
    assert_eq!(family.groups[0].name, "notify");
}

#[test]
fn nlctrl_reply_encodes_back_byte_for_byte() {
    let bytes = fixture("genl_ctrl_nlctrl.bin");
    let (msg, _) = Message::parse(&bytes).unwrap();
    let ctrl = Ctrl::decode(msg.payload()).unwrap();
    let mut out = Vec::new();
    ctrl.encode(&mut out).unwrap();
    assert_eq!(out, msg.payload());
    assert_eq!(ctrl.encoded_len(), out.len());
}

#[test]
fn every_family_of_a_controller_dump_round_trips() {
    let bytes = fixture("genl_ctrl_dump.bin");
    let mut families = 0;
    for msg in netlink_core::Messages::new(&bytes) {
        let msg = msg.unwrap();
        if msg.message_type() != MessageType(0x10) {
            continue;
        }
        let family = Family::decode(msg.payload()).unwrap();
        let mut out = Vec::new();
        family.encode(&mut out).unwrap();
        assert_eq!(out, msg.payload(), "family {}", family.name);
        families += 1;
    }
    assert!(families >= 2, "dump held {families} families");
}

#[test]
fn get_family_request_builds_a_message_the_decoder_reads_back() {
    let request = Ctrl::GetFamily(GetFamily {
        header: GenlMsgHdr {
            cmd: 0,
            version: 2,
            reserved: 0,
        },
        name: Some("nlctrl"),
        id: None,
    });
    let mut buf = Vec::new();
    let mut builder = MessageBuilder::new(&mut buf, MessageType(0x10), NlmFlags::REQUEST);
    builder.payload(&request).unwrap();
    builder.finish().unwrap();
    let (msg, _) = Message::parse(&buf).unwrap();
    // The command byte comes from the variant, not from the header field.
    assert_eq!(msg.payload()[..4], [3, 2, 0, 0]);
    assert_eq!(&msg.payload()[4..], b"\x0b\x00\x02\x00nlctrl\x00\x00");
    let back = Ctrl::decode(msg.payload()).unwrap();
    let Ctrl::GetFamily(get) = back else {
        panic!("expected GetFamily");
    };
    assert_eq!(get.name, Some("nlctrl"));
}

#[test]
fn unknown_commands_are_kept_whole() {
    let payload = [42u8, 1, 0, 0, 8, 0, 1, 0, 7, 0, 0, 0];
    let ctrl = Ctrl::decode(&payload).unwrap();
    assert_eq!(ctrl.command(), 42);
    let mut out = Vec::new();
    ctrl.encode(&mut out).unwrap();
    assert_eq!(out, payload);
}

#[test]
fn kept_message_is_written_with_its_command_byte() {
    let payload = [9u8, 1, 0, 0];
    let ctrl = Ctrl::Other(RawMessage {
        ty: 42,
        payload: &payload,
    });
    let mut out = Vec::new();
    ctrl.encode(&mut out).unwrap();
    assert_eq!(out, [42, 1, 0, 0]);
    assert_eq!(Ctrl::decode(&out).unwrap().command(), 42);
}

#[test]
fn kept_message_whose_command_is_above_255_fails_to_encode() {
    let payload = [44u8, 1, 0, 0];
    let ctrl = Ctrl::Other(RawMessage {
        ty: 300,
        payload: &payload,
    });
    let mut out = vec![0xaa];
    let err = ctrl.encode(&mut out).unwrap_err();
    assert_eq!(
        err,
        EncodeError::Invalid {
            what: "generic netlink command",
            reason: "kept message type is above 255, the largest genlmsghdr.cmd",
        }
    );
    assert_eq!(out, [0xaa], "nothing is written");
    assert_eq!(ctrl.command(), u8::MAX);
}

#[test]
fn indexed_entries_are_numbered_from_one() {
    let family = Family {
        header: GenlMsgHdr::default(),
        name: "x",
        id: 1,
        version: None,
        hdrsize: None,
        maxattr: None,
        ops: vec![
            Op { id: 7, flags: None },
            Op {
                id: 8,
                flags: Some(1),
            },
        ],
        groups: vec![Group { id: 3, name: "g" }],
        rest: Vec::new(),
    };
    let mut out = Vec::new();
    family.encode(&mut out).unwrap();
    let attrs: Vec<_> = netlink_core::Attrs::new(&out[4..])
        .map(Result::unwrap)
        .collect();
    let ops = attrs.iter().find(|a| a.kind() == 6).unwrap();
    assert!(!ops.is_nested(), "noflag leaves NLA_F_NESTED off");
    let kinds: Vec<u16> = ops.nested().map(|a| a.unwrap().kind()).collect();
    assert_eq!(kinds, [1, 2]);
    assert_eq!(Family::decode(&out).unwrap(), family);
}
