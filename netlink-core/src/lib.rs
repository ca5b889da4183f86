//! The netlink wire format: headers, checked views, attributes, a builder,
//! acknowledgements and typed errors. No I/O, no `unsafe`, and no panic on
//! any input.
//!
//! # The wire format
//!
//! A datagram holds one or more messages, each aligned to four bytes
//! (`netlink(7)`):
//!
//! ```text
//! +----------------------------------+-----------------+-----+------------
//! | nlmsghdr (16 bytes)              | payload         | pad | next message
//! | len u32|type u16|flags u16|seq u32|pid u32|         |     |
//! +----------------------------------+-----------------+-----+------------
//!                                    | family header | attributes ...
//! ```
//!
//! A payload usually starts with a fixed family header (`ifinfomsg`,
//! `genlmsghdr`, ...) followed by attributes, each aligned to four bytes:
//!
//! ```text
//! +---------+----------+---------------------+-----+
//! | len u16 | type u16 | payload             | pad |
//! +---------+----------+---------------------+-----+
//!             bit 15: NLA_F_NESTED, the payload is attributes again
//!             bit 14: NLA_F_NET_BYTEORDER
//! ```
//!
//! # The API by task
//!
//! - Reading: [`Messages`] walks a datagram, [`Message`] is one checked
//!   message, [`Attrs`] walks attributes and [`Attr::nested`] descends.
//! - Control messages: [`Control`] classifies a message; [`ErrorMessage`]
//!   and [`DoneMessage`] read acks, errors and dump ends with their
//!   [`ExtAck`] TLVs.
//! - Writing: [`MessageBuilder`] writes a message (or, used repeatedly on
//!   one buffer, a batch); [`attr::write`] and [`attr::write_nest`] write
//!   attributes anywhere.
//! - Values: [`Encode`] and [`Decode`] are the contract between payload
//!   types and the wire; see [`value`] for the built-in rules.
//!   [`Repeated`] reads the occurrences of a repeated attribute in place.
//! - Numbers: [`NlMsgHdr`], [`MessageType`], [`NlmFlags`], [`Protocol`], and
//!   the length helpers in [`align`].
//! - Errors: [`DecodeError`] (kind, offset, path) and [`EncodeError`].
//!
//! Fallible calls return `Result`; accessors of a view that was checked
//! when it was made cannot fail. Iterators yield at most one error and then
//! end, so every loop over any input terminates.
//!
//! # Example
//!
//! ```
//! use netlink_core::{Decode, Message, MessageBuilder, MessageType, NlmFlags};
//!
//! // Build RTM_GETLINK-like request with one nested attribute.
//! let mut buf = Vec::new();
//! let mut msg = MessageBuilder::new(&mut buf, MessageType(18), NlmFlags::REQUEST | NlmFlags::DUMP);
//! msg.family_header(&[0u8; 16])?;
//! msg.attr(3, "eth0")?;
//! let info = msg.begin_nest(18)?;
//! msg.attr(1, "veth")?;
//! msg.end_nest(info)?;
//! msg.finish()?;
//!
//! // Read it back.
//! let (parsed, _) = Message::parse(&buf)?;
//! assert!(parsed.flags().contains(NlmFlags::DUMP));
//! let (_ifinfomsg, mut attrs) = parsed.family_header::<[u8; 16]>()?;
//! let name = attrs.next().ok_or("no name")??;
//! assert_eq!((name.kind(), <&str>::decode(name.payload())?), (3, "eth0"));
//! let info = attrs.next().ok_or("no nest")??;
//! let kind = info.nested().next().ok_or("empty nest")??;
//! assert_eq!(<&str>::decode(kind.payload())?, "veth");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
// The wire layer must not panic on any input: no indexing, unchecked
// arithmetic, truncating casts or unwraps outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::cast_possible_truncation,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

pub mod ack;
pub mod align;
pub mod attr;
pub mod builder;
pub mod derive_support;
pub mod error;
pub mod header;
pub mod message;
pub mod repeated;
pub mod value;

pub use ack::{Control, DoneMessage, ErrorMessage, ExtAck};
pub use attr::{Attr, Attrs, NlAttrHdr};
pub use builder::MessageBuilder;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use header::{MessageType, NlMsgHdr, NlmFlags, Protocol};
pub use message::{Message, Messages};
pub use repeated::Repeated;
pub use value::{Decode, Encode, MacAddr};

/// Re-exports for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use zerocopy;

    pub use crate::attr::{Attr, Attrs, write as write_attr};
    pub use crate::derive_support::*;
    pub use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
    pub use crate::repeated::{Repeated, RepeatedSpan};
    pub use crate::value::{Decode, Encode};
}
