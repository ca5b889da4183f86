//! Requests, dumps and acks: matching replies to what we sent.
//!
//! A message answers request `seq` when it carries that sequence number
//! and arrived by unicast from the peer (port 0 for the kernel). Anything
//! else that arrives meanwhile (multicast notifications, even those that
//! carry our seq, and messages of other exchanges) is kept, in order, for
//! [`Socket::recv`]. Messages of a dump that was dropped before its end
//! are discarded when they show up.
//!
//! An exchange ends on `NLMSG_DONE`, on an `NLMSG_ERROR` (an ack when its
//! errno is 0, even after data: the multi-part reply of some user-space
//! peers ends that way), or on a fault. `NLM_F_DUMP_INTR` on any message,
//! `NLMSG_DONE` included, makes the end an [`Error::DumpInterrupted`].

use std::ops::Range;

use netlink_core::attr::NLA_TYPE_MASK;
use netlink_core::{Control, Encode, ExtAck, Message, MessageType, Messages, NlmFlags};

use crate::error::{Error, KernelError, Offending};
use crate::socket::Socket;

/// What one answering message does to its exchange.
enum Step {
    Data,
    End(Option<String>),
    Fail(Error),
    Skip,
}

/// The reply to [`Socket::request`]: the data messages (often one, none
/// for a plain ack) and the warning a successful ack may carry.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    bytes: &'a [u8],
    warning: Option<&'a str>,
}

impl<'a> Reply<'a> {
    /// Returns the first data message, or `None` when only an ack came.
    #[must_use]
    pub fn message(&self) -> Option<Message<'a>> {
        Message::parse(self.bytes).ok().map(|(msg, _)| msg)
    }

    /// Returns all data messages in arrival order.
    #[must_use]
    pub const fn messages(&self) -> Messages<'a> {
        Messages::new(self.bytes)
    }

    /// Returns whether the request was answered by an ack alone.
    #[must_use]
    pub const fn is_ack_only(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Returns the extended-ack text of a successful ack: a warning.
    #[must_use]
    pub const fn warning(&self) -> Option<&'a str> {
        self.warning
    }
}

impl Socket {
    /// Sends a request and returns its reply: the data messages and the
    /// ack, or the error. With auto-ack (the default) the request asks for
    /// an ack and the reply ends with it; without, it ends after one data
    /// message that is not multi-part.
    ///
    /// # Errors
    ///
    /// [`Error::Kernel`] with the errno, extended-ack text, offending
    /// attribute and request type; [`Error::Timeout`] when a reply
    /// datagram takes longer than the reply timeout; [`Error::Decode`] for
    /// malformed replies (an `NLMSG_ERROR` shorter than 4 bytes included:
    /// it is never taken for success); the errors of [`Socket::send`].
    pub fn request<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<Reply<'_>, Error> {
        self.stash_rest(true);
        let seq = self.send(ty, flags, payload)?;
        let acked = self.options.auto_ack || flags.contains(NlmFlags::ACK);
        let mut reply = std::mem::take(&mut self.reply);
        reply.clear();
        let result = self.collect(seq, acked, &mut reply);
        self.reply = reply;
        self.stash_rest(false);
        self.warning = result?;
        Ok(Reply {
            bytes: &self.reply,
            warning: self.warning.as_deref(),
        })
    }

    fn collect(
        &mut self,
        seq: u32,
        acked: bool,
        out: &mut Vec<u8>,
    ) -> Result<Option<String>, Error> {
        let mut interrupted = false;
        let mut received = 0;
        let warning = loop {
            let range = self.next_answer(seq)?;
            let (step, flags) = self.classify(range.clone(), seq)?;
            interrupted |= flags.contains(NlmFlags::DUMP_INTR);
            match step {
                Step::Data => {
                    append_aligned(out, self.buf.get(range).unwrap_or_default());
                    received += 1;
                    if !acked && !flags.contains(NlmFlags::MULTI) {
                        break None;
                    }
                }
                Step::End(warning) => break warning,
                Step::Fail(err) => return Err(err),
                Step::Skip => {}
            }
        };
        if interrupted {
            return Err(Error::DumpInterrupted {
                received,
                attempts: 1,
            });
        }
        Ok(warning)
    }

    /// Waits for the ack of the request sent with sequence number `seq`,
    /// for callers that send first (for example a batch) and wait later.
    /// Data replies to that request and every other message are kept for
    /// [`Socket::recv`]. Returns the warning a successful ack may carry.
    ///
    /// # Errors
    ///
    /// As [`Socket::request`].
    pub fn wait_for_ack(&mut self, seq: u32) -> Result<Option<String>, Error> {
        self.stash_rest(true);
        let result = self.ack_of(seq);
        self.stash_rest(false);
        result
    }

    fn ack_of(&mut self, seq: u32) -> Result<Option<String>, Error> {
        loop {
            let range = self.next_answer(seq)?;
            match self.classify(range.clone(), seq)?.0 {
                Step::Data => self.keep(range),
                Step::End(warning) => return Ok(warning),
                Step::Fail(err) => return Err(err),
                Step::Skip => {}
            }
        }
    }

    /// Starts a dump: sends a request with `NLM_F_DUMP` (no ack is asked;
    /// the kernel ends dumps with `NLMSG_DONE`) and returns the reply to
    /// iterate over with [`Dump::next`].
    ///
    /// # Errors
    ///
    /// The errors of [`Socket::send`]; errors of the dump itself come from
    /// [`Dump::next`].
    pub fn dump<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<Dump<'_>, Error> {
        self.stash_rest(true);
        let flags = flags | NlmFlags::REQUEST | NlmFlags::DUMP;
        let to = crate::Address::port(self.options.peer);
        let seq = self.send_to(to, ty, flags, payload)?;
        Ok(Dump {
            sock: self,
            seq,
            received: 0,
            interrupted: false,
            state: State::Running,
        })
    }

    /// Dumps and decodes every message with `decode`, repeating the dump
    /// up to `attempts` times (at least once) while it comes back
    /// interrupted (`NLM_F_DUMP_INTR`). Returns the values of the first
    /// consistent attempt.
    ///
    /// # Errors
    ///
    /// [`Error::DumpInterrupted`] when every attempt was interrupted (use
    /// [`Socket::dump`] to keep the data of an interrupted dump), errors of
    /// `decode` and of [`Dump::next`].
    pub fn dump_consistent<P, T, F>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
        attempts: u32,
        mut decode: F,
    ) -> Result<Vec<T>, Error>
    where
        P: Encode + ?Sized,
        F: FnMut(Message<'_>) -> Result<T, Error>,
    {
        let attempts = attempts.max(1);
        let mut received = 0;
        for _ in 0..attempts {
            let mut values = Vec::new();
            let mut dump = self.dump(ty, flags, payload)?;
            let mut interrupted = false;
            while let Some(item) = dump.next() {
                match item {
                    Ok(msg) => values.push(decode(msg)?),
                    Err(Error::DumpInterrupted { received: n, .. }) => {
                        interrupted = true;
                        received = n;
                    }
                    Err(err) => return Err(err),
                }
            }
            if !interrupted {
                return Ok(values);
            }
        }
        Err(Error::DumpInterrupted { received, attempts })
    }

    /// Returns the range of the next message answering `seq`, keeping the
    /// others for [`Socket::recv`].
    fn next_answer(&mut self, seq: u32) -> Result<Range<usize>, Error> {
        loop {
            if self.pos >= self.len {
                let deadline = self.deadline();
                self.next_datagram(Some(deadline))?;
                continue;
            }
            let range = self.take_message()?;
            let Some((msg_seq, ty)) = self.header_at(&range) else {
                continue;
            };
            if self.answers(msg_seq, seq) {
                return Ok(range);
            }
            if self.is_abandoned(msg_seq) {
                if matches!(ty, MessageType::DONE | MessageType::ERROR) {
                    self.abandoned = None;
                }
                continue;
            }
            self.keep(range);
        }
    }

    fn header_at(&self, range: &Range<usize>) -> Option<(u32, MessageType)> {
        let (msg, _) = Message::parse(self.buf.get(range.clone())?).ok()?;
        Some((msg.seq(), msg.message_type()))
    }

    fn classify(&self, range: Range<usize>, seq: u32) -> Result<(Step, NlmFlags), Error> {
        let (msg, _) = Message::parse(self.buf.get(range).unwrap_or_default())?;
        let step = match Control::parse(msg)? {
            Control::Data(_) => Step::Data,
            Control::Error(err) if err.is_ack() => Step::End(warning(&err.ext_ack_or_default())),
            Control::Error(err) => {
                let echoed = err.request().map(|h| h.message_type());
                Step::Fail(self.kernel_error(err.errno(), &err.ext_ack_or_default(), seq, echoed))
            }
            Control::Done(done) if done.is_success() => {
                Step::End(warning(&done.ext_ack_or_default()))
            }
            Control::Done(done) => {
                let mut err =
                    self.kernel_error(done.errno(), &done.ext_ack_or_default(), seq, None);
                if let Error::Kernel(inner) | Error::DumpBusy(inner) = &mut err {
                    inner.in_done = true;
                }
                Step::Fail(err)
            }
            Control::Overrun => Step::Fail(Error::Overrun),
            _ => Step::Skip,
        };
        Ok((step, msg.flags()))
    }

    /// Builds the error for errno `errno` answering request `seq`, locating
    /// the offending attribute in our copy of the request.
    fn kernel_error(
        &self,
        errno: i32,
        ext: &ExtAck<'_>,
        seq: u32,
        echoed: Option<MessageType>,
    ) -> Error {
        let request = self.sent_request(seq).and_then(|r| Message::parse(r).ok());
        let request_type = request
            .map(|(m, _)| m.message_type())
            .or(echoed)
            .unwrap_or_default();
        let attribute = ext.offset().map(|offset| Offending {
            offset,
            kind: request.and_then(|(m, _)| attribute_at(&m, offset)),
        });
        let err = Box::new(KernelError {
            error: std::io::Error::from_raw_os_error(errno),
            message: ext.message().map(|m| m.into_owned()),
            attribute,
            missing_type: ext.missing_type(),
            request_type,
            in_done: false,
        });
        let dump = request.is_some_and(|(m, _)| m.flags().contains(NlmFlags::DUMP));
        if errno == libc::EBUSY && dump {
            Error::DumpBusy(err)
        } else {
            Error::Kernel(err)
        }
    }
}

/// Returns the type of the attribute at `offset` (counted from the start
/// of the message, header included) of `request`.
fn attribute_at(request: &Message<'_>, offset: u32) -> Option<u16> {
    let at = usize::try_from(offset).ok()?.checked_sub(16)?;
    let bytes = request
        .payload()
        .get(at.checked_add(2)?..at.checked_add(4)?)?;
    let raw = u16::from_ne_bytes(bytes.try_into().ok()?);
    Some(raw & NLA_TYPE_MASK)
}

fn warning(ext: &ExtAck<'_>) -> Option<String> {
    ext.message().map(|m| m.into_owned())
}

fn append_aligned(out: &mut Vec<u8>, bytes: &[u8]) {
    out.resize(out.len().next_multiple_of(4), 0);
    out.extend_from_slice(bytes);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Ended,
    Failed,
}

/// A dump in progress: call [`Dump::next`] until it returns `None`.
///
/// Each message borrows the socket's receive buffer, so nothing is
/// allocated per message; the next call reuses the buffer. Dropping a dump
/// before its end leaves the kernel's dump running: its remaining messages
/// are discarded as they arrive, and a new dump on the socket meanwhile
/// fails with [`Error::DumpBusy`] until the old one is drained.
#[derive(Debug)]
#[must_use = "a dump does nothing until its messages are read"]
pub struct Dump<'s> {
    sock: &'s mut Socket,
    seq: u32,
    received: usize,
    interrupted: bool,
    state: State,
}

impl Dump<'_> {
    /// Returns the next message of the dump, `None` at its end, or an
    /// error.
    ///
    /// After the last message an interrupted dump yields
    /// [`Error::DumpInterrupted`] once (every message was handed over
    /// before), then `None`. [`Error::Overrun`] does not end the dump: the
    /// kernel keeps dump data, and later calls go on.
    #[expect(
        clippy::should_implement_trait,
        reason = "a lending iterator cannot be Iterator"
    )]
    pub fn next(&mut self) -> Option<Result<Message<'_>, Error>> {
        if self.state != State::Running {
            return None;
        }
        let range = loop {
            let range = match self.sock.next_answer(self.seq) {
                Ok(range) => range,
                Err(err) => return Some(Err(self.fault(err))),
            };
            let (step, flags) = match self.sock.classify(range.clone(), self.seq) {
                Ok(classified) => classified,
                Err(err) => return Some(Err(err)),
            };
            self.interrupted |= flags.contains(NlmFlags::DUMP_INTR);
            match step {
                Step::Data => break range,
                Step::End(_) => return self.end(),
                // An `NLMSG_OVERRUN` inside the reply reports a loss, as
                // `ENOBUFS` does; the dump's own messages still follow.
                Step::Fail(Error::Overrun) => return Some(Err(Error::Overrun)),
                Step::Fail(err) => {
                    self.state = State::Ended;
                    self.sock.stash_rest(false);
                    return Some(Err(err));
                }
                Step::Skip => {}
            }
        };
        self.received += 1;
        let bytes = self.sock.buf.get(range).unwrap_or_default();
        Some(
            Message::parse(bytes)
                .map(|(msg, _)| msg)
                .map_err(Error::from),
        )
    }

    fn fault(&mut self, err: Error) -> Error {
        if !matches!(err, Error::Overrun | Error::Decode(_)) {
            self.state = State::Failed;
        }
        err
    }

    fn end(&mut self) -> Option<Result<Message<'_>, Error>> {
        self.state = State::Ended;
        self.sock.stash_rest(false);
        self.interrupted.then_some(Err(Error::DumpInterrupted {
            received: self.received,
            attempts: 1,
        }))
    }

    /// Returns the sequence number of the dump request.
    #[must_use]
    pub const fn seq(&self) -> u32 {
        self.seq
    }

    /// Returns how many data messages were handed over so far.
    #[must_use]
    pub const fn received(&self) -> usize {
        self.received
    }

    /// Returns whether a message so far carried `NLM_F_DUMP_INTR`.
    #[must_use]
    pub const fn is_interrupted(&self) -> bool {
        self.interrupted
    }
}

impl Drop for Dump<'_> {
    fn drop(&mut self) {
        if self.state != State::Ended {
            self.sock.abandoned = Some(self.seq);
        }
        self.sock.stash_rest(false);
    }
}
