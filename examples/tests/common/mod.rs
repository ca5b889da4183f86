//! Helpers shared by the program tests: running a program, reading its
//! table, and reading the kernel's own view through `ip -j`.

#![allow(dead_code, reason = "each test binary uses a part")]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `bin` with `args` from the calling thread (so in its network
/// namespace) and returns its standard output, asserting success.
pub(crate) fn run(bin: &str, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    assert!(
        out.status.success(),
        "{bin} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of a program in a folder every user can read, so that it can run
/// as an unprivileged user whatever the permissions of the build folder;
/// the folder is removed when this is dropped.
pub(crate) struct CopiedProgram {
    dir: PathBuf,
    bin: PathBuf,
}

impl CopiedProgram {
    /// Copies `bin` into a fresh folder named after `name` and this process.
    pub(crate) fn new(bin: &str, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("netlink-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join(name);
        std::fs::copy(bin, &copy).unwrap();
        Self { dir, bin: copy }
    }

    /// Runs the copy with `args` as user and group 65534 (nobody) and
    /// returns its output.
    ///
    /// Another test thread that forks while the copy is still open for
    /// writing keeps a writable descriptor of it in its child until that
    /// child execs, and exec then fails with `ETXTBSY`; that passes within
    /// moments, so it is retried.
    pub(crate) fn run_as_nobody(&self, args: &[&str]) -> Output {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let out = Command::new(&self.bin)
                .args(args)
                .uid(65534)
                .gid(65534)
                .output();
            match out {
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other.unwrap_or_else(|e| panic!("cannot run {:?}: {e}", self.bin)),
            }
        }
    }
}

impl Drop for CopiedProgram {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Returns the rows of a table a program printed, header left out, each
/// split at whitespace.
pub(crate) fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// Runs `ip -j ARGS` and returns its JSON array.
pub(crate) fn ip_json(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["-j"];
    all.extend_from_slice(args);
    let out = netlink_tests::ip(&all);
    match serde_json::from_str(&out) {
        Ok(serde_json::Value::Array(items)) => items,
        other => panic!("ip -j {args:?} printed {other:?}"),
    }
}

/// Returns `ip -j link` as a map from interface name to its object.
pub(crate) fn ip_links() -> BTreeMap<String, serde_json::Value> {
    ip_json(&["link"])
        .into_iter()
        .map(|link| (link["ifname"].as_str().unwrap_or_default().to_owned(), link))
        .collect()
}

/// A program started in the background whose output is read later.
pub(crate) struct Background {
    child: Child,
}

impl Background {
    /// Starts `bin` with `args` and waits until it writes a first line on
    /// standard error containing `ready` (it listens then).
    pub(crate) fn start(bin: &str, args: &[&str], ready: &str) -> Self {
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("read stderr");
        let mut started = Self { child };
        assert!(
            line.contains(ready),
            "{bin} did not get ready: {line:?} {}",
            started.stop()
        );
        started
    }

    /// Stops the program (it is killed after `settle`) and returns what it
    /// printed on standard output.
    pub(crate) fn stop_after(mut self, settle: Duration) -> String {
        std::thread::sleep(settle);
        self.stop()
    }

    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            let _ = stdout.read_to_string(&mut out);
        }
        out
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `done` holds, polling every 20 ms for at most five
/// seconds; returns whether it held.
pub(crate) fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
