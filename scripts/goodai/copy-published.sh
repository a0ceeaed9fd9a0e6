#!/usr/bin/env bash
# Regenerates test/fixtures/goodai-published/: a subset of GoodAI's published "Benchmark 3 - 32k"
# results (two agents, their Colours and Shopping results, the matching definitions, config.yml,
# runstats.json) and GoodAI's LICENSE, read from a git dir of github.com/GoodAI/goodai-ltm-benchmark.
#   GOODAI_MIRROR=/path/to/goodai-ltm-benchmark.git scripts/goodai/copy-published.sh
set -euo pipefail
MIRROR=${GOODAI_MIRROR:?set GOODAI_MIRROR to a git dir of github.com/GoodAI/goodai-ltm-benchmark (commit 188e761)}
COMMIT=${GOODAI_COMMIT:-188e761}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEST="$ROOT/test/fixtures/goodai-published"
BENCH="data/tests/Benchmark 3 - 32k"
AGENTS=("LLMChatSession - gpt-4o - 128000" "LTMAgentWrapper - claude-3-opus - 16384 - QG_JSON_USER_INFO")
DATASETS=(Colours Shopping)
show() { git --git-dir="$MIRROR" show "$COMMIT:$1"; }
rm -rf "$DEST"
OUT="$DEST/Benchmark 3 - 32k"
mkdir -p "$OUT/definitions"
show "$BENCH/definitions/config.yml" > "$OUT/definitions/config.yml"
for d in "${DATASETS[@]}"; do
  mkdir -p "$OUT/definitions/$d"
  for f in $(git --git-dir="$MIRROR" ls-tree --name-only "$COMMIT:$BENCH/definitions/$d"); do show "$BENCH/definitions/$d/$f" > "$OUT/definitions/$d/$f"; done
done
for a in "${AGENTS[@]}"; do
  mkdir -p "$OUT/results/$a"
  show "$BENCH/results/$a/runstats.json" > "$OUT/results/$a/runstats.json"
  for d in "${DATASETS[@]}"; do
    mkdir -p "$OUT/results/$a/$d"
    for f in $(git --git-dir="$MIRROR" ls-tree --name-only "$COMMIT:$BENCH/results/$a/$d"); do show "$BENCH/results/$a/$d/$f" > "$OUT/results/$a/$d/$f"; done
  done
done
show LICENSE > "$DEST/LICENSE"
cat > "$DEST/NOTICE.md" <<NOTE
# GoodAI's published results (subset)

Copied unchanged from GoodAI's LTM benchmark, https://github.com/GoodAI/goodai-ltm-benchmark
at commit $(git --git-dir="$MIRROR" rev-parse "$COMMIT"), folder \`$BENCH\`: the agents
${AGENTS[*]/#/
- }

with their ${DATASETS[*]} results, the matching definitions, \`definitions/config.yml\` and each
agent's \`runstats.json\` (\`master_log.jsonl\` is left out for size). Copyright GoodAI, under the
MIT licence in \`LICENSE\` beside this note. Regenerate with \`scripts/goodai/copy-published.sh\`.
NOTE
echo "wrote $DEST"
