//! Protocols built on the netlink framework.
