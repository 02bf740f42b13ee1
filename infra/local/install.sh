#!/usr/bin/env bash
# Installs what Postline needs on this machine, skipping what is already there:
# npm dependencies, Debian's nats-server and nginx, Java 17 and Maven, the local
# MongoDB (mongo-java-server behind our launcher in infra/local/mongo, built
# with Maven from Maven Central), and Mailpit, the local SMTP server with a web inbox (built
# with Go from the Go module proxy).
# With --tests (`npm test`) it also installs Debian's chromium for the browser tests, kustomize,
# actionlint and promtool for the Kubernetes tests, and gitleaks for the secret scan (built from
# the Go module proxy); POSTLINE_BROWSER=1 asks for chromium without the rest.
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

# 2b. nginx, the local gateway (Debian's; the proxy ingress-nginx runs). Debian puts it in
#     /usr/sbin, which is not on every user's PATH, so look there too (the gateway does the same).
if [ -z "${NGINX_BIN:-}" ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "installing nginx from Debian"
  apt_install nginx
  # The package starts a system-wide nginx on port 80; Postline runs its own, so turn that one off.
  if [ -d /run/systemd/system ]; then as_root systemctl disable --now nginx >/dev/null 2>&1 || true; fi
fi

# 3. The local MongoDB: Java 17 and Maven from Debian where missing, and our launcher built
#    into one jar whenever its sources changed.
if ! command -v java >/dev/null || ! java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)'; then
  say "installing Java 17 from Debian"
  apt_install openjdk-17-jre-headless
fi
if ! command -v mvn >/dev/null; then
  say "installing Maven from Debian"
  apt_install maven
fi
mongo_src="$root/infra/local/mongo"
mongo_sum="$(find "$mongo_src/pom.xml" "$mongo_src/src" -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)"
if [ ! -f "$state/bin/local-mongo.jar" ] || [ "$(cat "$state/local-mongo.sum" 2>/dev/null)" != "$mongo_sum" ]; then
  say "building the local MongoDB (mongo-java-server; first time: under a minute)"
  build="$state/build/local-mongo"
  mvn -q -B -f "$mongo_src/pom.xml" package -Dlocal.build.dir="$build"
  cp "$build/local-mongo.jar" "$state/bin/local-mongo.jar"
  echo "$mongo_sum" > "$state/local-mongo.sum"
fi

# 3b. Mailpit, the SMTP server auth sends mail to under `npm start` and in the tests (its web inbox
#     and HTTP API show what was sent), pinned and built from the Go module proxy.
MAILPIT_VERSION=v1.33.1
if [ -z "${MAILPIT_BIN:-}" ] && { [ ! -x "$state/bin/mailpit" ] || [ "$(cat "$state/bin/.mailpit.version" 2>/dev/null)" != "$MAILPIT_VERSION" ]; }; then
  command -v go >/dev/null || { say "Go is needed to build Mailpit (https://go.dev/dl)"; exit 1; }
  say "building Mailpit $MAILPIT_VERSION from the Go module proxy (first time: a few minutes)"
  GOBIN="$state/bin" GOFLAGS=-trimpath go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
  echo "$MAILPIT_VERSION" > "$state/bin/.mailpit.version"
fi

# 4. Chromium for the browser tests: for `npm test` (--tests), or when asked (POSTLINE_BROWSER=1).
if { [ "${1:-}" = --tests ] || [ "${POSTLINE_BROWSER:-0}" = 1 ]; } && ! command -v chromium >/dev/null; then
  say "installing chromium from Debian"
  apt_install chromium
fi

# 5. kustomize, actionlint and promtool for the Kubernetes tests (infra/src/k8s) and gitleaks for
#    the secret scan (infra/src/secret-scan), only for the tests.
if [ "${1:-}" = --tests ]; then
  bash "$root/infra/k8s/install-tools.sh"
fi
