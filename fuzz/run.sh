#!/usr/bin/env bash
# Runs every fuzz target for a while (default 600 s each), one after the
# other, with the kernel fixtures as seeds. Inputs the fuzzer finds go to a
# scratch corpus (FUZZ_WORK, default a temporary folder), not into the
# committed seeds. Needs a nightly toolchain and
# `cargo install cargo-fuzz`. New crash inputs land in artifacts/<target>/;
# copy each into corpus/<target>/ once fixed so the stable replay test
# keeps it as a regression.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
work="${FUZZ_WORK:-$(mktemp -d)}"
for target in "${targets[@]}"; do
    echo "fuzz: $target for ${seconds}s"
    mkdir -p "$work/$target"
    cargo +nightly fuzz run -O "$target" "$work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=1024
done
