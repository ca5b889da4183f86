//! An accumulator of compile errors, so that all mistakes of an item are
//! reported at once.

use proc_macro2::TokenStream;

/// Collected errors, each with its own span.
#[derive(Default)]
pub(crate) struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// Records an error.
    pub(crate) fn push(&mut self, err: syn::Error) {
        self.list.push(err);
    }

    /// Records an error at `span`.
    pub(crate) fn at(&mut self, span: proc_macro2::Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Returns all errors as `compile_error!` invocations, or `None` when
    /// there are none.
    pub(crate) fn into_tokens(self) -> Option<TokenStream> {
        let mut iter = self.list.into_iter();
        let mut first = iter.next()?;
        iter.for_each(|e| first.combine(e));
        Some(first.to_compile_error())
    }
}
