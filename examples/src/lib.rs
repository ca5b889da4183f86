//! Real protocols on the netlink framework, written the way a protocol
//! author would: each module defines its messages as plain Rust types with
//! `#[derive(NetlinkMessage)]` and talks over `netlink_socket::Socket`.
//!
//! - [`kv`]: a key-value service of our own over `NETLINK_USERSOCK`;
//!   programs `kv-server`, `kv-client`, `kv-monitor`.
//! - [`route`]: rtnetlink links and addresses; programs `ip-link`,
//!   `ip-addr`, `veth`, `link-monitor`.
//! - [`genl`]: the generic netlink controller; programs `genl-list`,
//!   `genl-monitor`.
//! - [`diag`]: `sock_diag` for TCP and UDP sockets; program `ss`.
//!
//! The programs print through [`table`], which aligns columns, and report
//! failures through [`cli`], which turns a missing privilege into a
//! one-line explanation. `demo` shows a little of everything and needs
//! no root.

// The README's code runs as a doctest, so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

pub mod cli;
pub mod diag;
pub mod genl;
pub mod kv;
pub mod route;
pub mod table;
