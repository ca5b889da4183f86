//! `#[derive(NetlinkMessage)]`: netlink wire codecs from plain Rust types.
//!
//! ```text
//! payload of a message, or content of a nest:
//! +------------------+-----+---------+---------+-----+---------+
//! | header field(s)  | pad | attr  N | attr  M | ... | unknown |
//! | (zerocopy struct)|     | field   | field   |     | kept    |
//! +------------------+-----+---------+---------+-----+---------+
//!                          each: | len u16 | type u16 | payload | pad |
//! ```
//!
//! The derive generates code that calls only `netlink_core`: a struct gets
//! `Encode`, `Decode` and `Nest`; an enum of attributes gets `AttrEnum`; an
//! enum of messages gets `MessageEnum` (or `Decode` and `GenlCommand` when
//! keyed by generic netlink command). The traits live in
//! `netlink_core::derive_support`.
//!
//! # Structs
//!
//! Fields marked `header` come first and are `zerocopy` structs
//! (`FromBytes + IntoBytes + Immutable`) such as `ifinfomsg` or
//! `genlmsghdr`; attributes start at the next four-byte boundary. Then:
//!
//! | field type | `#[netlink(attr = N)]` means |
//! |---|---|
//! | `T` | required: a missing one is `MissingAttribute` naming the field |
//! | `Option<T>` | optional |
//! | `Vec<T>` (not `Vec<u8>`) | repeated: every occurrence, in order |
//! | `Repeated<'a, T>` | repeated, read in place without allocating (below) |
//! | `bool` | a flag: present and empty; `false` is not written |
//! | `Vec<u8>`, `&'a [u8]`, `&'a str`, `&'a CStr`, ... | one value, as `netlink_core::value` says (`&'a CStr` for names that need not be UTF-8) |
//!
//! **Repeated views.** A `netlink_core::Repeated<'a, T>` field takes every
//! occurrence of its attribute like a `Vec<T>`, but keeps only where they
//! lie in the decoded bytes: decoding allocates nothing. Each occurrence is
//! still decoded and checked against the field's policy while the struct
//! is decoded, so a bad one fails the whole decode, with the field's name
//! and offset; iterating the view (`iter()`, `for v in &field`) decodes the
//! values again and cannot fail. For writing, make one from a slice with
//! `Repeated::from_slice`; a view over wire bytes and one over a slice of
//! equal values compare equal and encode to the same bytes. `T` is any
//! value type, or a derived struct with `nested`; `be` and `attrs` are
//! refused (use a big-endian type such as `zerocopy::U32<BigEndian>`).
//!
//! One field may be `#[netlink(unknown)]`, a `Vec` of `RawAttr` (type with
//! flag bits, and payload) or of an attribute enum: it keeps every attribute
//! no other field takes, so decode then encode loses nothing.
//!
//! Encoding writes headers, then attributes in field order, then the
//! catch-all. Decoding walks the attributes once, in any order.
//!
//! **Duplicates.** When a non-repeated attribute occurs more than once, the
//! last occurrence wins, as with the kernel's `nla_parse`; every occurrence
//! must still decode. An `indexed` array that occurs twice is replaced, too.
//!
//! # Keys
//!
//! | key | where | meaning |
//! |---|---|---|
//! | `crate = path` | item | path of `netlink_core` for re-exporting crates |
//! | `strict` | struct, attribute enum | an unknown attribute type is an `UnknownAttribute` error |
//! | `message` | enum | a message enum (see below) |
//! | `header` | field | a fixed header |
//! | `attr = N` | field, variant | attribute type, 1 to 0x3fff |
//! | `unknown` | field, variant | the catch-all |
//! | `nested` | field, variant | the value is a nest: a derived struct (or any `Nest`) |
//! | `attrs` | field, variant | the value is a nest of attribute enums: `Vec<E>` or the lazy `AttrIter<'a, E>` |
//! | `indexed` | field, variant | a nest of entries numbered 1..n (`Vec<T>`; add `nested` when entries are nests) |
//! | `noflag` | field, variant | write the nest without `NLA_F_NESTED`, as `nla_nest_start_noflag` does |
//! | `be` | field, variant | an integer in network byte order |
//! | `nul = false` | field, variant | write a string without its NUL (reading accepts both) |
//! | `len = n`, `min_len = n`, `max_len = n` | field, variant | payload length policy, on decode and encode |
//! | `range = a..=b` | field, variant | value policy for integers, on decode and encode |
//! | `ty = N` | message variant | `nlmsg_type`, 16 to 65535 |
//! | `command = N` | message variant | `genlmsghdr.cmd`, 0 to 255 |
//!
//! Nests are read whatever `NLA_F_NESTED` says (rtnetlink omits it) and are
//! written with it unless `noflag` is given. Decoding gives up past
//! `netlink_core::derive_support::MAX_DEPTH` nested levels, so recursive
//! types are safe on hostile input. A derived struct used as a plain value
//! (without `nested`, say a `Vec<Self>` field) counts as a level too: its
//! decoder takes the depth through `Decode::decode_at_depth`.
//!
//! Every error of a value carries the field (or variant) name and the byte
//! offset of the attribute, and nested errors read as a path such as
//! `linkinfo.kind: string is not valid UTF-8 after byte 0 at offset 40`.
//!
//! # Attribute enums
//!
//! One newtype variant per attribute type (a unit variant is a flag), plus
//! an optional `#[netlink(unknown)]` variant holding a `RawAttr`. Read a
//! stream lazily with `AttrIter::<E>::new(bytes)` or eagerly with
//! `decode_attrs`; write a slice with `encode_attrs`. Without an unknown
//! variant, unknown attributes are skipped (or refused under `strict`).
//!
//! # Message enums
//!
//! `#[netlink(message)]` on an enum of newtype variants, each
//! `#[netlink(ty = N)]` (dispatch on `nlmsg_type` through
//! `MessageEnum::decode_message`) or each `#[netlink(command = N)]`
//! (dispatch on the first payload byte, `genlmsghdr.cmd`, through `Decode`;
//! encoding sets that byte to the variant's command). An
//! `#[netlink(unknown)]` variant holding a `RawMessage` keeps the rest; in
//! a command enum it is written with its `ty` as the command byte, and a
//! `ty` above 255 is an `EncodeError::Invalid` rather than a command cut
//! to fit.
//!
//! # Example
//!
//! ```
//! use netlink_core::derive_support::{GenlCommand, RawAttr};
//! use netlink_core::{Decode, Encode};
//! use netlink_derive::NetlinkMessage;
//! use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
//!
//! #[derive(Debug, Clone, Copy, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
//! #[repr(C)]
//! struct GenlMsgHdr {
//!     cmd: u8,
//!     version: u8,
//!     reserved: u16,
//! }
//!
//! #[derive(Debug, PartialEq, NetlinkMessage)]
//! struct Group<'a> {
//!     #[netlink(attr = 2)]
//!     id: u32,
//!     #[netlink(attr = 1)]
//!     name: &'a str,
//! }
//!
//! #[derive(Debug, PartialEq, NetlinkMessage)]
//! struct Family<'a> {
//!     #[netlink(header)]
//!     header: GenlMsgHdr,
//!     #[netlink(attr = 2)]
//!     name: &'a str,
//!     #[netlink(attr = 1)]
//!     id: u16,
//!     #[netlink(attr = 3)]
//!     version: Option<u32>,
//!     #[netlink(attr = 7, indexed, nested)]
//!     groups: Vec<Group<'a>>,
//!     #[netlink(unknown)]
//!     rest: Vec<RawAttr<'a>>,
//! }
//!
//! #[derive(Debug, PartialEq, NetlinkMessage)]
//! #[netlink(message)]
//! enum Ctrl<'a> {
//!     #[netlink(command = 1)]
//!     NewFamily(Family<'a>),
//! }
//!
//! let family = Family {
//!     header: GenlMsgHdr { cmd: 1, version: 2, reserved: 0 },
//!     name: "nlctrl",
//!     id: 0x10,
//!     version: Some(2),
//!     groups: vec![Group { id: 0x10, name: "notify" }],
//!     rest: Vec::new(),
//! };
//! let mut payload = Vec::new();
//! family.encode(&mut payload)?;
//! assert_eq!(payload.len(), family.encoded_len());
//!
//! let ctrl = Ctrl::decode(&payload)?;
//! assert_eq!(ctrl.command(), 1);
//! assert_eq!(ctrl, Ctrl::NewFamily(family));
//!
//! // A required attribute that is missing is named in the error.
//! let err = Family::decode(&payload[..4]).unwrap_err();
//! assert_eq!(err.to_string(), "required attribute name (type 2) is missing at offset 0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Compile errors
//!
//! Misuse is reported at the offending token, all errors of an item at
//! once: unknown or repeated keys, keys in the wrong place or in conflict,
//! attribute numbers out of range or used twice, fields without a role,
//! unsupported field types, two catch-alls, headers after attributes,
//! unions, type and const parameters, a second lifetime, and variants of
//! the wrong shape.
//!
//! # Limitations
//!
//! Limitation: type and const parameters are refused; derive for concrete
//! types (one lifetime, that of the borrowed bytes, is supported).
//!
//! Limitation: a struct that is a nest has no way to remember whether the
//! sender set `NLA_F_NESTED`; it is written as `noflag` says. Keep such
//! nests in the catch-all to re-encode them bit for bit.
//!
//! Limitation: an `indexed` field is a `Vec<T>`, which cannot tell an empty
//! nest from an absent one. An empty nest decodes to an empty `Vec`, and an
//! empty `Vec` is not written, so decode then encode drops an empty
//! `indexed` nest.
#![forbid(unsafe_code)]

mod errors;
mod expand;
mod keys;
mod model;
mod validate;

use proc_macro::TokenStream;

/// Derives the netlink wire codec of a struct, an attribute enum or a
/// message enum; see the crate documentation for the keys of
/// `#[netlink(...)]`.
#[proc_macro_derive(NetlinkMessage, attributes(netlink))]
pub fn derive_netlink_message(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive(&input).into()
}

/// Runs the phases: model, validation, expansion.
fn derive(input: &syn::DeriveInput) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    let model = model::Input::from_syn(input, &mut errors);
    if let Some(model) = &model {
        validate::check(model, &mut errors);
    }
    match (errors.into_tokens(), model) {
        (Some(errors), _) => errors,
        (None, Some(model)) => expand::expand(&model),
        (None, None) => proc_macro2::TokenStream::new(),
    }
}

#[cfg(test)]
mod tests {
    //! Expansion snapshot: the derive's output for one representative
    //! struct, compared with a committed file. Set
    //! `NETLINK_DERIVE_SNAPSHOT=overwrite` to rewrite it and review the
    //! diff.

    const SNAPSHOT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/family.expanded.rs"
    );

    fn input() -> syn::DeriveInput {
        syn::parse_quote! {
            #[derive(NetlinkMessage)]
            struct Family<'a> {
                #[netlink(header)]
                header: GenlMsgHdr,
                #[netlink(attr = 2, max_len = 16)]
                name: &'a str,
                #[netlink(attr = 1)]
                id: u16,
                #[netlink(attr = 3, be, range = 1..=9)]
                version: Option<u32>,
                #[netlink(attr = 4)]
                addrs: Vec<u32>,
                #[netlink(attr = 5)]
                up: bool,
                #[netlink(attr = 6, indexed, nested, noflag)]
                ops: Vec<Op>,
                #[netlink(attr = 7)]
                members: Repeated<'a, u32>,
                #[netlink(unknown)]
                rest: Vec<RawAttr<'a>>,
            }
        }
    }

    /// Returns `source` as a normalised token string: without whitespace
    /// and commas, which rustfmt adds or removes after match arms.
    fn normalise(source: &str) -> String {
        let file = syn::parse_file(source).expect("snapshot parses as Rust");
        quote::quote!(#file)
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ',')
            .collect()
    }

    /// Returns one item of every kind the derive accepts, each with the
    /// container keys `keys` and together touching every field shape.
    fn every_kind(keys: &proc_macro2::TokenStream) -> Vec<syn::DeriveInput> {
        let mut family = input();
        family.attrs.push(syn::parse_quote!(#[netlink(#keys)]));
        vec![
            family,
            syn::parse_quote! {
                #[netlink(#keys)]
                struct Tree<'a> {
                    #[netlink(attr = 1, attrs)]
                    choices: Vec<Choice<'a>>,
                    #[netlink(attr = 2, nested)]
                    child: Option<Box<Tree<'a>>>,
                    #[netlink(attr = 3)]
                    plain: Vec<Tree<'a>>,
                    #[netlink(attr = 4, min_len = 1, nul = false)]
                    text: &'a [u8],
                }
            },
            syn::parse_quote! {
                #[netlink(#keys)]
                enum Choice<'a> {
                    #[netlink(attr = 1)]
                    Name(&'a str),
                    #[netlink(attr = 2)]
                    Flag,
                    #[netlink(attr = 3, indexed)]
                    List(Vec<u32>),
                    #[netlink(unknown)]
                    Other(RawAttr<'a>),
                }
            },
            syn::parse_quote! {
                #[netlink(message, #keys)]
                enum ByType<'a> {
                    #[netlink(ty = 16)]
                    New(Tree<'a>),
                    #[netlink(unknown)]
                    Other(RawMessage<'a>),
                }
            },
            syn::parse_quote! {
                #[netlink(message, #keys)]
                enum ByCommand<'a> {
                    #[netlink(command = 1)]
                    New(Tree<'a>),
                    #[netlink(unknown)]
                    Other(RawMessage<'a>),
                }
            },
        ]
    }

    #[test]
    fn a_crate_path_replaces_every_path_to_the_support_crate() {
        let keys = quote::quote!(crate = ::reexport::wire);
        for item in every_kind(&keys) {
            let expanded = super::derive(&item).to_string();
            assert!(!expanded.contains("compile_error"), "{expanded}");
            assert!(expanded.contains(":: reexport :: wire :: __private"));
            assert!(!expanded.contains("netlink_core"), "{expanded}");
        }
    }

    #[test]
    fn without_a_crate_path_the_expansion_names_netlink_core() {
        let expanded = super::derive(&input()).to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(expanded.contains(":: netlink_core :: __private"));
    }

    #[test]
    fn expansion_matches_the_snapshot() {
        let expanded = super::derive(&input()).to_string();
        if std::env::var_os("NETLINK_DERIVE_SNAPSHOT").is_some_and(|v| v == "overwrite") {
            // One statement or brace per line, so that a diff is readable;
            // the file is compared without whitespace.
            let lines = expanded
                .replace("; ", ";\n")
                .replace("{ ", "{\n")
                .replace("} ", "}\n");
            std::fs::write(SNAPSHOT, lines).expect("snapshot written");
        }
        let committed = std::fs::read_to_string(SNAPSHOT).expect("snapshot exists");
        assert_eq!(normalise(&expanded), normalise(&committed));
    }
}
