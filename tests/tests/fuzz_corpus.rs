//! Replays every fuzz corpus file through the fuzz targets' checks on the
//! stable toolchain, so that CI covers the corpora (seeds from kernel
//! fixtures, and every input a fuzzer once crashed on) without a fuzzer.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()))
        .map(|entry| entry.expect("readable corpus entry").path())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, mut check: impl FnMut(&[u8])) {
    let files = corpus(target);
    assert!(!files.is_empty(), "corpus {target} is empty");
    for file in &files {
        let data = std::fs::read(file).expect("readable corpus file");
        check(&data);
    }
    println!("{target}: {} corpus files replayed", files.len());
}

/// Returns the file stems of `dir`'s entries (folders included), sorted.
fn names(dir: &Path, suffix: &str) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", dir.display()))
        .map(|entry| entry.expect("readable entry").file_name())
        .filter_map(|name| name.to_str()?.strip_suffix(suffix).map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Every fuzz target has a corpus, and every corpus is replayed here or
/// in `examples/tests/fuzz_corpus.rs` (`derived`): a new target fails this
/// test until its corpus is replayed too.
#[test]
fn every_fuzz_target_has_a_replayed_corpus() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let targets = names(&fuzz.join("fuzz_targets"), ".rs");
    let corpora = names(&fuzz.join("corpus"), "");
    assert_eq!(targets, corpora, "fuzz targets and corpus folders differ");
    assert_eq!(targets, ["acks", "attrs", "derived", "messages"]);
}

#[test]
fn messages_corpus_replays() {
    replay("messages", checks::messages);
}

#[test]
fn attrs_corpus_replays() {
    replay("attrs", checks::attrs);
}

#[test]
fn acks_corpus_replays() {
    let mut rebuilt = 0;
    replay("acks", |data| rebuilt += checks::acks(data));
    // The seeds hold an extended error ack, a capped one, a warning, a
    // policy error and a failed dump's DONE: each is rebuilt.
    assert!(rebuilt >= 5, "only {rebuilt} acks rebuilt");
}
