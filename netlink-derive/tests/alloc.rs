//! Decoding a borrowed derived message allocates nothing: counted by a
//! global allocator that wraps the system's.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::CStr;

use common::{Ctrl, Family, IfInfoMsg, LinkAttr, LinkMessage, fixture};
use netlink_core::derive_support::AttrIter;
use netlink_core::{Decode, DecodeErrorKind, Encode, Message, Messages, Repeated};
use netlink_derive::NetlinkMessage;
use zerocopy::IntoBytes;

struct Counting;

thread_local! {
    // Per thread, so that tests running in parallel do not count for each
    // other.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn current() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every call is passed on unchanged to the system allocator, which
// upholds the `GlobalAlloc` contract; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's `layout` obligations are passed on as they are.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Returns how many allocations `f` made on this thread's watch.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = current();
    let value = f();
    (value, current() - before)
}

/// `IFLA_LINKINFO`, borrowed.
#[derive(Debug, NetlinkMessage)]
struct InfoView<'a> {
    #[netlink(attr = 1)]
    kind: &'a str,
    #[netlink(attr = 2)]
    data: Option<&'a [u8]>,
}

/// An `RTM_NEWLINK` whose every field borrows.
#[derive(Debug, NetlinkMessage)]
struct LinkView<'a> {
    #[netlink(header)]
    info: IfInfoMsg,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    mtu: Option<u32>,
    #[netlink(attr = 1, len = 6)]
    address: Option<&'a [u8]>,
    #[netlink(attr = 18, nested)]
    linkinfo: Option<InfoView<'a>>,
    #[netlink(attr = 1000, attrs)]
    never: Option<AttrIter<'a, LinkAttr<'a>>>,
    #[netlink(attr = 26, attrs)]
    af_spec: Option<AttrIter<'a, LinkAttr<'a>>>,
}

#[test]
fn borrowed_decode_allocates_nothing() {
    let dump = fixture("link_dump.bin");
    let payloads: Vec<&[u8]> = Messages::new(&dump).map(|m| m.unwrap().payload()).collect();
    let (names, count) = allocations(|| {
        let mut names = [""; 8];
        for (slot, payload) in names.iter_mut().zip(&payloads) {
            let link = LinkView::decode(payload).unwrap();
            assert!(link.info.index > 0 && link.mtu.is_some() && link.never.is_none());
            assert!(link.af_spec.is_some());
            *slot = link.name;
            let mut attrs = AttrIter::<common::LinkAttr<'_>>::new(&payload[16..]);
            assert!(attrs.all(|a| a.is_ok()));
        }
        names
    });
    assert_eq!(count, 0, "decoding links allocated");
    assert_eq!(names[..4], ["lo", "veth1", "veth0", "br0"]);
}

#[test]
fn generic_netlink_message_without_lists_decodes_without_allocating() {
    let bytes = fixture("genl_ctrl_nlctrl.bin");
    let (msg, _) = Message::parse(&bytes).unwrap();
    let payload = msg.payload();
    // The family with its arrays allocates one Vec per non-empty array and
    // nothing else.
    let (family, count) = allocations(|| Family::decode(payload).unwrap());
    assert_eq!(count, 2, "ops and groups");
    let (ctrl, again) = allocations(|| Ctrl::decode(payload).unwrap());
    assert_eq!(again, 2);
    assert!(matches!(ctrl, Ctrl::NewFamily(f) if f == family));
}

/// The benchmark's generic-netlink-style message, its repeated u32 read in
/// place.
#[derive(Debug, NetlinkMessage)]
struct Sample<'a> {
    #[netlink(header)]
    header: common::GenlMsgHdr,
    #[netlink(attr = 1)]
    id: u32,
    #[netlink(attr = 3)]
    name: &'a str,
    #[netlink(attr = 4)]
    blob: &'a [u8],
    #[netlink(attr = 6)]
    repeats: Repeated<'a, u32>,
    #[netlink(attr = 7)]
    names: Repeated<'a, &'a str>,
}

#[test]
fn repeated_views_decode_and_iterate_without_allocating() {
    let (values, names) = ([10u32, 20, 30], ["a", "b"]);
    let sample = Sample {
        header: common::GenlMsgHdr::default(),
        id: 7,
        name: "fifteen-letters",
        blob: &[0xab; 64],
        repeats: Repeated::from_slice(&values),
        names: Repeated::from_slice(&names),
    };
    let mut bytes = Vec::new();
    sample.encode(&mut bytes).unwrap();
    let ((sum, joined), count) = allocations(|| {
        let s = Sample::decode(&bytes).unwrap();
        let sum: u32 = s.repeats.iter().sum();
        let mut joined = [""; 2];
        for (slot, name) in joined.iter_mut().zip(&s.names) {
            *slot = name;
        }
        assert_eq!((s.id, s.name, s.blob.len()), (7, "fifteen-letters", 64));
        (sum, joined)
    });
    assert_eq!(count, 0, "decoding repeated views allocated");
    assert_eq!((sum, joined), (60, ["a", "b"]));
    // Encoding from views allocates nothing either once the buffer is big
    // enough.
    let mut out = Vec::with_capacity(bytes.len());
    let ((), count) = allocations(|| sample.encode(&mut out).unwrap());
    assert_eq!((count, &out), (0, &bytes));
}

/// A link name read as bytes: interface names need not be UTF-8.
#[derive(Debug, PartialEq, NetlinkMessage)]
struct NameView<'a> {
    #[netlink(header)]
    info: IfInfoMsg,
    #[netlink(attr = 3)]
    name: &'a CStr,
    #[netlink(attr = 6)]
    qdisc: Option<&'a CStr>,
}

#[test]
fn non_utf8_names_decode_in_place_as_cstr_and_round_trip() {
    // What the kernel sends for a link named `br\xff\xfe`: the name with
    // its NUL, padded to four bytes.
    let mut bytes = IfInfoMsg::default().as_bytes().to_vec();
    netlink_core::derive_support::write_raw(&mut bytes, 3, b"br\xff\xfe\0").unwrap();
    assert_eq!(bytes.len(), 16 + 12);
    let (view, count) = allocations(|| NameView::decode(&bytes).unwrap());
    assert_eq!(count, 0, "decoding a borrowed name allocated");
    assert_eq!(view.name.to_bytes(), b"br\xff\xfe");
    assert_eq!(view.qdisc, None);
    let inside = bytes.as_ptr_range();
    assert!(
        inside.contains(&view.name.as_ptr().cast::<u8>()),
        "the name borrows the input"
    );

    let mut out = Vec::new();
    view.encode(&mut out).unwrap();
    assert_eq!(out, bytes);
    assert_eq!(NameView::decode(&out).unwrap(), view);
    // The same name as `&str` is a typed error, not a panic or a loss.
    let err = common::Link::decode(&bytes).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::InvalidUtf8 { valid_up_to: 2 });
}

#[test]
fn the_counter_sees_allocations() {
    let (_, count) = allocations(|| {
        let dump = fixture("link_dump.bin");
        let payload = Messages::new(&dump)
            .next()
            .unwrap()
            .unwrap()
            .payload()
            .to_vec();
        LinkMessage::decode(&payload)
            .map(|m| m.attrs.len())
            .unwrap()
    });
    assert!(count > 0);
}
