//! A blocking `AF_NETLINK` socket.
//!
//! Limitation: the socket is not written yet; this crate exports nothing.
