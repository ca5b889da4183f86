//! Generic netlink.
