#!/usr/bin/env bash
# Installs what `pnpm test` needs beyond Node.js and npm, from Debian's packages: etcd (the etcd
# discovery and session-store tests spawn their own on loopback) and chromium (the dashboard test
# drives it headless through playwright-core, which never downloads a browser). Idempotent; run as
# root (CI does): sudo bash scripts/test-deps.sh
set -euo pipefail
cd "$(dirname "$0")"

bash ./etcd.sh

if command -v chromium >/dev/null; then
  echo "chromium present: $(chromium --version 2>/dev/null | head -n 1)"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test-deps.sh: installing chromium needs root (apt-get install chromium)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium
fi
