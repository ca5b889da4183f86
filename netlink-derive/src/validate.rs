//! Rules across keys and items: conflicting keys, attribute numbers,
//! duplicates, the order of headers, catch-alls and strictness.
//!
//! Every rule records its error at the token that breaks it (the second of
//! two, where there are two) and checking goes on.

use proc_macro2::Span;

use crate::errors::Errors;
use crate::keys::Keys;
use crate::model::{Body, Field, Input, MessageKey, MessageVariant, Role, Shape, Variant};

/// Highest attribute type: bits 14 and 15 of `nla_type` are flags.
const MAX_ATTR: u16 = 0x3fff;

/// Keys that cannot stand together on one field or variant.
const CONFLICTS: &[(&str, &str)] = &[
    ("header", "attr"),
    ("header", "unknown"),
    ("unknown", "attr"),
    ("nested", "attrs"),
    ("indexed", "attrs"),
    ("be", "nested"),
    ("be", "attrs"),
    ("nul", "nested"),
    ("nul", "attrs"),
    ("be", "nul"),
    ("len", "min_len"),
    ("len", "max_len"),
];

/// Keys that only make sense on an attribute.
const ATTR_ONLY: &[&str] = &[
    "nested", "attrs", "indexed", "noflag", "be", "nul", "len", "min_len", "max_len", "range",
];

/// Keys meaningless on a flag (`bool`).
const NOT_ON_FLAGS: &[&str] = ATTR_ONLY;

/// Keys a `Repeated` view cannot honour: it decodes its values again with
/// their own `Decode`, which knows no byte order option and no `Vec` of
/// attribute enums.
const NOT_ON_VIEWS: &[&str] = &["be", "attrs"];

/// Keys that describe a value's bytes, meaningless on a nest.
const NOT_ON_NESTS: &[&str] = &["len", "min_len", "max_len", "range"];

/// Checks `input`, recording every broken rule.
pub(crate) fn check(input: &Input<'_>, errors: &mut Errors) {
    match &input.body {
        Body::Struct(fields) => check_struct(input, fields, errors),
        Body::AttrEnum(variants) => check_attr_enum(input, variants, errors),
        Body::MessageEnum(variants) => check_message_enum(input, variants, errors),
    }
}

fn check_struct(input: &Input<'_>, fields: &[Field<'_>], errors: &mut Errors) {
    let mut seen_attr = false;
    let mut unknown_seen = false;
    let mut numbers = Numbers::default();
    for field in fields {
        check_keys(&field.keys, &field.role, errors);
        match &field.role {
            Role::Header if seen_attr => {
                if let Some(span) = field.keys.flag("header") {
                    errors.at(span, "header fields must come before all attribute fields");
                }
            }
            Role::Attr(spec) => {
                seen_attr = true;
                numbers.add(spec.num, spec.num_span, &field.name, errors);
            }
            Role::Unknown(_) => {
                seen_attr = true;
                check_unknown(input, &field.keys, &mut unknown_seen, errors);
            }
            Role::Header | Role::Invalid => {}
        }
    }
}

fn check_attr_enum(input: &Input<'_>, variants: &[Variant<'_>], errors: &mut Errors) {
    if variants.is_empty() {
        errors.at(
            input.ident.span(),
            "an attribute enum needs at least one variant",
        );
    }
    let mut unknown_seen = false;
    let mut numbers = Numbers::default();
    for variant in variants {
        check_keys(&variant.keys, &variant.role, errors);
        match &variant.role {
            Role::Attr(spec) => {
                let name = variant.ident.to_string();
                numbers.add(spec.num, spec.num_span, &name, errors);
            }
            Role::Unknown(_) => check_unknown(input, &variant.keys, &mut unknown_seen, errors),
            Role::Header | Role::Invalid => {}
        }
    }
}

fn check_unknown(input: &Input<'_>, keys: &Keys, seen: &mut bool, errors: &mut Errors) {
    let Some(span) = keys.flag("unknown") else {
        return;
    };
    if *seen {
        errors.at(span, "only one `unknown` catch-all is allowed");
    }
    *seen = true;
    if input.keys.flag("strict").is_some() {
        errors.at(
            span,
            "a `strict` item rejects unknown attributes and cannot keep them in an `unknown` catch-all",
        );
    }
}

/// Checks the keys of one field or variant against each other and its
/// role.
fn check_keys(keys: &Keys, role: &Role<'_>, errors: &mut Errors) {
    for &(first, second) in CONFLICTS {
        if let (Some(_), Some(entry)) = (keys.get(first), keys.get(second)) {
            let later = if position(keys, first) > position(keys, second) {
                keys.get(first).map_or(entry.span, |e| e.span)
            } else {
                entry.span
            };
            let (a, b) = if position(keys, first) > position(keys, second) {
                (second, first)
            } else {
                (first, second)
            };
            errors.at(later, format!("`{b}` cannot be combined with `{a}`"));
        }
    }
    match role {
        Role::Header | Role::Unknown(_) => reject(keys, ATTR_ONLY, "this field", errors),
        Role::Attr(spec) if spec.shape == Shape::Flag => {
            reject(keys, NOT_ON_FLAGS, "a flag attribute", errors);
        }
        Role::Attr(spec) => {
            if spec.shape == Shape::View {
                reject(keys, NOT_ON_VIEWS, "a `Repeated` view", errors);
            }
            let nest = matches!(spec.codec, crate::model::Codec::Nest { .. });
            if nest {
                reject(keys, NOT_ON_NESTS, "a nest", errors);
            }
            if let Some(span) = keys.flag("noflag")
                && !nest
            {
                errors.at(
                    span,
                    "`noflag` applies to nests only; add `nested` or `attrs`",
                );
            }
            check_policy(keys, errors);
        }
        Role::Invalid => {}
    }
    if let Some((num, span)) = keys.int("attr")
        && (num == 0 || num > u64::from(MAX_ATTR))
    {
        errors.at(span, "attribute numbers go from 1 to 0x3fff (16383)");
    }
}

fn position(keys: &Keys, name: &str) -> usize {
    keys.entries()
        .iter()
        .position(|e| e.name == name)
        .unwrap_or(usize::MAX)
}

fn reject(keys: &Keys, names: &[&str], what: &str, errors: &mut Errors) {
    for entry in keys.entries().iter().filter(|e| names.contains(&e.name)) {
        errors.at(
            entry.span,
            format!("`{}` does not apply to {what}", entry.name),
        );
    }
}

fn check_policy(keys: &Keys, errors: &mut Errors) {
    if let (Some((min, _)), Some((max, span))) = (keys.int("min_len"), keys.int("max_len"))
        && min > max
    {
        errors.at(span, format!("`max_len` {max} is below `min_len` {min}"));
    }
    if let Some((lo, hi, span)) = keys.range("range")
        && lo > hi
    {
        errors.at(span, format!("the range {lo}..={hi} is empty"));
    }
}

/// Attribute or message numbers already used in one item.
#[derive(Default)]
struct Numbers {
    used: Vec<(u64, String)>,
}

impl Numbers {
    fn add(&mut self, num: impl Into<u64>, span: Span, name: &str, errors: &mut Errors) {
        let num = num.into();
        if let Some((_, first)) = self.used.iter().find(|(n, _)| *n == num) {
            errors.at(span, format!("number {num} is already used by `{first}`"));
            return;
        }
        self.used.push((num, name.to_owned()));
    }
}

fn check_message_enum(input: &Input<'_>, variants: &[MessageVariant<'_>], errors: &mut Errors) {
    if let Some(span) = input.keys.flag("strict") {
        errors.at(
            span,
            "`strict` applies to attribute sets, not to message enums",
        );
    }
    if variants.is_empty() {
        errors.at(
            input.ident.span(),
            "a message enum needs at least one variant",
        );
    }
    let mut numbers = Numbers::default();
    let mut by_command: Option<bool> = None;
    let mut unknown_seen = false;
    for variant in variants {
        let name = variant.ident.to_string();
        let (num, span, command) = match variant.key {
            MessageKey::Type(n, s) => (n, s, false),
            MessageKey::Command(n, s) => (n, s, true),
            MessageKey::Unknown(span) => {
                if unknown_seen {
                    errors.at(span, "only one `unknown` catch-all is allowed");
                }
                unknown_seen = true;
                continue;
            }
            MessageKey::Invalid => continue,
        };
        match by_command {
            Some(first) if first != command => {
                let msg = "all variants of a message enum are selected the same way: by `ty` or by `command`";
                errors.at(span, msg);
            }
            _ => by_command = Some(command),
        }
        if command && num > u64::from(u8::MAX) {
            errors.at(span, "generic netlink commands go from 0 to 255");
        } else if !command && !(16..=u64::from(u16::MAX)).contains(&num) {
            errors.at(
                span,
                "message types go from 16 to 65535; those below 16 are control messages",
            );
        } else {
            numbers.add(num, span, &name, errors);
        }
    }
}
