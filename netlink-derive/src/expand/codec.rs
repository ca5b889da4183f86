//! Code for one attribute: writing, sizing and reading it, for every shape
//! and codec. Shared by structs and attribute enums.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::Ctx;
use crate::model::{Codec, Policy, Shape, Spec};

/// Returns the span of the value type, where trait-bound errors belong.
fn span_of(spec: &Spec<'_>) -> Span {
    spec.elem.map_or_else(Span::call_site, Spanned::span)
}

fn elem(spec: &Spec<'_>) -> TokenStream {
    spec.elem.map_or_else(|| quote!(bool), |t| quote!(#t))
}

fn opt_usize(n: Option<u64>) -> TokenStream {
    match n.and_then(|n| usize::try_from(n).ok()) {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn len_policy(cx: &Ctx, policy: &Policy, name: &str) -> TokenStream {
    let p = &cx.p;
    let (exact, min, max) = (
        opt_usize(policy.exact),
        opt_usize(policy.min),
        opt_usize(policy.max),
    );
    quote!(#p::LenPolicy { what: #name, exact: #exact, min: #min, max: #max })
}

fn range_bounds(policy: &Policy) -> Option<(Literal, Literal)> {
    policy
        .range
        .map(|(lo, hi)| (Literal::i128_unsuffixed(lo), Literal::i128_unsuffixed(hi)))
}

/// Returns statements appending one value `v` (an expression of type `&T`)
/// as an attribute of type `kind`.
fn write_one(
    cx: &Ctx,
    spec: &Spec<'_>,
    name: &str,
    v: &TokenStream,
    kind: &TokenStream,
) -> TokenStream {
    let p = &cx.p;
    let span = span_of(spec);
    if let Codec::Nest { flagged } = spec.codec {
        return quote_spanned!(span=> #p::write_nest(__out, #kind, #flagged, #v)?;);
    }
    let wrapped = wrapped(cx, spec, v);
    let mut checks = TokenStream::new();
    if spec.policy.has_len() {
        let policy = len_policy(cx, &spec.policy, name);
        checks.extend(quote!(#policy.check_encode(#p::Encode::encoded_len(#wrapped))?;));
    }
    if let Some((lo, hi)) = range_bounds(&spec.policy) {
        checks.extend(quote_spanned!(span=> #p::check_range_encode(#v, #lo, #hi, #name)?;));
    }
    let write = quote_spanned!(span=> #p::write_attr(__out, #kind, #wrapped)?;);
    quote!(#checks #write)
}

/// Returns `v` wrapped for the `be` and `nul = false` options.
fn wrapped(cx: &Ctx, spec: &Spec<'_>, v: &TokenStream) -> TokenStream {
    let p = &cx.p;
    let span = span_of(spec);
    if spec.be {
        quote_spanned!(span=> &#p::Be(*#v))
    } else if !spec.nul {
        quote_spanned!(span=> &#p::NoNul(#v))
    } else {
        v.clone()
    }
}

/// Returns an expression: the space one value `v` takes as an attribute.
fn size_one(cx: &Ctx, spec: &Spec<'_>, v: &TokenStream) -> TokenStream {
    let p = &cx.p;
    let span = span_of(spec);
    if let Codec::Nest { .. } = spec.codec {
        return quote_spanned!(span=> #p::attr_size(#p::Nest::content_len(#v)));
    }
    let wrapped = wrapped(cx, spec, v);
    quote_spanned!(span=> #p::attr_size(#p::Encode::encoded_len(#wrapped)))
}

/// Returns an expression of type `T` reading one value from `attr` (an
/// expression of type `&Attr`); errors leave the function through `?`
/// with `name` and the payload offset added.
pub(crate) fn read_one(cx: &Ctx, spec: &Spec<'_>, name: &str, attr: &TokenStream) -> TokenStream {
    let p = &cx.p;
    let lt = &cx.lt;
    let ty = elem(spec);
    let span = span_of(spec);
    let payload = quote!(#attr.payload());
    let read = match spec.codec {
        Codec::Nest { .. } => quote_spanned! {span=>
            #p::deeper(__depth)
                .and_then(|__d| <#ty as #p::Nest<#lt>>::decode_content(#payload, __d))
        },
        Codec::Value => {
            let value = if spec.be {
                quote_spanned!(span=> #p::Be<#ty>)
            } else {
                quote!(#ty)
            };
            // The depth travels with the value: a derived struct used as a
            // plain value counts as a nest and stops at the limit.
            let decode = |bytes: TokenStream| {
                let args = quote!((#bytes, __depth));
                quote_spanned!(span=> <#value as #p::Decode<#lt>>::decode_at_depth #args)
            };
            let policy = len_policy(cx, &spec.policy, name);
            let mut read = if spec.policy.has_len() {
                let checked = decode(quote!(__b));
                quote!(#policy.check(#payload).and_then(|__b| #checked))
            } else {
                decode(payload.clone())
            };
            if spec.be {
                read = quote!(#read.map(#p::Be::into_inner));
            }
            if spec.policy.has_len() {
                // A value can be shorter than its payload (a string ends
                // at its first NUL): it must still meet the policy, or it
                // could not be written back.
                let written = wrapped(cx, spec, &quote!(&__v));
                read = quote_spanned! {span=>
                    #read.and_then(|__v| {
                        #policy.check_decoded(#p::Encode::encoded_len(#written)).map(|()| __v)
                    })
                };
            }
            if let Some((lo, hi)) = range_bounds(&spec.policy) {
                read = quote_spanned!(span=> #read.and_then(|__v| #p::check_range(__v, #lo, #hi)));
            }
            read
        }
    };
    quote!(#read.map_err(|__e| __e.within(#name, #attr.payload_offset()))?)
}

/// Returns an expression of type `Vec<T>` reading an indexed array from
/// the nest `attr`.
pub(crate) fn read_indexed(
    cx: &Ctx,
    spec: &Spec<'_>,
    name: &str,
    attr: &TokenStream,
) -> TokenStream {
    let entry = read_one(cx, spec, name, &quote!(__entry));
    quote! {{
        let mut __list = ::std::vec::Vec::new();
        for __entry in #attr.nested() {
            let __entry = __entry.map_err(|__e| __e.within(#name, 0))?;
            __list.push(#entry);
        }
        __list
    }}
}

/// Returns statements writing a field or variant value `v` (an expression
/// of type `&FieldType`) according to its shape.
pub(crate) fn write(cx: &Ctx, spec: &Spec<'_>, name: &str, v: &TokenStream) -> TokenStream {
    let p = &cx.p;
    let num = Literal::u16_unsuffixed(spec.num);
    let kind = quote!(#num);
    let one = |v: TokenStream| write_one(cx, spec, name, &v, &kind);
    let each = quote_spanned!(span_of(spec)=> __v);
    match spec.shape {
        Shape::Required => one(v.clone()),
        Shape::Optional => {
            let body = one(each);
            quote!(if let ::core::option::Option::Some(__v) = #v { #body })
        }
        Shape::Repeated => {
            let body = one(each);
            quote!(for __v in #v { #body })
        }
        Shape::View => {
            let body = one(each);
            let ty = elem(spec);
            quote! {
                #p::Repeated::try_for_each_value(#v, |__v: &#ty| {
                    #body
                    ::core::result::Result::Ok::<(), #p::EncodeError>(())
                })?;
            }
        }
        Shape::Flag => quote!(if *#v { #p::write_flag(__out, #kind)?; }),
        Shape::Indexed => {
            // Limitation: a `Vec` cannot tell an empty nest from an absent
            // one; an empty list is not written, so an empty nest that was
            // read is lost on the way back.
            let flagged = !matches!(spec.codec, Codec::Nest { flagged: false });
            let entry = write_one(cx, spec, name, &each, &quote!(__k));
            quote! {
                if !#v.is_empty() {
                    #p::write_nest_with(__out, #kind, #flagged, |__out| {
                        for (__i, __v) in ::core::iter::Iterator::enumerate(#v.iter()) {
                            let __k = #p::index_kind(__i)?;
                            #entry
                        }
                        ::core::result::Result::Ok(())
                    })?;
                }
            }
        }
    }
}

/// Returns an expression: the space a field or variant value `v` takes.
pub(crate) fn size(cx: &Ctx, spec: &Spec<'_>, v: &TokenStream) -> TokenStream {
    let p = &cx.p;
    let one = |v: TokenStream| size_one(cx, spec, &v);
    let each = quote_spanned!(span_of(spec)=> __v);
    match spec.shape {
        Shape::Required => one(v.clone()),
        Shape::Optional => {
            let body = one(each);
            quote!(match #v { ::core::option::Option::Some(__v) => #body, ::core::option::Option::None => 0 })
        }
        Shape::Repeated => {
            let body = one(each);
            quote!(::core::iter::Iterator::fold(#v.iter(), 0usize, |__n, __v| __n.saturating_add(#body)))
        }
        Shape::View => {
            let body = one(each);
            quote!(#p::Repeated::fold_values(#v, 0usize, |__n, __v| __n.saturating_add(#body)))
        }
        Shape::Flag => quote!(if *#v { #p::attr_size(0) } else { 0 }),
        Shape::Indexed => {
            let body = one(each);
            quote! {
                if #v.is_empty() {
                    0
                } else {
                    #p::attr_size(::core::iter::Iterator::fold(#v.iter(), 0usize, |__n, __v| __n.saturating_add(#body)))
                }
            }
        }
    }
}
