//! The typed model of a derive input: what each field or variant is on the
//! wire, with the spans of what the user wrote.
//!
//! Building the model reads the keys and the shape of each type
//! (`Option<T>`, `Vec<T>`, `bool`, ...). It records mistakes that concern a
//! single item and goes on, so that one run reports them all; rules across
//! items are checked in `validate.rs`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Fields, GenericArgument, GenericParam, Ident, Lifetime, PathArguments, Type,
};

use crate::errors::Errors;
use crate::keys::{Keys, Place};

/// A whole derive input.
pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) lifetime: Option<&'a Lifetime>,
    pub(crate) krate: TokenStream,
    pub(crate) keys: Keys,
    pub(crate) body: Body<'a>,
}

/// What the input derives into.
pub(crate) enum Body<'a> {
    /// A payload or nest content: headers then attributes.
    Struct(Vec<Field<'a>>),
    /// One attribute per variant.
    AttrEnum(Vec<Variant<'a>>),
    /// One message type or generic netlink command per variant.
    MessageEnum(Vec<MessageVariant<'a>>),
}

/// A struct field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    pub(crate) keys: Keys,
    pub(crate) role: Role<'a>,
}

/// What a field or variant is.
pub(crate) enum Role<'a> {
    /// A fixed header (`header`).
    Header,
    /// An attribute (`attr = N`).
    Attr(Spec<'a>),
    /// The catch-all (`unknown`); the type is the element of the `Vec`, or
    /// the variant's type.
    Unknown(&'a Type),
    /// Nothing usable; an error was recorded.
    Invalid,
}

/// How an attribute is written and read.
pub(crate) struct Spec<'a> {
    pub(crate) num: u16,
    pub(crate) num_span: Span,
    pub(crate) shape: Shape,
    /// The type of one value: the `T` of `Option<T>` or `Vec<T>`; none for
    /// a flag variant.
    pub(crate) elem: Option<&'a Type>,
    pub(crate) codec: Codec,
    pub(crate) be: bool,
    pub(crate) nul: bool,
    pub(crate) policy: Policy,
}

/// How many times an attribute occurs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Exactly once: a missing one is an error.
    Required,
    /// At most once (`Option<T>`).
    Optional,
    /// Any number of times (`Vec<T>`).
    Repeated,
    /// Any number of times, read in place (`Repeated<'a, T>`).
    View,
    /// A flag (`bool`, or a unit variant): present means `true`.
    Flag,
    /// One nest of entries numbered 1..n (`indexed`, `Vec<T>`).
    Indexed,
}

/// What the payload of one value is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// A value through `Encode`/`Decode`.
    Value,
    /// A nest through `Nest`; `flagged` sets `NLA_F_NESTED`.
    Nest { flagged: bool },
}

/// A per-attribute policy.
#[derive(Clone, Copy, Default)]
pub(crate) struct Policy {
    pub(crate) exact: Option<u64>,
    pub(crate) min: Option<u64>,
    pub(crate) max: Option<u64>,
    pub(crate) range: Option<(i128, i128)>,
}

impl Policy {
    pub(crate) fn has_len(&self) -> bool {
        self.exact.is_some() || self.min.is_some() || self.max.is_some()
    }
}

/// A variant of an attribute enum.
pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) keys: Keys,
    /// Whether the variant has one unnamed field (else it is a unit).
    pub(crate) newtype: bool,
    pub(crate) role: Role<'a>,
}

/// A variant of a message enum.
pub(crate) struct MessageVariant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: Option<&'a Type>,
    pub(crate) key: MessageKey,
}

/// How a message variant is selected.
#[derive(Clone, Copy)]
pub(crate) enum MessageKey {
    /// By `nlmsg_type`.
    Type(u64, Span),
    /// By `genlmsghdr.cmd`.
    Command(u64, Span),
    /// The catch-all.
    Unknown(Span),
    /// Nothing usable; an error was recorded.
    Invalid,
}

impl<'a> Input<'a> {
    /// Builds the model of `input`, recording mistakes in `errors`.
    pub(crate) fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let keys = Keys::parse(&input.attrs, Place::Container, errors);
        let lifetime = lifetime_of(input, errors);
        let krate = keys
            .path("crate")
            .map_or_else(|| quote!(::netlink_core), |p| quote!(#p));
        let body = match &input.data {
            Data::Struct(data) => Body::Struct(struct_fields(&data.fields, errors)),
            Data::Enum(data) if keys.flag("message").is_some() => Body::MessageEnum(
                data.variants
                    .iter()
                    .map(|v| message_variant(v, errors))
                    .collect(),
            ),
            Data::Enum(data) => Body::AttrEnum(
                data.variants
                    .iter()
                    .map(|v| attr_variant(v, errors))
                    .collect(),
            ),
            Data::Union(data) => {
                let msg = "unions are not supported; use a struct or an enum";
                errors.at(data.union_token.span, msg);
                return None;
            }
        };
        if keys.flag("message").is_some() && !matches!(input.data, Data::Enum(_)) {
            errors.at(keys.flag("message")?, "`message` is allowed on enums only");
        }
        Some(Self {
            ident: &input.ident,
            lifetime,
            krate,
            keys,
            body,
        })
    }
}

/// Returns the one lifetime parameter, rejecting every other parameter.
fn lifetime_of<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<&'a Lifetime> {
    let mut found = None;
    for param in &input.generics.params {
        match param {
            GenericParam::Lifetime(def) if found.is_none() => found = Some(&def.lifetime),
            GenericParam::Lifetime(def) => errors.at(
                def.span(),
                "only one lifetime parameter is supported: the one of the borrowed bytes",
            ),
            GenericParam::Type(p) => errors.at(
                p.ident.span(),
                "type parameters are not supported; derive for a concrete type",
            ),
            GenericParam::Const(p) => errors.at(
                p.ident.span(),
                "const parameters are not supported; derive for a concrete type",
            ),
        }
    }
    if let Some(clause) = &input.generics.where_clause {
        errors.at(clause.where_token.span, "where clauses are not supported");
    }
    found
}

fn struct_fields<'a>(fields: &'a Fields, errors: &mut Errors) -> Vec<Field<'a>> {
    if let Fields::Unnamed(unnamed) = fields {
        errors.at(
            unnamed.span(),
            "tuple structs are not supported; name the fields",
        );
        return Vec::new();
    }
    fields
        .iter()
        .filter_map(|f| Some((f, f.ident.as_ref()?)))
        .map(|(f, ident)| {
            let keys = Keys::parse(&f.attrs, Place::Field, errors);
            let role = field_role(ident, &f.ty, &keys, errors);
            Field {
                ident,
                name: ident.to_string().trim_start_matches("r#").to_owned(),
                ty: &f.ty,
                keys,
                role,
            }
        })
        .collect()
}

fn field_role<'a>(ident: &Ident, ty: &'a Type, keys: &Keys, errors: &mut Errors) -> Role<'a> {
    if keys.flag("header").is_some() {
        return Role::Header;
    }
    if let Some(span) = keys.flag("unknown") {
        return match vec_elem(ty) {
            Some(elem) => Role::Unknown(elem),
            None => {
                errors.at(
                    span,
                    "the `unknown` field must be a `Vec` of raw attributes or of an attribute enum",
                );
                Role::Invalid
            }
        };
    }
    let Some((num, num_span)) = keys.int("attr") else {
        if keys.broken() {
            return Role::Invalid;
        }
        let msg = format!(
            "field `{ident}` needs `#[netlink(attr = N)]`, `#[netlink(header)]` or `#[netlink(unknown)]`"
        );
        errors.at(ident.span(), msg);
        return Role::Invalid;
    };
    let Some((shape, elem)) = field_shape(ty, keys, errors) else {
        return Role::Invalid;
    };
    spec(num, num_span, shape, Some(elem), keys).map_or(Role::Invalid, Role::Attr)
}

/// Reads `Option<T>`, `Vec<T>`, `bool` and plain `T` off a field type.
fn field_shape<'a>(ty: &'a Type, keys: &Keys, errors: &mut Errors) -> Option<(Shape, &'a Type)> {
    if let Some(span) = keys.flag("indexed") {
        let Some(elem) = vec_elem(ty) else {
            errors.at(span, "`indexed` needs a `Vec<T>` field");
            return None;
        };
        return checked(ty, elem, errors).map(|e| (Shape::Indexed, e));
    }
    if is_ident(ty, "bool") {
        return Some((Shape::Flag, ty));
    }
    if let Some(inner) = view_elem(ty) {
        if generic_arg(inner, "Option").is_some() || is_ident(inner, "bool") {
            let msg = "unsupported field type: a `Repeated` view holds plain values";
            errors.at(ty.span(), msg);
            return None;
        }
        return checked(ty, inner, errors).map(|e| (Shape::View, e));
    }
    if let Some(inner) = generic_arg(ty, "Option") {
        let unsupported = generic_arg(inner, "Option").is_some()
            || is_ident(inner, "bool")
            || view_elem(inner).is_some()
            || (keys.flag("attrs").is_none() && repeated_elem(inner).is_some());
        if unsupported {
            let msg = "unsupported field type: use `Option<T>` for one optional value, `Vec<T>` for a repeated attribute and `bool` for a flag";
            errors.at(ty.span(), msg);
            return None;
        }
        return checked(ty, inner, errors).map(|e| (Shape::Optional, e));
    }
    if keys.flag("attrs").is_none()
        && let Some(inner) = repeated_elem(ty)
    {
        if generic_arg(inner, "Option").is_some() || is_ident(inner, "bool") {
            let msg = "unsupported field type: a repeated attribute is a `Vec<T>` of plain values";
            errors.at(ty.span(), msg);
            return None;
        }
        return checked(ty, inner, errors).map(|e| (Shape::Repeated, e));
    }
    checked(ty, ty, errors).map(|e| (Shape::Required, e))
}

/// Rejects types that can never be an attribute value.
fn checked<'a>(field: &Type, elem: &'a Type, errors: &mut Errors) -> Option<&'a Type> {
    let what = match elem {
        Type::Tuple(t) if !t.elems.is_empty() => "a tuple",
        Type::Tuple(_) => "the unit type",
        Type::Ptr(_) => "a raw pointer",
        Type::BareFn(_) => "a function pointer",
        Type::TraitObject(_) => "a trait object",
        Type::ImplTrait(_) => "`impl Trait`",
        Type::Infer(_) => "`_`",
        Type::Never(_) => "`!`",
        Type::Macro(_) => "a macro",
        _ => return Some(elem),
    };
    errors.at(
        field.span(),
        format!("unsupported field type: {what} cannot be an attribute value"),
    );
    None
}

fn spec<'a>(
    num: u64,
    num_span: Span,
    shape: Shape,
    elem: Option<&'a Type>,
    keys: &Keys,
) -> Option<Spec<'a>> {
    let nest = keys.flag("nested").is_some() || keys.flag("attrs").is_some();
    let codec = if nest {
        Codec::Nest {
            flagged: keys.flag("noflag").is_none(),
        }
    } else {
        Codec::Value
    };
    let policy = Policy {
        exact: keys.int("len").map(|(n, _)| n),
        min: keys.int("min_len").map(|(n, _)| n),
        max: keys.int("max_len").map(|(n, _)| n),
        range: keys.range("range").map(|(lo, hi, _)| (lo, hi)),
    };
    // `validate.rs` reports a number out of range, this one included, at
    // the same token; reporting it here too would show it twice.
    let num = u16::try_from(num).ok()?;
    Some(Spec {
        num,
        num_span,
        shape,
        elem,
        codec,
        be: keys.flag("be").is_some(),
        nul: keys.bool("nul").is_none_or(|(b, _)| b),
        policy,
    })
}

fn attr_variant<'a>(v: &'a syn::Variant, errors: &mut Errors) -> Variant<'a> {
    let keys = Keys::parse(&v.attrs, Place::Variant, errors);
    let ty = match &v.fields {
        Fields::Unit => None,
        Fields::Unnamed(f) if f.unnamed.len() == 1 => f.unnamed.first().map(|f| &f.ty),
        _ => {
            let msg = format!(
                "variant `{}` must be a unit (a flag) or hold exactly one unnamed value",
                v.ident
            );
            errors.at(v.ident.span(), msg);
            return Variant {
                ident: &v.ident,
                keys,
                newtype: false,
                role: Role::Invalid,
            };
        }
    };
    let role = variant_role(&v.ident, ty, &keys, errors);
    Variant {
        ident: &v.ident,
        keys,
        newtype: ty.is_some(),
        role,
    }
}

fn variant_role<'a>(
    ident: &Ident,
    ty: Option<&'a Type>,
    keys: &Keys,
    errors: &mut Errors,
) -> Role<'a> {
    if let Some(span) = keys.flag("unknown") {
        return match ty {
            Some(ty) => Role::Unknown(ty),
            None => {
                errors.at(span, "the `unknown` variant must hold a raw attribute");
                Role::Invalid
            }
        };
    }
    let Some((num, num_span)) = keys.int("attr") else {
        let msg =
            format!("variant `{ident}` needs `#[netlink(attr = N)]` or `#[netlink(unknown)]`");
        errors.at(ident.span(), msg);
        return Role::Invalid;
    };
    let shape_elem = match ty {
        None => Some((Shape::Flag, None)),
        Some(ty) => match keys.flag("indexed") {
            Some(span) => match vec_elem(ty) {
                Some(elem) => Some((Shape::Indexed, Some(elem))),
                None => {
                    errors.at(span, "`indexed` needs a `Vec<T>` value");
                    None
                }
            },
            None => checked(ty, ty, errors).map(|t| (Shape::Required, Some(t))),
        },
    };
    let Some((shape, elem)) = shape_elem else {
        return Role::Invalid;
    };
    spec(num, num_span, shape, elem, keys).map_or(Role::Invalid, Role::Attr)
}

fn message_variant<'a>(v: &'a syn::Variant, errors: &mut Errors) -> MessageVariant<'a> {
    let keys = Keys::parse(&v.attrs, Place::Variant, errors);
    let ty = match &v.fields {
        Fields::Unnamed(f) if f.unnamed.len() == 1 => f.unnamed.first().map(|f| &f.ty),
        _ => {
            let msg = format!(
                "message variant `{}` must hold exactly one payload type",
                v.ident
            );
            errors.at(v.ident.span(), msg);
            None
        }
    };
    for entry in keys.entries() {
        if !matches!(entry.name, "ty" | "command" | "unknown") {
            let msg = format!("`{}` is not allowed on a message variant", entry.name);
            errors.at(entry.span, msg);
        }
    }
    let key = match (keys.int("ty"), keys.int("command"), keys.flag("unknown")) {
        (Some((n, s)), None, None) => MessageKey::Type(n, s),
        (None, Some((n, s)), None) => MessageKey::Command(n, s),
        (None, None, Some(s)) => MessageKey::Unknown(s),
        (None, None, None) => {
            let msg = format!(
                "message variant `{}` needs `#[netlink(ty = N)]`, `#[netlink(command = N)]` or `#[netlink(unknown)]`",
                v.ident
            );
            errors.at(v.ident.span(), msg);
            MessageKey::Invalid
        }
        _ => {
            let msg = "a message variant takes one of `ty`, `command` and `unknown`";
            errors.at(v.ident.span(), msg);
            MessageKey::Invalid
        }
    };
    MessageVariant {
        ident: &v.ident,
        ty,
        key,
    }
}

/// Returns the last path segment's ident if `ty` is a plain path.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn is_ident(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name && s.arguments.is_none())
}

/// Returns `T` if `ty` is `Name<T>`.
fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let seg = last_segment(ty).filter(|s| s.ident == name)?;
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(t)) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// Returns `T` if `ty` is `Vec<T>`.
pub(crate) fn vec_elem(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Vec")
}

/// Returns `T` if `ty` is `Repeated<'a, T>`, the borrowed view of a
/// repeated attribute.
fn view_elem(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty).filter(|s| s.ident == "Repeated")?;
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

/// Returns `T` if `ty` is `Vec<T>` and `T` is not `u8` (`Vec<u8>` is one
/// byte-string value).
fn repeated_elem(ty: &Type) -> Option<&Type> {
    vec_elem(ty).filter(|t| !is_ident(t, "u8"))
}
