#!/usr/bin/env bash
# Installs Debian's tinyproxy for the proxy tests (issue 22, item 10), once (idempotent; needs root or sudo).
set -euo pipefail
if command -v tinyproxy >/dev/null 2>&1 || [ -x /usr/bin/tinyproxy ] || [ -x /usr/sbin/tinyproxy ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends tinyproxy >/dev/null
# The package's service is not wanted: the tests start their own instance on 127.0.0.1.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now tinyproxy >/dev/null 2>&1 || true; fi
$SUDO service tinyproxy stop >/dev/null 2>&1 || true
ls -l "$(command -v tinyproxy || echo /usr/bin/tinyproxy)"
