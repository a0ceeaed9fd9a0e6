#!/usr/bin/env bash
# Installs what the code-task sandbox needs, once (idempotent; needs root or sudo):
# Debian's bubblewrap (issue 14) and libseccomp2, the library that builds the sandbox's seccomp
# filter (issue 24; systemd and apt already depend on it, so it is nearly always there).
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2 ' || missing+=(libseccomp2)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bwrap --version
