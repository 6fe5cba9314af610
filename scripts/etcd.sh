#!/usr/bin/env bash
# Installs etcd (Debian's etcd-server package, 3.4.x, binary /usr/bin/etcd) for the discovery-etcd
# tests and for local fleets. Idempotent: does nothing when /usr/bin/etcd already exists. Run as
# root (CI does). The tests spawn their own etcd on free loopback ports with a temporary data dir,
# so a system etcd started by the package (where systemd runs) does not get in their way.
set -euo pipefail

ETCD_BIN=/usr/bin/etcd

if [ -x "$ETCD_BIN" ]; then
  echo "etcd present: $("$ETCD_BIN" --version | head -n 1)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/etcd.sh: installing etcd needs root (apt-get install etcd-server)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# --no-install-recommends keeps it to the server binary (etcd-client is not needed).
apt-get install -y --no-install-recommends etcd-server

"$ETCD_BIN" --version | head -n 1
