//! Derive macros for netlink message types.
//!
//! Limitation: the derive is not written yet; this crate exports nothing.

#![forbid(unsafe_code)]
