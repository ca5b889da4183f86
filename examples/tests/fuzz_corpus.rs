//! Replays the `derived` fuzz corpus (kernel fixtures as seeds, and every
//! input a fuzzer once crashed on) through the example protocols' derived
//! decoders on the stable toolchain.

#[path = "../../fuzz/checks_derived.rs"]
mod checks_derived;

use std::path::Path;

#[test]
fn derived_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/derived");
    let (mut count, mut decoded) = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("the derived corpus exists") {
        let data = std::fs::read(entry.expect("a corpus entry").path()).expect("a corpus file");
        decoded += checks_derived::derived(&data);
        count += 1;
    }
    assert!(count >= 3, "only {count} corpus files");
    // The seeds are kernel link and controller messages: many decode.
    assert!(decoded >= 10, "only {decoded} messages decoded");
    println!("derived: {count} corpus files replayed, {decoded} messages decoded");
}
