//! Fuzzes the example protocols' derived decoders; see `checks_derived.rs`.
#![no_main]

#[path = "../checks_derived.rs"]
mod checks_derived;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks_derived::derived(data);
});
