//! The `kv` server: one socket, a map, and an answer to every request.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use netlink_core::derive_support::MessageEnum;
use netlink_core::{Messages, NlMsgHdr, NlmFlags};
use netlink_socket::{Address, Error, MessageType, Socket, SocketBuilder, Source};
use zerocopy::FromBytes;

use super::{
    DELETED, Deleted, DumpRequest, ENTRY, Entry, GROUP, KeyRequest, KvHeader, KvMessage, Meta,
    PROTOCOL, SetRequest, VERSION,
};

/// How often [`Server::run`] looks at its stop flag.
const POLL: Duration = Duration::from_millis(100);

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    value: Vec<u8>,
    tags: Vec<String>,
    meta: Meta,
}

/// The outcome of one request: an errno with its extended-ack text, or
/// success.
type Outcome = Result<(), (i32, String)>;

/// A `kv` server. It answers every message that asks for an answer:
/// requests it cannot decode get `EINVAL` with the decode error as the
/// extended-ack text, and one bad request never affects the next.
#[derive(Debug)]
pub struct Server {
    sock: Socket,
    entries: BTreeMap<(u16, String), Stored>,
    datagram: Vec<u8>,
    served: u64,
}

impl Server {
    /// Binds a server to `port` (0: the kernel picks one).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with `EADDRINUSE` when the port is taken.
    pub fn bind(port: u32) -> Result<Self, Error> {
        let sock = SocketBuilder::new(PROTOCOL)
            .port(port)
            .read_timeout(Some(POLL))
            // A unicast into a full receiver blocks the sender, so a
            // client that stops reading must not make the server wait:
            // like the kernel, which acks with `MSG_DONTWAIT`
            // (`netlink_ack`), the server drops what such a client does
            // not take, at once.
            .send_nonblocking(true)
            .open()?;
        Ok(Self {
            sock,
            entries: BTreeMap::new(),
            datagram: Vec::new(),
            served: 0,
        })
    }

    /// Returns the port clients send to.
    #[must_use]
    pub const fn port(&self) -> u32 {
        self.sock.local_port()
    }

    /// Returns how many messages were answered so far.
    #[must_use]
    pub const fn served(&self) -> u64 {
        self.served
    }

    /// Serves until `stop` is set (checked every 100 ms).
    ///
    /// # Errors
    ///
    /// Socket errors other than timeouts, overruns and undeliverable
    /// replies, which are survived.
    pub fn run(&mut self, stop: &AtomicBool) -> Result<(), Error> {
        while !stop.load(Ordering::Relaxed) {
            match self.serve_datagram() {
                Ok(()) | Err(Error::Timeout | Error::Overrun) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Waits for one datagram (at most 100 ms) and answers each of its
    /// messages.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when nothing came, and errors of the socket.
    pub fn serve_datagram(&mut self) -> Result<(), Error> {
        // Limitation: a received datagram borrows the socket, and replies
        // need it too, so each datagram is copied into the server's own
        // buffer (reused, so without allocation once it is large enough).
        let datagram = self.sock.recv()?;
        let from = datagram.source();
        self.datagram.clear();
        self.datagram.extend_from_slice(datagram.bytes());
        if from.is_multicast() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.datagram);
        let result = self.serve_messages(&bytes, from);
        self.datagram = bytes;
        result
    }

    fn serve_messages(&mut self, bytes: &[u8], from: Source) -> Result<(), Error> {
        let mut messages = Messages::new(bytes);
        loop {
            let at = messages.offset();
            match messages.next() {
                None => return Ok(()),
                Some(Ok(msg)) => self.serve(msg.header(), msg.payload(), from.port)?,
                Some(Err(err)) => return self.refuse_framing(bytes.get(at..), &err, from.port),
            }
        }
    }

    /// Answers a message that is not well framed, when at least its header
    /// can be read; the rest of the datagram cannot be delimited.
    fn refuse_framing(
        &mut self,
        rest: Option<&[u8]>,
        err: &netlink_core::DecodeError,
        port: u32,
    ) -> Result<(), Error> {
        let Some(Ok((header, _))) = rest.map(NlMsgHdr::read_from_prefix) else {
            return Ok(());
        };
        let text = format!("malformed message: {err}");
        self.answer(port, &header, Err((libc::EINVAL, text)))
    }

    fn serve(&mut self, header: &NlMsgHdr, payload: &[u8], port: u32) -> Result<(), Error> {
        let flags = header.flags();
        if header.message_type().is_control() {
            return Ok(());
        }
        if !flags.contains(NlmFlags::REQUEST) {
            // As the kernel does (`netlink_rcv_skb`): a message that is not
            // a request is not carried out, but an ack it asks for is sent.
            if !flags.contains(NlmFlags::ACK) {
                return Ok(());
            }
            self.served += 1;
            return undeliverable_is_fine(self.sock.send_ack(port, header, 0, None));
        }
        let outcome = match KvMessage::decode_message(header.ty, payload) {
            Ok(message) => self.dispatch(header, &message, port),
            Err(err) => Err((libc::EINVAL, err.to_string())),
        };
        self.answer(port, header, outcome)
    }

    /// Sends the ack or error a request asked for. Errors always go back,
    /// as the kernel sends them; a reply that cannot be delivered (the
    /// client is gone or does not read) is dropped.
    fn answer(&mut self, port: u32, header: &NlMsgHdr, outcome: Outcome) -> Result<(), Error> {
        self.served += 1;
        let dump = header.flags().contains(NlmFlags::DUMP);
        let sent = match outcome {
            Ok(()) if dump => self.sock.send_done(port, header),
            Ok(()) if !header.flags().contains(NlmFlags::ACK) => Ok(()),
            Ok(()) => self.sock.send_ack(port, header, 0, None),
            Err((errno, text)) => self.sock.send_ack(port, header, errno, Some(&text)),
        };
        undeliverable_is_fine(sent)
    }

    fn dispatch(&mut self, header: &NlMsgHdr, message: &KvMessage<'_>, port: u32) -> Outcome {
        check_version(message)?;
        match message {
            KvMessage::Set(set) => self.set(set, port),
            KvMessage::Get(get) => self.get(header, get, port),
            KvMessage::Delete(delete) => self.delete(delete, port),
            KvMessage::Dump(dump) => self.dump(header, dump, port),
            other => Err(not_a_request(other)),
        }
    }

    fn set(&mut self, set: &SetRequest<'_>, port: u32) -> Outcome {
        let slot = (set.header.table, set.key.to_owned());
        let current = self.entries.get(&slot).map_or(0, |s| s.meta.revision);
        if let Some(expected) = set.expect_revision.filter(|&r| r != current) {
            return Err((libc::ECANCELED, stale(set.key, current, expected)));
        }
        let stored = Stored {
            value: set.value.to_vec(),
            tags: set.tags.iter().map(|&t| t.to_owned()).collect(),
            meta: Meta {
                revision: current + 1,
                changed_by: port,
            },
        };
        let entry = entry(set.header.table, set.key, &stored);
        self.notify(ENTRY, &entry);
        self.entries.insert(slot, stored);
        Ok(())
    }

    fn get(&mut self, header: &NlMsgHdr, get: &KeyRequest<'_>, port: u32) -> Outcome {
        let table = get.header.table;
        let stored = lookup(&self.entries, table, get.key)?;
        let reply = entry(table, get.key, stored);
        let sent =
            self.sock
                .send_reply(port, header, MessageType(ENTRY), NlmFlags::empty(), &reply);
        undeliverable_is_fine(sent).map_err(internal)
    }

    fn delete(&mut self, delete: &KeyRequest<'_>, port: u32) -> Outcome {
        let table = delete.header.table;
        let revision = lookup(&self.entries, table, delete.key)?.meta.revision;
        self.entries.remove(&(table, delete.key.to_owned()));
        let gone = Deleted {
            header: KvHeader::new(table),
            key: delete.key,
            meta: Meta {
                revision,
                changed_by: port,
            },
        };
        self.notify(DELETED, &gone);
        Ok(())
    }

    fn dump(&mut self, header: &NlMsgHdr, dump: &DumpRequest<'_>, port: u32) -> Outcome {
        let table = dump.header.table;
        let prefix = dump.prefix.unwrap_or("");
        let keys = self.entries.range((table, String::new())..);
        for ((_, key), stored) in keys.take_while(|((t, _), _)| *t == table) {
            if !key.starts_with(prefix) {
                continue;
            }
            let part = entry(table, key, stored);
            let sent =
                self.sock
                    .send_reply(port, header, MessageType(ENTRY), NlmFlags::MULTI, &part);
            undeliverable_is_fine(sent).map_err(internal)?;
        }
        Ok(())
    }

    /// Multicasts a change to [`GROUP`]. A notification nobody can take
    /// is not the requester's problem, so failures are ignored.
    fn notify<P: netlink_core::Encode>(&mut self, ty: u16, payload: &P) {
        if let Some(group) = Address::group(GROUP) {
            let _ = self
                .sock
                .send_to(group, MessageType(ty), NlmFlags::empty(), payload);
        }
    }
}

fn lookup<'m>(
    entries: &'m BTreeMap<(u16, String), Stored>,
    table: u16,
    key: &str,
) -> Result<&'m Stored, (i32, String)> {
    entries
        .get(&(table, key.to_owned()))
        .ok_or_else(|| (libc::ENOENT, format!("no key {key:?} in table {table}")))
}

/// Returns the `ENTRY` message for a stored value.
fn entry<'a>(table: u16, key: &'a str, stored: &'a Stored) -> Entry<'a> {
    Entry {
        header: KvHeader::new(table),
        key,
        value: &stored.value,
        tags: stored.tags.iter().map(String::as_str).collect(),
        meta: stored.meta,
    }
}

fn check_version(message: &KvMessage<'_>) -> Outcome {
    let version = match message {
        KvMessage::Set(m) => m.header.version,
        KvMessage::Get(m) | KvMessage::Delete(m) => m.header.version,
        KvMessage::Dump(m) => m.header.version,
        _ => VERSION,
    };
    if version == VERSION {
        return Ok(());
    }
    Err((
        libc::EPROTO,
        format!("protocol version {version} is not spoken here (version {VERSION} is)"),
    ))
}

fn not_a_request(message: &KvMessage<'_>) -> (i32, String) {
    let ty = message.message_type();
    (
        libc::EOPNOTSUPP,
        format!("message type {ty} is not a request"),
    )
}

fn stale(key: &str, current: u64, expected: u64) -> String {
    format!("key {key:?} is at revision {current}, not {expected}")
}

fn internal(err: Error) -> (i32, String) {
    (libc::EIO, err.to_string())
}

/// Treats a reply that cannot be delivered (the client's port is gone,
/// or its buffer is full) as sent: the server goes on with the next
/// request.
fn undeliverable_is_fine(sent: Result<(), Error>) -> Result<(), Error> {
    match sent {
        Err(Error::WouldBlock) => Ok(()),
        Err(err) if err.errno() == Some(libc::ECONNREFUSED) => Ok(()),
        other => other,
    }
}
