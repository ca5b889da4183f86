//! Replays the `derived` fuzz corpus (kernel fixtures as seeds, and every
//! input a fuzzer once crashed on) through the example protocols' derived
//! decoders on the stable toolchain.

#[path = "../../fuzz/checks_derived.rs"]
mod checks_derived;

use std::path::Path;

#[test]
fn derived_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/derived");
    let (mut count, mut decoded) = (0, [0; 4]);
    for entry in std::fs::read_dir(&dir).expect("the derived corpus exists") {
        let data = std::fs::read(entry.expect("a corpus entry").path()).expect("a corpus file");
        let found = checks_derived::derived(&data);
        decoded.iter_mut().zip(found).for_each(|(sum, n)| *sum += n);
        count += 1;
    }
    assert!(count >= 3, "only {count} corpus files");
    // The seeds hold kv requests and replies, kernel link and controller
    // messages and a sock_diag dump: every protocol decodes some of them.
    let [kv, route, ctrl, diag] = decoded;
    assert!(kv >= 7, "only {kv} kv messages decoded");
    assert!(route >= 5, "only {route} rtnetlink messages decoded");
    assert!(ctrl >= 2, "only {ctrl} controller messages decoded");
    assert!(diag >= 1, "only {diag} sock_diag messages decoded");
    println!("derived: {count} corpus files replayed, {decoded:?} messages decoded");
}
