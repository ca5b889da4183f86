//! Decoding a borrowed derived message allocates nothing: counted by a
//! global allocator that wraps the system's.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{Ctrl, Family, IfInfoMsg, LinkAttr, LinkMessage, fixture};
use netlink_core::derive_support::AttrIter;
use netlink_core::{Decode, Message, Messages};
use netlink_derive::NetlinkMessage;

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
