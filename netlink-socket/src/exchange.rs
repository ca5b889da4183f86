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
//! `NLMSG_DONE` included, makes the end an [`Error::DumpInterrupted`],
//! after the data was handed over: by [`Dump::next`] message by message,
//! by [`Socket::interrupted_reply`] for a request.
//!
//! Each message is framed once to be sorted (answer, kept, discarded) and,
//! when it answers, classified in the same step (`Socket::next_answer`).
//! Only the view [`Dump::next`] hands out is framed again from its range:
//! a view cannot leave the loop that may read the next datagram into the
//! same buffer.
//!
//! Each call (a request, a wait for an ack, one [`Dump::next`]) waits at
//! most the reply timeout in total for its replies, however many
//! datagrams it reads. The send of a request or a dump waits for room at
//! a full user-space peer at most the reply timeout too (or the write
//! timeout when shorter): with the defaults nothing waits forever.

use std::ops::Range;

use netlink_core::attr::NLA_TYPE_MASK;
use netlink_core::{Control, Encode, ExtAck, Message, MessageType, Messages, NlmFlags};

use crate::error::{Error, KernelError, Offending};
use crate::socket::{ReplyWait, Socket};

/// What one answering message does to its exchange. The error is boxed
/// to keep the common steps small: one is made per message.
enum Step {
    Data,
    End(Option<String>),
    Fail(Box<Error>),
    Skip,
}

/// How a reply to [`Socket::request`] ended: the warning of its ack, how
/// many data messages it held, and whether one carried `NLM_F_DUMP_INTR`.
struct Ending {
    warning: Option<String>,
    received: usize,
    interrupted: bool,
}

/// The next message answering an exchange: where it lies in the receive
/// buffer, what it does, and its flags.
struct Answer {
    range: Range<usize>,
    step: Step,
    flags: NlmFlags,
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
    /// The request is sent like [`Socket::send`] sends it, except that at
    /// a user-space peer whose receive buffer is full it waits for room at
    /// most the reply timeout (or the write timeout when that is shorter),
    /// so that the default, no write timeout, cannot block forever.
    ///
    /// # Errors
    ///
    /// [`Error::Kernel`] with the errno, extended-ack text, offending
    /// attribute and request type; [`Error::Timeout`] when the request
    /// finds no room at the peer or the reply is not complete within the
    /// reply timeout; [`Error::Decode`] for malformed replies (an
    /// `NLMSG_ERROR` shorter than 4 bytes included: it is never taken for
    /// success); [`Error::DumpInterrupted`] when a message of a complete
    /// reply carried `NLM_F_DUMP_INTR`: the data is then handed over by
    /// [`Socket::interrupted_reply`]; the other errors of [`Socket::send`].
    pub fn request<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<Reply<'_>, Error> {
        self.stash_rest(true);
        self.reply_interrupted = false;
        let seq = self.send_exchange(ty, self.request_flags(flags), payload)?;
        let acked = self.options.auto_ack || flags.contains(NlmFlags::ACK);
        let mut reply = std::mem::take(&mut self.reply);
        reply.clear();
        let result = self.collect(seq, acked, &mut reply);
        self.reply = reply;
        self.stash_rest(false);
        let ending = result?;
        self.warning = ending.warning;
        if ending.interrupted {
            self.reply_interrupted = true;
            return Err(Error::DumpInterrupted {
                received: ending.received,
                attempts: 1,
            });
        }
        Ok(self.last_reply())
    }

    /// Returns the reply of the last [`Socket::request`] when it failed
    /// with [`Error::DumpInterrupted`]: every data message and the ack's
    /// warning, as a successful request returns them. The data may be
    /// inconsistent, since it changed while it was read. Kept until the
    /// next request.
    ///
    /// An interrupted dump hands its messages over one by one before its
    /// error; a request collects them first, and an [`Error`] cannot
    /// borrow the socket's buffer that holds them, so they stay here
    /// instead of being copied into the error.
    #[must_use]
    pub fn interrupted_reply(&self) -> Option<Reply<'_>> {
        self.reply_interrupted.then(|| self.last_reply())
    }

    fn last_reply(&self) -> Reply<'_> {
        Reply {
            bytes: &self.reply,
            warning: self.warning.as_deref(),
        }
    }

    /// Reads the reply to request `seq` into `out`, until its ack (when
    /// `acked`), `NLMSG_DONE`, or the first data message that is not
    /// multi-part.
    fn collect(&mut self, seq: u32, acked: bool, out: &mut Vec<u8>) -> Result<Ending, Error> {
        let mut wait = ReplyWait::default();
        let mut interrupted = false;
        let mut received = 0;
        let warning = loop {
            let Answer { range, step, flags } = self.next_answer(seq, &mut wait)?;
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
                Step::Fail(err) => return Err(*err),
                Step::Skip => {}
            }
        };
        Ok(Ending {
            warning,
            received,
            interrupted,
        })
    }

    /// Waits for the ack of the request sent with sequence number `seq`,
    /// for callers that send first (for example a batch) and wait later,
    /// in any order: an ack that arrived while another call waited was
    /// kept, and is found among the kept messages first. Data replies to
    /// that request and every other message are kept for
    /// [`Socket::recv`]. Returns the warning a successful ack may carry.
    ///
    /// # Errors
    ///
    /// As [`Socket::request`].
    pub fn wait_for_ack(&mut self, seq: u32) -> Result<Option<String>, Error> {
        self.stash_rest(true);
        let kept = self.unqueue_end(seq).map(|bytes| self.end_of(&bytes, seq));
        let result = match kept {
            Some(Some(result)) => result,
            _ => self.ack_of(seq),
        };
        self.stash_rest(false);
        result
    }

    /// Returns what the kept message `bytes`, which ends exchange `seq`,
    /// says: its warning or its error.
    fn end_of(&self, bytes: &[u8], seq: u32) -> Option<Result<Option<String>, Error>> {
        let msg = match Message::parse(bytes) {
            Ok((msg, _)) => msg,
            Err(err) => return Some(Err(err.into())),
        };
        match self.classify(msg, seq) {
            Ok(Step::End(warning)) => Some(Ok(warning)),
            Ok(Step::Fail(err)) => Some(Err(*err)),
            Err(err) => Some(Err(err)),
            Ok(Step::Data | Step::Skip) => None,
        }
    }

    fn ack_of(&mut self, seq: u32) -> Result<Option<String>, Error> {
        let mut wait = ReplyWait::default();
        loop {
            let Answer { range, step, .. } = self.next_answer(seq, &mut wait)?;
            match step {
                Step::Data => self.keep(range),
                Step::End(warning) => return Ok(warning),
                Step::Fail(err) => return Err(*err),
                Step::Skip => {}
            }
        }
    }

    /// Starts a dump: sends a request with `NLM_F_DUMP` (no ack is asked;
    /// the kernel ends dumps with `NLMSG_DONE`) and returns the reply to
    /// iterate over with [`Dump::next`]. The request waits for room at a
    /// full user-space peer as long as [`Socket::request`] does.
    ///
    /// # Errors
    ///
    /// The errors of [`Socket::send`], [`Error::Timeout`] when the request
    /// finds no room at the peer; errors of the dump itself come from
    /// [`Dump::next`].
    pub fn dump<P: Encode + ?Sized>(
        &mut self,
        ty: MessageType,
        flags: NlmFlags,
        payload: &P,
    ) -> Result<Dump<'_>, Error> {
        self.stash_rest(true);
        let flags = flags | NlmFlags::REQUEST | NlmFlags::DUMP;
        let seq = self.send_exchange(ty, flags, payload)?;
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

    /// Returns the next message answering `seq`, classified, keeping the
    /// others for [`Socket::recv`] and discarding those of an abandoned
    /// dump. Reads datagrams within the budget `wait`.
    fn next_answer(&mut self, seq: u32, wait: &mut ReplyWait) -> Result<Answer, Error> {
        loop {
            if self.pos >= self.len {
                self.next_datagram(Some(wait))?;
                continue;
            }
            let start = self.pos;
            let rest = self.buf.get(start..self.len).unwrap_or_default();
            let (msg, advance) = match Message::parse(rest) {
                Ok(parsed) => parsed,
                Err(err) => {
                    // A framing fault: the rest of the datagram cannot be
                    // delimited, so it is skipped.
                    self.pos = self.len;
                    return Err(Error::Decode(err.shifted(start)));
                }
            };
            self.pos = start.saturating_add(advance);
            let len = usize::try_from(msg.header().len).unwrap_or(usize::MAX);
            let range = start..start.saturating_add(len);
            if self.answers(msg.seq(), seq) {
                let flags = msg.flags();
                // Protocol messages, most of a dump, need no classifying.
                let step = if msg.message_type().is_control() {
                    self.classify(msg, seq)?
                } else {
                    Step::Data
                };
                return Ok(Answer { range, step, flags });
            }
            if self.is_abandoned(msg.seq()) {
                if matches!(msg.message_type(), MessageType::DONE | MessageType::ERROR) {
                    self.abandoned = None;
                }
                continue;
            }
            self.keep(range);
        }
    }

    fn classify(&self, msg: Message<'_>, seq: u32) -> Result<Step, Error> {
        Ok(match Control::parse(msg)? {
            Control::Data(_) => Step::Data,
            Control::Error(err) if err.is_ack() => Step::End(warning(&err.ext_ack_or_default())),
            Control::Error(err) => {
                let echoed = err.request().map(|h| h.message_type());
                let err = self.kernel_error(err.errno(), &err.ext_ack_or_default(), seq, echoed);
                Step::Fail(Box::new(err))
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
                Step::Fail(Box::new(err))
            }
            Control::Overrun => Step::Fail(Box::new(Error::Overrun)),
            _ => Step::Skip,
        })
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
        let mut wait = ReplyWait::default();
        let range = loop {
            let Answer { range, step, flags } = match self.sock.next_answer(self.seq, &mut wait) {
                Ok(answer) => answer,
                Err(err) => return Some(Err(self.fault(err))),
            };
            self.interrupted |= flags.contains(NlmFlags::DUMP_INTR);
            match step {
                Step::Data => break range,
                Step::End(_) => return self.end(),
                // An `NLMSG_OVERRUN` inside the reply reports a loss, as
                // `ENOBUFS` does; the dump's own messages still follow.
                Step::Fail(err) if matches!(*err, Error::Overrun) => {
                    return Some(Err(Error::Overrun));
                }
                Step::Fail(err) => {
                    self.state = State::Ended;
                    self.sock.stash_rest(false);
                    return Some(Err(*err));
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
