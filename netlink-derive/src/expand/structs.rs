//! Structs: fixed headers, then attributes.
//!
//! Encoding writes the headers, pads them to four bytes, then writes the
//! attribute fields in declaration order and the catch-all last. Decoding
//! reads the headers, then walks the attributes once: each known type is
//! decoded into its field (a repeated scalar keeps the last value, as the
//! kernel's `nla_parse` does), unknown types go to the catch-all, raise an
//! error in strict mode, or are skipped.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Ctx, codec};
use crate::model::{Field, Role, Shape};

pub(crate) fn expand(cx: &Ctx, fields: &[Field<'_>], strict: bool) -> TokenStream {
    let Ctx {
        p,
        lt,
        impl_lt,
        impl_plain,
        ty,
    } = cx;
    let size = size(cx, fields);
    let write = write(cx, fields);
    let read = read(cx, fields, strict);
    quote! {
        #[automatically_derived]
        impl #impl_lt #p::Nest<#lt> for #ty {
            #[inline]
            fn content_len(&self) -> usize {
                #size
            }

            #[inline]
            fn encode_content(
                &self,
                __out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), #p::EncodeError> {
                #write
            }

            #[inline]
            fn decode_content(
                __bytes: &#lt [u8],
                __depth: usize,
            ) -> ::core::result::Result<Self, #p::DecodeError> {
                #read
            }
        }

        #[automatically_derived]
        impl #impl_plain #p::Encode for #ty {
            #[inline]
            fn encoded_len(&self) -> usize {
                <Self as #p::Nest<'_>>::content_len(self)
            }

            #[inline]
            fn encode(
                &self,
                __out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), #p::EncodeError> {
                <Self as #p::Nest<'_>>::encode_content(self, __out)
            }
        }

        #[automatically_derived]
        impl #impl_lt #p::Decode<#lt> for #ty {
            #[inline]
            fn decode(__bytes: &#lt [u8]) -> ::core::result::Result<Self, #p::DecodeError> {
                <Self as #p::Nest<#lt>>::decode_content(__bytes, 0)
            }

            // As a plain attribute value the struct is still a level of
            // nesting: counting it keeps recursive types within the limit.
            #[inline]
            fn decode_at_depth(
                __bytes: &#lt [u8],
                __depth: usize,
            ) -> ::core::result::Result<Self, #p::DecodeError> {
                #p::deeper(__depth)
                    .and_then(|__d| <Self as #p::Nest<#lt>>::decode_content(__bytes, __d))
            }
        }
    }
}

fn headers<'f, 'a>(fields: &'f [Field<'a>]) -> impl Iterator<Item = &'f Field<'a>> {
    fields.iter().filter(|f| matches!(f.role, Role::Header))
}

fn size(cx: &Ctx, fields: &[Field<'_>]) -> TokenStream {
    let p = &cx.p;
    let header_sizes = headers(fields).map(|f| {
        let ident = f.ident;
        quote!(::core::mem::size_of_val(&self.#ident))
    });
    let parts = fields.iter().filter_map(|f| {
        let ident = f.ident;
        match &f.role {
            Role::Attr(spec) => {
                let (bind, v) = field_ref(f);
                let size = codec::size(cx, spec, &v);
                Some(quote!({ #bind #size }))
            }
            Role::Unknown(_) => Some(quote!(#p::attrs_len(&self.#ident))),
            Role::Header | Role::Invalid => None,
        }
    });
    quote! {
        let __len: usize = #p::aligned(0usize #(.saturating_add(#header_sizes))*);
        __len #(.saturating_add(#parts))*
    }
}

fn write(cx: &Ctx, fields: &[Field<'_>]) -> TokenStream {
    let p = &cx.p;
    let mut out = TokenStream::new();
    let mut any_header = false;
    for field in headers(fields) {
        let ident = field.ident;
        let span = field.ty.span();
        any_header = true;
        out.extend(quote_spanned!(span=> #p::write_header(__out, &self.#ident);));
    }
    if any_header {
        out = quote!(let __start = __out.len(); #out #p::pad_from(__out, __start););
    }
    for field in fields {
        let ident = field.ident;
        match &field.role {
            Role::Attr(spec) => {
                out.extend(codec::write(cx, spec, &field.name, &quote!((&self.#ident))))
            }
            Role::Unknown(_) => out.extend(quote!(#p::encode_attrs(__out, &self.#ident)?;)),
            Role::Header | Role::Invalid => {}
        }
    }
    quote!(#out ::core::result::Result::Ok(()))
}

/// Returns a statement binding `__field = &self.field` and the name
/// `__field`, spanned at the field's type so that an unsatisfied bound is
/// reported there.
fn field_ref(field: &Field<'_>) -> (TokenStream, TokenStream) {
    let ident = field.ident;
    let span = field.ty.span();
    (
        quote_spanned!(span=> let __field = &self.#ident;),
        quote_spanned!(span=> __field),
    )
}

fn local(field: &Field<'_>) -> syn::Ident {
    format_ident!("__f_{}", field.name)
}

fn read(cx: &Ctx, fields: &[Field<'_>], strict: bool) -> TokenStream {
    let p = &cx.p;
    let mut prelude = quote!(let mut __pos: usize = 0;);
    for field in headers(fields) {
        let (local, ty, name) = (local(field), field.ty, &field.name);
        let span = ty.span();
        prelude.extend(quote_spanned! {span=>
            let #local = #p::read_header::<#ty>(__bytes, &mut __pos, #name)?;
        });
    }
    let mut arms = TokenStream::new();
    let mut fallback = if strict {
        quote!(return ::core::result::Result::Err(#p::unknown(&__attr)))
    } else {
        quote!({})
    };
    let mut finish = TokenStream::new();
    for field in fields {
        let (local, ident) = (local(field), field.ident);
        match &field.role {
            Role::Header => finish.extend(quote!(#ident: #local,)),
            Role::Attr(spec) => {
                let num = Literal::u16_unsuffixed(spec.num);
                let (decl, arm, value) = read_attr(cx, field, spec, &local);
                prelude.extend(decl);
                arms.extend(quote!(#num => { #arm }));
                finish.extend(quote!(#ident: #value,));
            }
            Role::Unknown(elem) => {
                let span = elem.span();
                prelude.extend(
                    quote!(let mut #local: ::std::vec::Vec<#elem> = ::std::vec::Vec::new();),
                );
                let lt = &cx.lt;
                fallback = quote_spanned! {span=>
                    if let ::core::option::Option::Some(__u) =
                        <#elem as #p::AttrEnum<#lt>>::decode_attr(&__attr, __depth)?
                    {
                        #local.push(__u);
                    }
                };
                finish.extend(quote!(#ident: #local,));
            }
            Role::Invalid => {}
        }
    }
    quote! {
        #prelude
        let __attrs = #p::attrs_after(__bytes, __pos);
        for __attr in __attrs {
            let __attr = __attr?;
            match __attr.kind() {
                #arms
                _ => #fallback
            }
        }
        ::core::result::Result::Ok(Self { #finish })
    }
}

/// Returns the declaration of a field's local, the statements of its match
/// arm, and the expression that yields the field's value at the end.
fn read_attr(
    cx: &Ctx,
    field: &Field<'_>,
    spec: &crate::model::Spec<'_>,
    local: &syn::Ident,
) -> (TokenStream, TokenStream, TokenStream) {
    let p = &cx.p;
    let name = &field.name;
    let num = Literal::u16_unsuffixed(spec.num);
    let elem = spec.elem.map_or_else(|| quote!(bool), |t| quote!(#t));
    let attr = quote!((&__attr));
    match spec.shape {
        Shape::Required | Shape::Optional => {
            let one = codec::read_one(cx, spec, name, &attr);
            let decl = quote!(let mut #local: ::core::option::Option<#elem> = ::core::option::Option::None;);
            let arm = quote!(#local = ::core::option::Option::Some(#one););
            let value = if spec.shape == Shape::Required {
                quote!(#p::required(#local, #name, #num)?)
            } else {
                quote!(#local)
            };
            (decl, arm, value)
        }
        Shape::Repeated => {
            let one = codec::read_one(cx, spec, name, &attr);
            let decl = quote!(let mut #local: ::std::vec::Vec<#elem> = ::std::vec::Vec::new(););
            (decl, quote!(#local.push(#one);), quote!(#local))
        }
        Shape::View => {
            // Each occurrence is decoded and checked here, then only its
            // place is kept: the view decodes it again when iterated.
            let one = codec::read_one(cx, spec, name, &attr);
            let decl = quote!(let mut #local = #p::RepeatedSpan::new(););
            let arm = quote!(let _: #elem = #one; #local.add(&__attr););
            (decl, arm, quote!(#local.finish::<#elem>(__bytes, #num)))
        }
        Shape::Flag => (
            quote!(let mut #local = false;),
            quote!(#local = true;),
            quote!(#local),
        ),
        Shape::Indexed => {
            let list = codec::read_indexed(cx, spec, name, &attr);
            let decl = quote!(let mut #local: ::std::vec::Vec<#elem> = ::std::vec::Vec::new(););
            (decl, quote!(#local = #list;), quote!(#local))
        }
    }
}
