#!/usr/bin/env bash
# Regression expectations of the seed tenant, run as a user would in their own CI: JUnit
# XML for the test reporter and a Markdown job summary. Needs target/debug/careplay
# (built by `cargo test --no-run`); about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/careplay
[ -x "$bin" ] || cargo build --locked -q
mkdir -p target/expect
"$bin" test datasets/seed-registration --promote all-report-only --quiet \
  --expect datasets/seed-registration/expectations.yaml \
  --junit target/expect/seed-junit.xml --format markdown -o target/expect/seed-summary.md
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat target/expect/seed-summary.md >> "$GITHUB_STEP_SUMMARY"
fi
echo "seed expectations hold; JUnit in target/expect/seed-junit.xml"
