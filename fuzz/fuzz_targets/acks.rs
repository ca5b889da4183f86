//! Fuzzes the acks decoder; see `checks.rs` for the properties.
#![no_main]

#[allow(dead_code)] // Each target uses one of the shared checks.
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::acks(data);
});
