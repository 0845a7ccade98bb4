#!/usr/bin/env bash
# The CI step behind action.yml and examples/azure-devops/azure-pipelines.yml: replay a
# tenant folder with the report-only policies promoted, write the Markdown report to the job
# summary (GitHub Actions, Azure DevOps), write the HTML report, and exit with the gate's
# code: 0 passed, 1 breached, 2 careplay could not run. Run by tests/ci_examples.rs.
#
# Environment: TENANT_DIR (required); CAREPLAY (binary, default `careplay`); PROMOTE
# (comma-separated policy ids or names, default all-report-only); FAIL_ON (default
# newly-blocked>0); OUT_DIR (default careplay-out).
set -euo pipefail
: "${TENANT_DIR:?set TENANT_DIR to the tenant folder}"
CAREPLAY=${CAREPLAY:-careplay}
PROMOTE=${PROMOTE:-all-report-only}
FAIL_ON=${FAIL_ON:-newly-blocked>0}
OUT_DIR=${OUT_DIR:-careplay-out}
mkdir -p "$OUT_DIR"

promote=()
IFS=',' read -r -a names <<< "$PROMOTE"
for n in "${names[@]}"; do
  [ -n "$n" ] && promote+=(--promote "$n")
done

"$CAREPLAY" replay "$TENANT_DIR" "${promote[@]}" --format markdown -o "$OUT_DIR/careplay-report.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$OUT_DIR/careplay-report.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${TF_BUILD:-}" ]; then
  echo "##vso[task.uploadsummary]$(cd "$OUT_DIR" && pwd)/careplay-report.md"
fi

set +e
"$CAREPLAY" replay "$TENANT_DIR" "${promote[@]}" --format html -o "$OUT_DIR/careplay-report.html" --fail-on "$FAIL_ON"
code=$?
set -e
case $code in
  0) echo "careplay: gate '$FAIL_ON' passed" ;;
  1) echo "careplay: gate '$FAIL_ON' breached; see $OUT_DIR/careplay-report.html" >&2 ;;
  *) echo "careplay: replay failed (exit $code)" >&2 ;;
esac
exit "$code"
