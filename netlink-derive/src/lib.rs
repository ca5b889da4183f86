//! PLACEHOLDER
#![forbid(unsafe_code)]

mod errors;
mod expand;
mod keys;
mod model;
mod validate;

use proc_macro::TokenStream;

/// Derives the netlink wire codec of a struct or enum.
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
