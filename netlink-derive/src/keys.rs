//! Parsing of `#[netlink(...)]`: every key the derive knows, in one table.
//!
//! The parser checks only what one key can tell by itself: that it exists,
//! that it may stand where it stands, that its value has the right form, and
//! that it does not repeat (the second occurrence is the one reported).
//! Rules that relate several keys or fields live in `validate.rs`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, ExprRange, ExprUnary, Lit, LitInt, Path, RangeLimits, UnOp};

use crate::errors::Errors;

/// Where a key may stand.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// On the struct or enum itself.
    Container,
    /// On a struct field.
    Field,
    /// On an enum variant.
    Variant,
}

/// The form of a key's value.
#[derive(Clone, Copy)]
enum Form {
    /// No value: `nested`.
    Flag,
    /// A non-negative integer: `attr = 3`.
    Int,
    /// A boolean: `nul = false`.
    Bool,
    /// A path, bare or quoted: `crate = my::path`.
    Path,
    /// An inclusive integer range: `range = 1..=10`.
    Range,
}

/// One known key.
struct KeyDef {
    name: &'static str,
    form: Form,
    places: &'static [Place],
}

const C: &[Place] = &[Place::Container];
const F: &[Place] = &[Place::Field];
const V: &[Place] = &[Place::Variant];
const FV: &[Place] = &[Place::Field, Place::Variant];

/// Every key of `#[netlink(...)]`.
const KEYS: &[KeyDef] = &[
    KeyDef {
        name: "crate",
        form: Form::Path,
        places: C,
    },
    KeyDef {
        name: "strict",
        form: Form::Flag,
        places: C,
    },
    KeyDef {
        name: "message",
        form: Form::Flag,
        places: C,
    },
    KeyDef {
        name: "header",
        form: Form::Flag,
        places: F,
    },
    KeyDef {
        name: "attr",
        form: Form::Int,
        places: FV,
    },
    KeyDef {
        name: "unknown",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "nested",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "attrs",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "indexed",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "noflag",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "be",
        form: Form::Flag,
        places: FV,
    },
    KeyDef {
        name: "nul",
        form: Form::Bool,
        places: FV,
    },
    KeyDef {
        name: "len",
        form: Form::Int,
        places: FV,
    },
    KeyDef {
        name: "min_len",
        form: Form::Int,
        places: FV,
    },
    KeyDef {
        name: "max_len",
        form: Form::Int,
        places: FV,
    },
    KeyDef {
        name: "range",
        form: Form::Range,
        places: FV,
    },
    KeyDef {
        name: "ty",
        form: Form::Int,
        places: V,
    },
    KeyDef {
        name: "command",
        form: Form::Int,
        places: V,
    },
];

/// A parsed value.
#[derive(Clone)]
pub(crate) enum Value {
    Flag,
    Int(u64),
    Bool(bool),
    Path(Path),
    Range(i128, i128),
}

/// One key as written, with the span of its name.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) name: &'static str,
    pub(crate) span: Span,
    /// The span of the value, or of the key when it has none.
    pub(crate) value_span: Span,
    pub(crate) value: Value,
}

/// The keys of one item (container, field or variant).
#[derive(Clone, Default)]
pub(crate) struct Keys {
    entries: Vec<Entry>,
    /// Whether a `#[netlink(...)]` failed to parse: errors that follow from
    /// the keys it may have held are then not reported.
    broken: bool,
}

impl Keys {
    /// Parses every `#[netlink(...)]` among `attrs` for an item at `place`,
    /// recording every mistake in `errors`.
    pub(crate) fn parse(attrs: &[Attribute], place: Place, errors: &mut Errors) -> Self {
        let mut keys = Self::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("netlink")) {
            let result = attr.parse_nested_meta(|meta| {
                keys.parse_one(&meta, place, errors)?;
                Ok(())
            });
            if let Err(err) = result {
                keys.broken = true;
                errors.push(err);
            }
        }
        keys
    }

    fn parse_one(
        &mut self,
        meta: &syn::meta::ParseNestedMeta<'_>,
        place: Place,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let span = meta.path.span();
        let written = meta.path.get_ident().map(ToString::to_string);
        let Some(def) = KEYS.iter().find(|k| written.as_deref() == Some(k.name)) else {
            skip_value(meta)?;
            let name = written.unwrap_or_else(|| "this".to_owned());
            errors.push(syn::Error::new(span, unknown_key(&name, place)));
            return Ok(());
        };
        let fork = meta.input.fork();
        let value_span = match fork.parse::<syn::Token![=]>() {
            Ok(_) => fork.parse::<Expr>().map_or(span, |e| e.span()),
            Err(_) => span,
        };
        let value = parse_value(meta, def.form)?;
        if !def.places.contains(&place) {
            let msg = format!("`{}` is not allowed on {}", def.name, place_name(place));
            errors.push(syn::Error::new(span, msg));
        } else if self.get(def.name).is_some() {
            let msg = format!("duplicate key `{}`", def.name);
            errors.push(syn::Error::new(span, msg));
        } else {
            self.entries.push(Entry {
                name: def.name,
                span,
                value_span,
                value,
            });
        }
        Ok(())
    }

    /// Returns whether an attribute failed to parse.
    pub(crate) fn broken(&self) -> bool {
        self.broken
    }

    /// Returns the entry of key `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Returns the span of flag key `name` if present.
    pub(crate) fn flag(&self, name: &str) -> Option<Span> {
        self.get(name).map(|e| e.span)
    }

    /// Returns the integer of key `name` with the span of its key.
    pub(crate) fn int(&self, name: &str) -> Option<(u64, Span)> {
        self.get(name).and_then(|e| match e.value {
            Value::Int(n) => Some((n, e.value_span)),
            _ => None,
        })
    }

    /// Returns the boolean of key `name`.
    pub(crate) fn bool(&self, name: &str) -> Option<(bool, Span)> {
        self.get(name).and_then(|e| match e.value {
            Value::Bool(b) => Some((b, e.span)),
            _ => None,
        })
    }

    /// Returns the path of key `name`.
    pub(crate) fn path(&self, name: &str) -> Option<&Path> {
        self.get(name).and_then(|e| match &e.value {
            Value::Path(p) => Some(p),
            _ => None,
        })
    }

    /// Returns the range of key `name` with the span of its key.
    pub(crate) fn range(&self, name: &str) -> Option<(i128, i128, Span)> {
        self.get(name).and_then(|e| match e.value {
            Value::Range(lo, hi) => Some((lo, hi, e.value_span)),
            _ => None,
        })
    }

    /// Returns all entries, in the order written.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

fn place_name(place: Place) -> &'static str {
    match place {
        Place::Container => "a struct or enum",
        Place::Field => "a field",
        Place::Variant => "a variant",
    }
}

fn unknown_key(name: &str, place: Place) -> String {
    let known: Vec<_> = KEYS
        .iter()
        .filter(|k| k.places.contains(&place))
        .map(|k| format!("`{}`", k.name))
        .collect();
    format!(
        "unknown key `{name}`; {} takes {}",
        place_name(place),
        known.join(", ")
    )
}

/// Consumes the value of an unknown key so that parsing can go on.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

fn parse_value(meta: &syn::meta::ParseNestedMeta<'_>, form: Form) -> syn::Result<Value> {
    match form {
        Form::Flag => {
            if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
                return Err(meta.error("this key takes no value"));
            }
            Ok(Value::Flag)
        }
        Form::Int => {
            let lit: LitInt = meta.value()?.parse()?;
            Ok(Value::Int(lit.base10_parse()?))
        }
        Form::Bool => Ok(Value::Bool(meta.value()?.parse::<syn::LitBool>()?.value)),
        Form::Path => {
            let input = meta.value()?;
            let path = if input.peek(syn::LitStr) {
                input.parse::<syn::LitStr>()?.parse()?
            } else {
                input.call(Path::parse_mod_style)?
            };
            Ok(Value::Path(path))
        }
        Form::Range => {
            let range: ExprRange = meta.value()?.parse()?;
            parse_range(&range)
        }
    }
}

fn parse_range(range: &ExprRange) -> syn::Result<Value> {
    let (Some(lo), Some(hi), RangeLimits::Closed(_)) = (&range.start, &range.end, range.limits)
    else {
        return Err(syn::Error::new(
            range.span(),
            "expected an inclusive range of integers such as `1..=10`",
        ));
    };
    Ok(Value::Range(int_expr(lo)?, int_expr(hi)?))
}

fn int_expr(expr: &Expr) -> syn::Result<i128> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit.base10_parse(),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => int_expr(expr).map(|n| -n),
        _ => Err(syn::Error::new(expr.span(), "expected an integer literal")),
    }
}
