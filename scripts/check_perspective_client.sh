#!/usr/bin/env bash
# An unmodified Perspective API client from the npm registry
# (perspective-api-client 3.1.0, Jigsaw's JavaScript client) gets its answers
# from `threadlens serve`: the client's one endpoint constant,
# COMMENT_ANALYZER_URL, is pointed at the local server; nothing else changes.
#
#   scripts/check_perspective_client.sh [path/to/threadlens]
#
# Needs node and npm (the npm registry); caches the client under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/threadlens}
DIR=target/perspective-client
if [ ! -f "$DIR/node_modules/perspective-api-client/index.js" ]; then
  mkdir -p "$DIR"
  # The registry is outside the project: without it the check is skipped, said so.
  if ! (cd "$DIR" && npm install --silent --no-audit --no-fund perspective-api-client@3.1.0 >/dev/null); then
    echo "check_perspective_client: npm install perspective-api-client failed; check skipped"
    exit 0
  fi
fi
KEYS=$(mktemp); OUT=$(mktemp)
trap 'kill $PID 2>/dev/null || true; rm -f "$KEYS" "$OUT"' EXIT
echo "test-key" > "$KEYS"
"$BIN" serve --listen 127.0.0.1:0 --api-keys "$KEYS" > "$OUT" 2>/dev/null &
PID=$!
for _ in $(seq 100); do grep -q listening "$OUT" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$OUT")
[ -n "$URL" ] || { echo "server did not start"; exit 1; }
# The one constant.
sed "s|https://commentanalyzer.googleapis.com/v1alpha1/comments:analyze|$URL/v1alpha1/comments:analyze|" \
  "$DIR/node_modules/perspective-api-client/index.js" > "$DIR/node_modules/perspective-api-client/local.js"
EXPECTED=$(printf 'id,text\n1,you are a complete idiot\n' | "$BIN" -q score - --format csv --no-stance \
  | python3 -c 'import json,sys; print(repr(json.loads(sys.stdin.readline())["incivility"]))')
cd "$DIR"
node - "$EXPECTED" <<'JS'
const Perspective = require('perspective-api-client/local.js');
const expected = Number(process.argv[2]);
(async () => {
  const p = new Perspective({apiKey: 'test-key'});
  const r = await p.analyze('you are a complete idiot');
  const v = r.attributeScores.TOXICITY.summaryScore.value;
  if (v !== expected) throw new Error(`TOXICITY ${v}, threadlens score says ${expected}`);
  console.log(`perspective-api-client: TOXICITY ${v} (= threadlens score)`);
  const spans = await p.analyze({comment: {text: 'Nice post. You idiot.'}, spanAnnotations: true});
  console.log(`perspective-api-client: ${spans.attributeScores.TOXICITY.spanScores.length} span scores`);
  try {
    await p.analyze('hello', {attributes: ['THREAT']});
    throw new Error('THREAT should be refused');
  } catch (e) {
    if (e.name !== 'ResponseError') throw e;
    console.log(`perspective-api-client: ResponseError "${e.message}"`);
  }
  try {
    await new Perspective({apiKey: 'wrong'}).analyze('hello');
    throw new Error('a wrong key should be refused');
  } catch (e) {
    if (e.name !== 'ResponseError' || e.response.status !== 403) throw e;
    console.log(`perspective-api-client: wrong key -> ${e.response.status} "${e.message}"`);
  }
})().catch(e => { console.error(e); process.exit(1); });
JS
echo "check_perspective_client: ok"
