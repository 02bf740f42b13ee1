#!/usr/bin/env bash
# Installs what Postline needs on this machine, skipping what is already there:
# npm dependencies, Debian's nats-server, FerretDB (built from the Go module
# proxy at the version pinned in infra/local/ferretdb/go.mod).
# With POSTLINE_BROWSER=1 it also installs Debian's chromium for browser tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
state="$root/.postline"
mkdir -p "$state/bin"

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; exit 1
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. npm dependencies, again whenever the lock file changed.
lock_sum="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ ! -d "$root/node_modules" ] || [ "$(cat "$state/npm.sum" 2>/dev/null)" != "$lock_sum" ]; then
  say "installing npm dependencies"
  # `npm ci` trips over optional platform packages missing from lock files (an npm 11 bug), so
  # `npm install`, which still installs exactly the locked versions.
  (cd "$root" && npm install --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$state/npm.sum"
fi

# 2. nats-server (Debian's 2.9.x; the platform uses only 2.9 JetStream features).
if [ -z "${NATS_SERVER_BIN:-}" ] && ! command -v nats-server >/dev/null; then
  say "installing nats-server from Debian"
  apt_install nats-server
fi

# 3. FerretDB, rebuilt whenever its pinned module or our wrapper changed.
ferret_src="$root/infra/local/ferretdb"
ferret_sum="$(cat "$ferret_src/go.mod" "$ferret_src/go.sum" "$ferret_src/main.go" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$state/bin/ferretdb" ] || [ "$(cat "$state/ferretdb.sum" 2>/dev/null)" != "$ferret_sum" ]; then
  command -v go >/dev/null || { say "Go is needed to build FerretDB (https://go.dev/dl)"; exit 1; }
  say "building FerretDB $(grep 'FerretDB/FerretDB ' "$ferret_src/go.mod" | awk '{print $NF}') (first time: about a minute)"
  (cd "$ferret_src" && go build -trimpath -o "$state/bin/ferretdb" .)
  echo "$ferret_sum" > "$state/ferretdb.sum"
fi

# 4. Chromium for browser tests, only when asked.
if [ "${POSTLINE_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then
  say "installing chromium from Debian"
  apt_install chromium
fi

# 5. kustomize and actionlint for the Kubernetes tests (infra/src/k8s).
bash "$root/infra/k8s/install-tools.sh"
