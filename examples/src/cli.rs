//! What the programs share: argument reading and the way they fail.
//!
//! A program's `main` calls [`exit`] with the result of its work. An
//! error that comes from a missing privilege (`EPERM` or `EACCES`, from a
//! system call or from the kernel's answer) is explained in one line
//! that says what to do, instead of a bare errno.

use std::fmt;
use std::process::ExitCode;

use netlink_socket::Error;

/// A program's failure: what it was doing, and why that failed.
#[derive(Debug)]
pub struct Failure {
    doing: String,
    cause: Box<dyn std::error::Error + Send + Sync>,
    errno: Option<i32>,
}

impl Failure {
    /// Returns a failure of `doing` caused by the socket error `err`.
    pub fn socket(doing: impl Into<String>, err: Error) -> Self {
        let errno = err.errno();
        Self {
            doing: doing.into(),
            cause: Box::new(err),
            errno,
        }
    }

    /// Returns a failure of `doing` described by `reason` alone, such as a
    /// bad command line.
    pub fn msg(doing: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            doing: doing.into(),
            cause: reason.into().into(),
            errno: None,
        }
    }

    /// Returns whether the failure comes from a missing privilege.
    #[must_use]
    pub fn needs_privilege(&self) -> bool {
        matches!(self.errno, Some(libc::EPERM | libc::EACCES))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.needs_privilege() {
            return write!(
                f,
                "{} needs CAP_NET_ADMIN: run it as root (or with that capability) ({})",
                self.doing, self.cause
            );
        }
        write!(f, "{}: {}", self.doing, self.cause)
    }
}

/// Returns a closure that wraps a socket error into a [`Failure`] of
/// `doing`, for `map_err`.
pub fn while_<'a>(doing: &'a str) -> impl FnOnce(Error) -> Failure + 'a {
    move |err| Failure::socket(doing, err)
}

/// Prints `result`'s failure on standard error prefixed with `program`
/// and returns the exit code: 0 on success, 1 on failure, 2 when a
/// privilege is missing.
pub fn exit(program: &str, result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{program}: {failure}");
            ExitCode::from(if failure.needs_privilege() { 2 } else { 1 })
        }
    }
}

/// Command-line arguments after the program name, with `--name value`
/// options taken out by [`Args::option`] and flags by [`Args::flag`].
#[derive(Debug, Clone)]
pub struct Args {
    rest: Vec<String>,
}

impl Args {
    /// Returns the arguments of this process.
    #[must_use]
    pub fn from_env() -> Self {
        Self::new(std::env::args().skip(1))
    }

    /// Returns `args` to be read as a command line.
    pub fn new(args: impl IntoIterator<Item = String>) -> Self {
        Self {
            rest: args.into_iter().collect(),
        }
    }

    /// Removes `--name VALUE` and returns the value, parsed.
    ///
    /// # Errors
    ///
    /// A [`Failure`] when the value is missing or does not parse.
    pub fn option<T: std::str::FromStr>(&mut self, name: &str) -> Result<Option<T>, Failure> {
        let Some(at) = self.rest.iter().position(|a| a == name) else {
            return Ok(None);
        };
        self.rest.remove(at);
        if at >= self.rest.len() {
            return Err(Failure::msg(
                "reading arguments",
                format!("{name} needs a value"),
            ));
        }
        let value = self.rest.remove(at);
        value.parse().map(Some).map_err(|_| {
            Failure::msg(
                "reading arguments",
                format!("bad value {value:?} for {name}"),
            )
        })
    }

    /// Removes every `--name VALUE` and returns the values in order.
    ///
    /// # Errors
    ///
    /// As [`Args::option`].
    pub fn options(&mut self, name: &str) -> Result<Vec<String>, Failure> {
        let mut values = Vec::new();
        while let Some(value) = self.option(name)? {
            values.push(value);
        }
        Ok(values)
    }

    /// Removes `--name` and returns whether it was there.
    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != name);
        self.rest.len() != before
    }

    /// Returns the positional arguments left.
    #[must_use]
    pub fn positional(&self) -> &[String] {
        &self.rest
    }
}
