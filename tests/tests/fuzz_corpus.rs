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

fn replay(target: &str, check: fn(&[u8])) {
    let files = corpus(target);
    assert!(!files.is_empty(), "corpus {target} is empty");
    for file in &files {
        let data = std::fs::read(file).expect("readable corpus file");
        check(&data);
    }
    println!("{target}: {} corpus files replayed", files.len());
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
    replay("acks", checks::acks);
}
