#!/usr/bin/env bash
# Seed each fuzz target's corpus (fuzz/corpus/<target>, not committed) from
# the test fixtures and, when present, ../shared/reliability's cases. Targets
# that read a format-pick byte first get one prepended.
set -euo pipefail
cd "$(dirname "$0")"
repo=..
rel=$(mktemp -d)
trap 'rm -rf "$rel"' EXIT
if [ -f "$repo/../shared/reliability/cases.tar.gz" ]; then
  tar -xzf "$repo/../shared/reliability/cases.tar.gz" -C "$rel"
fi
add() { # target, pick byte (or ""), file
  local dir="corpus/$1" name
  mkdir -p "$dir"
  name=$(basename "$3")-$(cksum < "$3" | cut -d' ' -f1)
  if [ -n "$2" ]; then { printf "\\x$2"; head -c 1048576 "$3"; } > "$dir/$name"; else head -c 1048576 "$3" > "$dir/$name"; fi
}
while IFS= read -r -d '' f; do
  case "$f" in
    *.txt) add read_pages "" "$f"; add pipeline 00 "$f" ;;
    *.jsonl) add read_jsonl 00 "$f"; add read_jsonl 02 "$f"; add read_compressed 01 "$f"; add pipeline 01 "$f" ;;
    *.json) add read_json_doc 00 "$f"; add read_json_doc 01 "$f"; add pipeline 02 "$f" ;;
    *.csv) add read_csv 00 "$f"; add pipeline 03 "$f" ;;
    *.tsv) add read_csv 01 "$f" ;;
    *.xml|*.wxr) add read_wxr "" "$f"; add pipeline 04 "$f" ;;
    *.gz|*.zst) [ "$(stat -c %s "$f")" -lt 65536 ] && add read_compressed 00 "$f" ;;
  esac
done < <(find "$repo/tests/fixtures" "$repo/data/sample" "$rel" -type f -print0)
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds"; done
