//! The `kv` client and monitor.

use std::fmt;
use std::time::Duration;

use netlink_core::derive_support::MessageEnum;
use netlink_core::{Message, NlmFlags};
use netlink_socket::{Error, MessageType, Socket, SocketBuilder};

use super::{
    DELETE, DUMP, DumpRequest, Entry, GET, GROUP, KeyRequest, KvHeader, KvMessage, PROTOCOL, SET,
    SetRequest,
};

/// How long the client waits for each answer of the server.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// An entry as the client hands it over: owned, detached from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The table.
    pub table: u16,
    /// The key.
    pub key: String,
    /// The value.
    pub value: Vec<u8>,
    /// The labels.
    pub tags: Vec<String>,
    /// The revision.
    pub revision: u64,
    /// The port of the client that made the last change.
    pub changed_by: u32,
}

impl From<&Entry<'_>> for Record {
    fn from(entry: &Entry<'_>) -> Self {
        Self {
            table: entry.header.table,
            key: entry.key.to_owned(),
            value: entry.value.to_vec(),
            tags: entry.tags.iter().map(|&t| t.to_owned()).collect(),
            revision: entry.meta.revision,
            changed_by: entry.meta.changed_by,
        }
    }
}

impl Record {
    /// Returns the value as text when it is printable UTF-8, else as hex.
    #[must_use]
    pub fn value_text(&self) -> String {
        match std::str::from_utf8(&self.value) {
            Ok(text) if !text.chars().any(char::is_control) => text.to_owned(),
            _ => self.value.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// Returns the tags joined by commas, or `-` when there are none.
    #[must_use]
    pub fn tags_text(&self) -> String {
        if self.tags.is_empty() {
            return "-".to_owned();
        }
        self.tags.join(",")
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {} (tags {}, revision {}, by port {})",
            self.key,
            self.value_text(),
            self.tags_text(),
            self.revision,
            self.changed_by
        )
    }
}

/// A change seen by a [`Monitor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A key was set.
    Set(Record),
    /// A key was deleted.
    Deleted {
        /// The table.
        table: u16,
        /// The key.
        key: String,
        /// Its last revision.
        revision: u64,
        /// The port of the client that deleted it.
        changed_by: u32,
    },
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set(record) => write!(f, "set     {record}"),
            Self::Deleted {
                key,
                revision,
                changed_by,
                ..
            } => write!(
                f,
                "deleted {key} (revision {revision}, by port {changed_by})"
            ),
        }
    }
}

/// A client of one server, working on one table.
#[derive(Debug)]
pub struct Client {
    sock: Socket,
    table: u16,
}

impl Client {
    /// Opens a client of the server at `server_port`, on table 0.
    ///
    /// # Errors
    ///
    /// Errors of opening the socket.
    pub fn connect(server_port: u32) -> Result<Self, Error> {
        let sock = SocketBuilder::new(PROTOCOL)
            .peer(server_port)
            .reply_timeout(Some(REPLY_TIMEOUT))
            .open()?;
        Ok(Self { sock, table: 0 })
    }

    /// Works on `table` from now on.
    pub fn set_table(&mut self, table: u16) {
        self.table = table;
    }

    /// Returns the client's own port, which the server reports as the
    /// author of its changes.
    #[must_use]
    pub const fn port(&self) -> u32 {
        self.sock.local_port()
    }

    /// Stores `value` under `key`, with `tags`; with `expect_revision`,
    /// only if the key is at that revision (0: absent).
    ///
    /// # Errors
    ///
    /// [`Error::Kernel`] carrying the server's errno and text
    /// (`ECANCELED` for a revision mismatch), [`Error::Timeout`] when the
    /// server does not answer.
    pub fn set(
        &mut self,
        key: &str,
        value: &[u8],
        tags: &[&str],
        expect_revision: Option<u64>,
    ) -> Result<(), Error> {
        let request = SetRequest {
            header: KvHeader::new(self.table),
            key,
            value,
            tags: tags.to_vec(),
            expect_revision,
        };
        self.sock
            .request(MessageType(SET), NlmFlags::empty(), &request)
            .map(drop)
    }

    /// Reads `key`.
    ///
    /// # Errors
    ///
    /// [`Error::Kernel`] with `ENOENT` for a missing key, and as
    /// [`Client::set`].
    pub fn get(&mut self, key: &str) -> Result<Record, Error> {
        let request = KeyRequest {
            header: KvHeader::new(self.table),
            key,
        };
        let reply = self
            .sock
            .request(MessageType(GET), NlmFlags::empty(), &request)?;
        let msg = reply
            .message()
            .ok_or(Error::Protocol("GET was acked without an entry"))?;
        record(&msg)
    }

    /// Deletes `key`.
    ///
    /// # Errors
    ///
    /// As [`Client::get`].
    pub fn delete(&mut self, key: &str) -> Result<(), Error> {
        let request = KeyRequest {
            header: KvHeader::new(self.table),
            key,
        };
        self.sock
            .request(MessageType(DELETE), NlmFlags::empty(), &request)
            .map(drop)
    }

    /// Returns every entry of the table whose key starts with `prefix`,
    /// in key order.
    ///
    /// # Errors
    ///
    /// As [`Client::set`], and [`Error::Decode`] for a malformed entry.
    pub fn dump(&mut self, prefix: Option<&str>) -> Result<Vec<Record>, Error> {
        let request = DumpRequest {
            header: KvHeader::new(self.table),
            prefix,
        };
        let mut dump = self
            .sock
            .dump(MessageType(DUMP), NlmFlags::empty(), &request)?;
        let mut records = Vec::new();
        while let Some(msg) = dump.next() {
            records.push(record(&msg?)?);
        }
        Ok(records)
    }

    /// Returns the socket, to send anything at all (tests of the server
    /// use it to send malformed requests).
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.sock
    }
}

fn record(msg: &Message<'_>) -> Result<Record, Error> {
    match KvMessage::from_message(msg)? {
        KvMessage::Entry(entry) => Ok(Record::from(&entry)),
        _ => Err(Error::Protocol(
            "the server answered with something else than an entry",
        )),
    }
}

/// A monitor: a socket in the notification group.
#[derive(Debug)]
pub struct Monitor {
    sock: Socket,
}

impl Monitor {
    /// Opens a socket and joins [`GROUP`]. Changes made after this returns
    /// are seen.
    ///
    /// # Errors
    ///
    /// Errors of opening the socket and joining the group.
    pub fn open() -> Result<Self, Error> {
        let mut sock = Socket::open(PROTOCOL)?;
        sock.join_group(GROUP)?;
        Ok(Self { sock })
    }

    /// Sets how long [`Monitor::next_change`] waits (`None`: forever).
    ///
    /// # Errors
    ///
    /// Errors of `setsockopt`.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), Error> {
        self.sock.set_read_timeout(timeout)
    }

    /// Returns the next change. Messages that are not notifications of
    /// this protocol, or that arrive by unicast, are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] after the timeout, [`Error::Overrun`] when
    /// notifications were lost (a dump brings the state back),
    /// [`Error::Decode`] for a malformed notification.
    pub fn next_change(&mut self) -> Result<Notification, Error> {
        loop {
            let (msg, source) = self.sock.recv_msg()?;
            if !source.is_multicast() {
                continue;
            }
            match KvMessage::from_message(&msg)? {
                KvMessage::Entry(entry) => return Ok(Notification::Set(Record::from(&entry))),
                KvMessage::Deleted(gone) => {
                    return Ok(Notification::Deleted {
                        table: gone.header.table,
                        key: gone.key.to_owned(),
                        revision: gone.meta.revision,
                        changed_by: gone.meta.changed_by,
                    });
                }
                _ => {}
            }
        }
    }
}
