#!/usr/bin/env bash
# Reader tests of the per-event file and the CSV report folder (issue 20): pandas
# (through pyarrow), polars and DuckDB read what the debug binary writes for the seed and
# contoso tenants, and the notebook's code runs on both. Needs target/debug
# built (`cargo test --no-run`) and contoso's sign-ins generated (the tests stage does).
# Python packages go into a venv under target/ so the machine stays clean; majors pinned.
# CI time: ~1 min for the pip install on a fresh clone, ~20 s for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/events-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r notebooks/requirements.txt \
  'duckdb>=1,<2' 'nbclient>=0.10,<1' 'ipykernel>=6,<8' 'nbformat>=5,<6'
bin=target/debug/careplay
out=target/events-readers
rm -rf "$out"
mkdir -p "$out"
events=()
csv_dirs=()
for t in seed-registration contoso; do
  # contoso's user-risk policies are Unknown without an assumption: replayed as-is, its
  # file carries undecided rows and their causes.
  "$bin" replay "datasets/$t" --promote all-report-only --quiet \
    --format json -o "$out/$t.json" --events-out "$out/$t.parquet"
  mkdir -p "$out/$t-csv"
  "$bin" replay "datasets/$t" --promote all-report-only --quiet --format csv -o "$out/$t-csv/"
  events+=("$out/$t.parquet:$out/$t.json")
  csv_dirs+=("$out/$t-csv")
done
CAREPLAY_EVENTS=$(IFS=,; echo "${events[*]}") CAREPLAY_CSV_DIRS=$(IFS=,; echo "${csv_dirs[*]}") \
  "$venv/bin/python" tests/python/test_events_file.py
# The notebook executed headless by nbclient on both files, failing on any cell error;
# the kernel is the venv's own python (ipykernel).
for t in seed-registration contoso; do
  PATH="$PWD/$venv/bin:$PATH" CAREPLAY_EVENTS="$PWD/$out/$t.parquet" MPLBACKEND=Agg \
    "$venv/bin/python" notebooks/execute.py notebooks/explore_events.ipynb "$out/notebook-$t.ipynb"
done
