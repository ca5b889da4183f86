//! Message enums: one variant per message type, or per generic netlink
//! command.
//!
//! Keyed by `ty`, the enum implements `MessageEnum` (decode by
//! `nlmsg_type`) and `Encode`. Keyed by `command`, it implements `Decode`
//! (dispatch on `genlmsghdr.cmd`, the first payload byte), `Encode` (which
//! sets that byte to the variant's command) and `GenlCommand`.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::Ctx;
use crate::model::{MessageKey, MessageVariant};

pub(crate) fn expand(cx: &Ctx, variants: &[MessageVariant<'_>]) -> TokenStream {
    let by_command = variants
        .iter()
        .any(|v| matches!(v.key, MessageKey::Command(..)));
    let body = Body::build(cx, variants, by_command);
    let Ctx {
        p,
        lt,
        impl_lt,
        impl_plain,
        ty,
    } = cx;
    let Body {
        decode,
        numbers,
        sizes,
        writes,
    } = body;
    let encode = quote! {
        #[automatically_derived]
        impl #impl_plain #p::Encode for #ty {
            #[inline]
            fn encoded_len(&self) -> usize {
                match self { #sizes }
            }

            fn encode(
                &self,
                __out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), #p::EncodeError> {
                match self { #writes }
            }
        }
    };
    if by_command {
        quote! {
            #encode

            #[automatically_derived]
            impl #impl_lt #p::Decode<#lt> for #ty {
                fn decode(__payload: &#lt [u8]) -> ::core::result::Result<Self, #p::DecodeError> {
                    let __ty = #p::genl_command(__payload)?;
                    match __ty { #decode }
                }
            }

            #[automatically_derived]
            impl #impl_plain #p::GenlCommand for #ty {
                #[inline]
                fn command(&self) -> u8 {
                    match self { #numbers }
                }
            }
        }
    } else {
        quote! {
            #encode

            #[automatically_derived]
            impl #impl_lt #p::MessageEnum<#lt> for #ty {
                fn decode_message(
                    __ty: u16,
                    __payload: &#lt [u8],
                ) -> ::core::result::Result<Self, #p::DecodeError> {
                    match __ty { #decode }
                }

                #[inline]
                fn message_type(&self) -> u16 {
                    match self { #numbers }
                }
            }
        }
    }
}

/// The match arms of every generated method.
struct Body {
    decode: TokenStream,
    numbers: TokenStream,
    sizes: TokenStream,
    writes: TokenStream,
}

impl Body {
    fn build(cx: &Ctx, variants: &[MessageVariant<'_>], by_command: bool) -> Self {
        let p = &cx.p;
        let lt = &cx.lt;
        let mut body = Self {
            decode: TokenStream::new(),
            numbers: TokenStream::new(),
            sizes: TokenStream::new(),
            writes: TokenStream::new(),
        };
        let ty = if by_command {
            quote!(::core::convert::From::from(__ty))
        } else {
            quote!(__ty)
        };
        let mut fallback = quote!(::core::result::Result::Err(#p::unexpected_type(#ty)));
        for variant in variants {
            let Some(ty) = variant.ty else { continue };
            let ident = variant.ident;
            let span = ty.span();
            let (num, unknown) = match variant.key {
                MessageKey::Type(n, _) | MessageKey::Command(n, _) => (n, false),
                MessageKey::Unknown(_) => (0, true),
                MessageKey::Invalid => continue,
            };
            body.sizes
                .extend(quote_spanned!(span=> Self::#ident(__v) => #p::Encode::encoded_len(__v),));
            if unknown {
                // A kept message of a command enum is written like the
                // other variants, its `ty` in the command byte; a `ty` that
                // does not fit in that byte is an encode error.
                let (number, write) = if by_command {
                    (
                        quote!(#p::kept_command(__v)),
                        quote_spanned!(span=> #p::encode_raw_command(__out, __v)),
                    )
                } else {
                    (
                        quote!(__v.ty),
                        quote_spanned!(span=> #p::Encode::encode(__v, __out)),
                    )
                };
                body.numbers.extend(quote!(Self::#ident(__v) => #number,));
                body.writes.extend(quote!(Self::#ident(__v) => #write,));
                let ty = if by_command {
                    quote!(::core::convert::From::from(__ty))
                } else {
                    quote!(__ty)
                };
                fallback = quote_spanned! {span=>
                    ::core::result::Result::Ok(Self::#ident(#p::RawMessage { ty: #ty, payload: __payload }))
                };
                continue;
            }
            let lit = if by_command {
                Literal::u8_unsuffixed(u8::try_from(num).unwrap_or(u8::MAX))
            } else {
                Literal::u16_unsuffixed(u16::try_from(num).unwrap_or(u16::MAX))
            };
            let name = ident.to_string();
            body.numbers.extend(quote!(Self::#ident(_) => #lit,));
            body.writes.extend(if by_command {
                quote_spanned!(span=> Self::#ident(__v) => #p::encode_command(__out, #lit, __v),)
            } else {
                quote_spanned!(span=> Self::#ident(__v) => #p::Encode::encode(__v, __out),)
            });
            body.decode.extend(quote_spanned! {span=>
                #lit => <#ty as #p::Decode<#lt>>::decode(__payload)
                    .map(Self::#ident)
                    .map_err(|__e| __e.within(#name, 0)),
            });
        }
        body.decode.extend(quote!(_ => #fallback,));
        body
    }
}
