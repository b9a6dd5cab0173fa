#!/usr/bin/env bash
# Open HTML reports in a real headless browser (Debian's chromium) as a
# moderator would and check them (scripts/browser/check_report.mjs): no
# console errors or network requests, the summary and the start of the
# queue on the first screen, a click on a queue row scrolls to and
# highlights its comment in its tree (and back), filters answer within
# 200 ms, the page loads within 3 s. Writes first-screen screenshots under
# target/browser/.
#
#   scripts/check_report_browser.sh                 # the reports below
#   scripts/check_report_browser.sh report.html shot.png
#
# Without arguments: the report of data/sample; of a synthetic dump of
# 10,000 threads; and, when ../shared is present, of the IAC sample and of
# the RumourEval 2019 release. Installs chromium (apt) and playwright-core
# (npm, into scripts/browser/node_modules, not committed) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  apt-get install -y chromium >/dev/null
fi
if [ ! -d scripts/browser/node_modules/playwright-core ]; then
  (cd scripts/browser && npm install --no-audit --no-fund --silent)
fi
check() { node scripts/browser/check_report.mjs "$@"; }
if [ "$#" -gt 0 ]; then
  check "$@"
  exit
fi
cargo build --release -q
bin=target/release/threadlens
out=target/browser
mkdir -p "$out"
"$bin" -q report data/sample -o "$out/sample.html"
check "$out/sample.html" "$out/sample.png"
[ -s "$out/synthetic-10k.jsonl" ] || python3 scripts/browser/make_dump.py 10000 "$out/synthetic-10k.jsonl"
"$bin" -q report "$out/synthetic-10k.jsonl" -o "$out/synthetic-10k.html"
check "$out/synthetic-10k.html" "$out/synthetic-10k.png" --max-load-ms 3000 --max-filter-ms 200
shared=../shared
if [ -d "$shared/data" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/iac" "$tmp/re19"
  tar -xzf "$shared/data/dumps/iac_v1_sample.tar.gz" -C "$tmp/iac"
  tar -xzf "$shared/data/stance/rumoureval2019/threads.tar.gz" -C "$tmp/re19"
  "$bin" -q report "$tmp/iac" -o "$out/iac.html"
  check "$out/iac.html" "$out/iac.png"
  "$bin" -q report "$tmp/re19" -o "$out/rumoureval2019.html"
  check "$out/rumoureval2019.html" "$out/rumoureval2019.png"
fi
