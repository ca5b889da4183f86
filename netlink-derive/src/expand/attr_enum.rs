//! Attribute enums: one variant per attribute type.
//!
//! Each variant is written as one attribute; decoding dispatches on the
//! attribute type. A type without a variant goes to the `unknown` variant,
//! is an error in strict mode, or is skipped (`None`).

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Ctx, codec};
use crate::model::{Input, Role, Shape, Variant};

pub(crate) fn expand(cx: &Ctx, input: &Input<'_>, variants: &[Variant<'_>]) -> TokenStream {
    let Ctx {
        p, lt, impl_lt, ty, ..
    } = cx;
    let strict = input.keys.flag("strict").is_some();
    let mut kinds = TokenStream::new();
    let mut sizes = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut reads = TokenStream::new();
    let mut fallback = if strict {
        quote!(::core::result::Result::Err(#p::unknown(__attr)))
    } else {
        quote!(::core::result::Result::Ok(::core::option::Option::None))
    };
    for variant in variants {
        let ident = variant.ident;
        let name = ident.to_string();
        let pat = if variant.newtype {
            quote!(Self::#ident(__v))
        } else {
            quote!(Self::#ident)
        };
        match &variant.role {
            Role::Attr(spec) => {
                let num = Literal::u16_unsuffixed(spec.num);
                let v = if spec.shape == Shape::Flag {
                    quote!((&true))
                } else {
                    quote!(__v)
                };
                let size = codec::size(cx, spec, &v);
                let write = codec::write(cx, spec, &name, &v);
                let value = match spec.shape {
                    Shape::Flag => quote!(Self::#ident),
                    Shape::Indexed => {
                        let list = codec::read_indexed(cx, spec, &name, &quote!(__attr));
                        quote!(Self::#ident(#list))
                    }
                    _ => {
                        let one = codec::read_one(cx, spec, &name, &quote!(__attr));
                        quote!(Self::#ident(#one))
                    }
                };
                kinds.extend(quote!(#pat => #num,));
                sizes.extend(quote!(#pat => #size,));
                writes.extend(quote!(#pat => { #write }));
                reads.extend(quote! {
                    #num => ::core::result::Result::Ok(::core::option::Option::Some(#value)),
                });
            }
            Role::Unknown(inner) => {
                let span = inner.span();
                kinds.extend(quote_spanned!(span=> #pat => #p::AttrEnum::kind(__v),));
                sizes.extend(quote_spanned!(span=> #pat => #p::AttrEnum::attr_size(__v),));
                writes
                    .extend(quote_spanned!(span=> #pat => #p::AttrEnum::write_attr(__v, __out)?,));
                fallback = quote_spanned! {span=>
                    <#inner as #p::AttrEnum<#lt>>::decode_attr(__attr, __depth)
                        .map(|__o| __o.map(Self::#ident))
                };
            }
            Role::Header | Role::Invalid => {}
        }
    }
    quote! {
        #[automatically_derived]
        impl #impl_lt #p::AttrEnum<#lt> for #ty {
            #[inline]
            fn kind(&self) -> u16 {
                match self { #kinds }
            }

            #[inline]
            fn attr_size(&self) -> usize {
                match self { #sizes }
            }

            #[inline]
            fn write_attr(
                &self,
                __out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), #p::EncodeError> {
                match self { #writes }
                ::core::result::Result::Ok(())
            }

            #[inline]
            fn decode_attr(
                __attr: &#p::Attr<#lt>,
                __depth: usize,
            ) -> ::core::result::Result<::core::option::Option<Self>, #p::DecodeError> {
                match __attr.kind() {
                    #reads
                    _ => #fallback,
                }
            }
        }
    }
}
