#!/usr/bin/env bash
# Installs the tools the Kubernetes tests need (infra/src/k8s), skipping what is
# already there: kustomize (renders the overlays exactly as `kubectl apply -k`
# and skaffold would), actionlint (checks the GitHub workflows) and promtool
# (Prometheus's own check of the alert rules' and dashboard's PromQL), amtool
# (Alertmanager's own check of where the alerts go); gitleaks for the secret scan
# of the repository (infra/src/secret-scan); and the NATS CLI, with which the
# stream backup script runs (nats-backup.test.ts). All are
# built from the Go module proxy at pinned versions into .postline/bin, so a
# fresh CI machine gets the same binaries as a developer's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/.postline/bin"
mkdir -p "$bin"

KUSTOMIZE_VERSION=v5.8.1
ACTIONLINT_VERSION=v1.7.12
# Prometheus 3's Go module versions (v0.3xx.y for 3.xx.y); the first build takes a few minutes.
PROMTOOL_VERSION=v0.316.0
GITLEAKS_VERSION=v8.30.1
# The version of Managed Service for Prometheus's managed Alertmanager (its manifests: alertmanager:v0.27.0-gmp).
AMTOOL_VERSION=v0.27.0
# The NATS CLI of the nats-box image the stream backup Job runs (natsio/nats-box:0.19.5).
NATSCLI_VERSION=v0.4.0

say() { printf '[setup] %s\n' "$*"; }

# go_install NAME MODULE VERSION: builds MODULE@VERSION unless NAME at VERSION is there.
go_install() {
  local name="$1" module="$2" version="$3" stamp="$bin/.$1.version"
  if [ -x "$bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return; fi
  command -v go >/dev/null || { say "Go is needed to build $name (https://go.dev/dl)"; exit 1; }
  say "building $name $version from the Go module proxy (first time: a minute or two)"
  GOBIN="$bin" GOFLAGS=-trimpath go install "$module@$version"
  echo "$version" > "$stamp"
}

go_install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
go_install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
go_install promtool github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION"
go_install gitleaks github.com/zricethezav/gitleaks/v8 "$GITLEAKS_VERSION"
go_install amtool github.com/prometheus/alertmanager/cmd/amtool "$AMTOOL_VERSION"
go_install nats github.com/nats-io/natscli/nats "$NATSCLI_VERSION"
