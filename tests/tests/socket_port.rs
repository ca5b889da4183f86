//! Kernel fact 6: the first netlink socket of a process is bound to the
//! process id; later ones get other values, so the socket reads its port
//! back. The check runs in a fresh child process (this test binary, running
//! only this test), since the harness's own threads may open sockets first.

use std::process::Command;

use netlink_socket::{Protocol, Socket};

const CHILD: &str = "NETLINK_TEST_FIRST_SOCKET_CHILD";

#[test]
fn first_socket_of_a_process_gets_its_pid_and_later_ones_do_not() {
    if std::env::var_os(CHILD).is_some() {
        let first = Socket::open(Protocol::USERSOCK).expect("a USERSOCK socket opens");
        let second = Socket::open(Protocol::USERSOCK).expect("a second socket opens");
        assert_eq!(
            first.local_port(),
            std::process::id(),
            "first socket is not bound to the pid"
        );
        assert_ne!(second.local_port(), first.local_port());
        return;
    }
    let me = std::env::current_exe().expect("the test binary's path");
    let status = Command::new(me)
        .args([
            "--exact",
            "first_socket_of_a_process_gets_its_pid_and_later_ones_do_not",
        ])
        .args(["--test-threads", "1", "--nocapture"])
        .env(CHILD, "1")
        .status()
        .expect("the test binary runs again");
    assert!(status.success(), "the child process failed: {status}");
}
