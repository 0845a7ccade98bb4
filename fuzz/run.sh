#!/usr/bin/env bash
# Run one careplay fuzz target: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#
# Targets: signin_json signin_csv signin_parquet policy locations directory device_filter
# replay (`cargo fuzz list`). Crashes land in fuzz/artifacts/TARGET/; the growing corpus in
# fuzz/corpus/TARGET/ (not committed). Seeds come from fuzz/seeds/TARGET/ (committed) and
# from the small files of tests/fixtures and datasets (copied here at every run).
#
# Toolchain: the machine has stable Rust only. cargo-fuzz's libFuzzer build needs no
# nightly feature with `--sanitizer none` (coverage instrumentation is plain `-C` flags);
# careplay is safe Rust (unsafe only for the memory map, which fuzzing does not reach:
# inputs are small), so AddressSanitizer would mostly find bugs in C code it does not
# have. To fuzz with ASan on stable anyway: FUZZ_SANITIZER=address fuzz/run.sh ..., which
# sets RUSTC_BOOTSTRAP=1 (cargo-fuzz then passes `-Zsanitizer=address`).
# Install cargo-fuzz once: `cargo install cargo-fuzz --locked`.
set -euo pipefail

target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")"
root=..
sanitizer=${FUZZ_SANITIZER:-none}
if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
fi

corpus=corpus/$target
mkdir -p "$corpus"
if [ -d "seeds/$target" ]; then
    cp -n seeds/"$target"/* "$corpus"/ 2>/dev/null || true
fi
# The first byte of a sign-in input picks the format (0 = sniffed, as the CLI does); the
# replay target reads the file as it is ($3 = "raw").
seed_logs() {
    local ext
    for f in $(find "$root/tests/fixtures/signin" "$root/datasets" -type f -size -64k \
            \( -name '*.json' -o -name '*.jsonl' -o -name '*.ndjson' -o -name '*.csv' \) \
            -path "*$1*" 2>/dev/null); do
        ext=${f##*.}
        case "$2:$ext" in
            json:json|json:jsonl|json:ndjson|csv:csv)
                { [ "${3:-}" = raw ] || printf '\0'; cat "$f"; } \
                    > "$corpus/seed-$(echo "$f" | md5sum | cut -c1-12)";;
        esac
    done
}
copy_json() {
    for f in $(find "$@" -type f -name '*.json' -size -64k 2>/dev/null); do
        cp "$f" "$corpus/seed-$(echo "$f" | md5sum | cut -c1-12).json"
    done
}
case "$target" in
    signin_json) seed_logs "" json ;;
    signin_csv) seed_logs "" csv ;;
    replay) seed_logs "" json raw ;;
    policy) copy_json "$root/tests/fixtures/policy" "$root/datasets"/*/policies ;;
    locations) for d in "$root"/datasets/*/; do copy_json "$d/namedLocations.json"; done
               copy_json "$root/tests/fixtures/policy" ;;
    directory) for d in "$root"/datasets/*/; do copy_json "$d/directory.json"; done ;;
esac

exec cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 "$@"
