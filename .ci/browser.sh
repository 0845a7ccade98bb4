#!/usr/bin/env bash
# Browser test of the HTML report: Debian's Chromium driven by playwright-core (which never
# downloads a browser), on pages opened from disk. Needs target/debug/careplay (built by
# `cargo test --no-run` in .ci/run). Screenshots go to target/browser-shots/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
chromium --version
command -v node >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
node --version

# playwright-core only (no browser download: `playwright` and `npx playwright install`
# would fetch one), pinned by the committed package-lock.json.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

bin=target/debug/careplay
[ -x "$bin" ] || { echo "$bin missing: run cargo test --no-run first" >&2; exit 1; }
# The contoso sign-ins are generated (git-ignored), as the Rust tests do.
if [ ! -d datasets/contoso/signins ] || [ datasets/generate.py -nt datasets/contoso/signins-manifest.json ]; then
  python3 datasets/generate.py contoso
fi

CAREPLAY_BIN="$bin" node tests/browser/check.mjs
echo "browser test: $(( $(date +%s) - start ))s"
