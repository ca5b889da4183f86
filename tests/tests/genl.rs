//! Generic netlink against the real kernel: resolving families and their
//! groups through the controller, dumping every family, and a kernel
//! error that names a missing required attribute.
//!
//! The controller answers unprivileged sockets, so these run anywhere a
//! kernel has generic netlink; families that a kernel lacks are skipped
//! with a message (and fail under NETLINK_TEST_REQUIRE_PRIVILEGED=1).

use netlink_socket::genl::{self, GENL_ID_CTRL, GenlMsgHdr, Resolver, ctrl};
use netlink_socket::{Error, NlmFlags, Protocol, Socket};

fn socket() -> Socket {
    Socket::open(Protocol::GENERIC).unwrap()
}

#[test]
fn nlctrl_resolves_to_its_fixed_id_and_notify_group() {
    let mut sock = socket();
    let mut resolver = Resolver::new();
    let family = resolver.family(&mut sock, "nlctrl").unwrap().clone();
    assert_eq!(family.message_type(), GENL_ID_CTRL);
    assert_eq!(family.name, "nlctrl");
    assert!(family.version >= 1);
    assert!(
        family
            .operations
            .iter()
            .any(|op| op.id == u32::from(ctrl::CMD_GETFAMILY)),
        "{family:?}"
    );
    let notify = resolver.group(&mut sock, "nlctrl", "notify").unwrap();
    assert_eq!(Some(notify), family.group("notify"));
    sock.join_group(notify).unwrap();
    assert!(sock.groups().unwrap().contains(&notify));
}

#[test]
fn ethtool_and_netdev_resolve_with_their_groups() {
    let mut sock = socket();
    let mut resolver = Resolver::new();
    for (name, group) in [("ethtool", "monitor"), ("netdev", "mgmt")] {
        match resolver.family(&mut sock, name) {
            Ok(family) => {
                assert_eq!(family.name, name);
                assert!(family.id > GENL_ID_CTRL.0, "{family:?}");
                assert!(!family.operations.is_empty(), "{family:?}");
            }
            Err(Error::NotFound { .. }) => {
                netlink_tests::skip(&format!("this kernel has no {name} family"));
                continue;
            }
            Err(err) => panic!("{name}: {err}"),
        }
        assert!(resolver.is_cached(name));
        let id = resolver.group(&mut sock, name, group).unwrap();
        sock.join_group(id).unwrap();
    }
}

#[test]
fn resolutions_are_cached() {
    let mut sock = socket();
    let mut resolver = Resolver::new();
    let first = resolver.family(&mut sock, "nlctrl").unwrap().id;
    let seq = sock.next_seq();
    let again = resolver.family(&mut sock, "nlctrl").unwrap().id;
    assert_eq!(first, again);
    assert_eq!(sock.next_seq(), seq, "the cached answer sent no request");
    resolver.forget("nlctrl");
    assert!(!resolver.is_cached("nlctrl"));
}

#[test]
fn unknown_family_and_group_are_not_found() {
    let mut sock = socket();
    let mut resolver = Resolver::new();
    let err = resolver.family(&mut sock, "no-such-family").unwrap_err();
    assert!(
        matches!(err, Error::NotFound { what: "family", .. }),
        "{err:?}"
    );
    let err = resolver
        .group(&mut sock, "nlctrl", "no-such-group")
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { what: "group", .. }),
        "{err:?}"
    );
}

#[test]
fn dump_of_all_families_includes_the_controller() {
    let mut sock = socket();
    let families = genl::families(&mut sock).unwrap();
    assert!(families.len() >= 2, "{families:?}");
    let ctrl = families
        .iter()
        .find(|f| f.name == "nlctrl")
        .expect("nlctrl");
    assert_eq!(ctrl.id, GENL_ID_CTRL.0);
    let mut ids: Vec<_> = families.iter().map(|f| f.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), families.len(), "every family once");
}

#[test]
fn genl_header_splits_from_a_payload() {
    let (hdr, rest) = GenlMsgHdr::split(&[3, 2, 0, 0, 9]).unwrap();
    assert_eq!(hdr, GenlMsgHdr::new(3, 2));
    assert_eq!(rest, [9]);
    assert!(GenlMsgHdr::split(&[1, 2]).is_err());
}

/// `ETHTOOL_MSG_LINKINFO_GET` (from `linux/ethtool_netlink.h`).
const ETHTOOL_MSG_LINKINFO_GET: u8 = 2;
/// `ETHTOOL_A_LINKINFO_HEADER`, the request header every ethtool request
/// must carry.
const ETHTOOL_A_LINKINFO_HEADER: u32 = 1;

/// A do-request without its required header attribute: the ethtool family
/// refuses it with `EINVAL` and names the missing attribute in the
/// extended ack (`NLMSGERR_ATTR_MISS_TYPE`), which the socket's kernel
/// error hands over.
#[test]
fn missing_required_attribute_is_named_by_the_kernel_error() {
    let mut sock = socket();
    let family = match Resolver::new().family(&mut sock, "ethtool") {
        Ok(family) => family.message_type(),
        Err(Error::NotFound { .. }) => {
            netlink_tests::skip("this kernel has no ethtool family");
            return;
        }
        Err(err) => panic!("{err}"),
    };
    let request = GenlMsgHdr::new(ETHTOOL_MSG_LINKINFO_GET, 1);
    let err = sock
        .request(
            family,
            NlmFlags::empty(),
            zerocopy::IntoBytes::as_bytes(&request),
        )
        .unwrap_err();
    let kernel = err
        .kernel()
        .unwrap_or_else(|| panic!("not a kernel error: {err:?}"));
    assert_eq!(kernel.errno(), libc::EINVAL, "{kernel}");
    assert_eq!(
        kernel.missing_type(),
        Some(ETHTOOL_A_LINKINFO_HEADER),
        "{kernel}"
    );
    assert_eq!(kernel.request_type(), family);
    assert!(
        err.to_string().contains("missing attribute type 1"),
        "{err}"
    );
}
