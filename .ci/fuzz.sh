#!/usr/bin/env bash
# The fuzz targets (fuzz/, a workspace of its own) must keep compiling against the
# library's public API. CI type-checks them; it does not run them (fuzz/run.sh does, by
# hand: `cargo install cargo-fuzz --locked`, then `fuzz/run.sh TARGET SECONDS`).
# `cargo check` needs no cargo-fuzz and no instrumented build of polars; `cargo fuzz
# build` would rebuild every dependency with coverage instrumentation in release mode
# (about an hour on this project's 2 shared cores), far outside CI's budget.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TARGET_DIR="$PWD/target/fuzz-check" cargo check --locked --manifest-path fuzz/Cargo.toml --bins
