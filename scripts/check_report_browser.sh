#!/usr/bin/env bash
# Render the README's report in a real headless browser (Debian's chromium)
# and check it: no console or page errors, no network requests, the thread
# tree view visible, the thread table sortable; writes a screenshot.
#
#   scripts/check_report_browser.sh [report.html] [screenshot.png]
#
# Installs chromium (apt) and playwright-core (npm, into scripts/browser/
# node_modules, not committed) when missing. Default input: the report of
# data/sample made with the shipped models.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-target/report-sample.html}
shot=${2:-target/report-sample.png}
if ! command -v chromium >/dev/null; then
  apt-get install -y chromium >/dev/null
fi
if [ ! -d scripts/browser/node_modules/playwright-core ]; then
  (cd scripts/browser && npm install --no-audit --no-fund --silent)
fi
if [ "$#" -eq 0 ]; then
  cargo build --release -q
  target/release/threadlens -q report data/sample -o "$report"
fi
node scripts/browser/check_report.mjs "$report" "$shot"
