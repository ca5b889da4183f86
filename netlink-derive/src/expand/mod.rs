//! Expansion: turns a checked model into impls. Pure: no errors are found
//! here, and the output depends only on the model.
//!
//! Generated code names everything by absolute path (`::core::...`,
//! `::std::...`, and the support crate's `__private` module), prefixes its
//! locals with `__`, sits inside `const _: () = { ... };`, and marks every
//! impl `#[automatically_derived]`. Calls whose trait bounds depend on a
//! user's type are spanned at that type, so a missing impl is reported
//! there.

mod attr_enum;
mod codec;
mod message;
mod structs;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Body, Input};

/// What every expansion needs: paths and the impl header pieces.
pub(crate) struct Ctx {
    /// `<crate>::__private`.
    pub(crate) p: TokenStream,
    /// The lifetime of borrowed bytes: the type's own or `'__a`.
    pub(crate) lt: TokenStream,
    /// Generics of impls of traits with a lifetime: `<'a>` or `<'__a>`.
    pub(crate) impl_lt: TokenStream,
    /// Generics of impls of traits without one: `<'a>` or nothing.
    pub(crate) impl_plain: TokenStream,
    /// The type with its lifetime: `Link<'a>` or `Link`.
    pub(crate) ty: TokenStream,
}

/// Returns the impls for a checked model.
pub(crate) fn expand(input: &Input<'_>) -> TokenStream {
    let krate = &input.krate;
    let ident = input.ident;
    let (lt, impl_lt, impl_plain, ty) = match input.lifetime {
        Some(lt) => (
            quote!(#lt),
            quote!(<#lt>),
            quote!(<#lt>),
            quote!(#ident<#lt>),
        ),
        None => (quote!('__a), quote!(<'__a>), quote!(), quote!(#ident)),
    };
    let cx = Ctx {
        p: quote!(#krate::__private),
        lt,
        impl_lt,
        impl_plain,
        ty,
    };
    let impls = match &input.body {
        Body::Struct(fields) => structs::expand(&cx, fields, input.keys.flag("strict").is_some()),
        Body::AttrEnum(variants) => attr_enum::expand(&cx, input, variants),
        Body::MessageEnum(variants) => message::expand(&cx, variants),
    };
    quote! {
        const _: () = {
            #impls
        };
    }
}
