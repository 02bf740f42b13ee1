#!/usr/bin/env bash
# Creates Postline's secrets in the cluster, with random values that never
# touch the disk or git:
#   jwt                          JWT_KEY (64 hex chars), shared by every service
#   <service>-mongo-credentials  username, password of that service's MongoDB
# One credentials Secret per database manifest in base/databases/.
# A Secret that already exists is left alone: MongoDB reads its credentials
# only when its volume is first initialised, so replacing them would lock the
# service out. To rotate, see README.md.
#
# Usage: infra/k8s/create-secrets.sh [namespace]   (default: postline; uses the current kubectl context)
#        infra/k8s/create-secrets.sh --list         (prints "secret key..." lines; used by the tests)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

services_with_database() {
  for file in "$here"/base/databases/*-mongo.yaml; do
    basename "$file" -mongo.yaml
  done
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

if [ "${1:-}" = --list ]; then
  echo "jwt JWT_KEY"
  for service in $(services_with_database); do echo "$service-mongo-credentials username password"; done
  exit 0
fi

namespace="${1:-postline}"
kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"

# create_secret NAME KEY=VALUE...: creates NAME unless it exists. The values reach
# kubectl through a file descriptor, so they never show in the process list.
create_secret() {
  local name="$1"; shift
  if kubectl -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    echo "secret/$name exists, kept"
    return
  fi
  kubectl -n "$namespace" create secret generic "$name" --from-env-file=<(printf '%s\n' "$@") --dry-run=client -o yaml |
    kubectl -n "$namespace" apply -f - >/dev/null
  echo "secret/$name created"
}

create_secret jwt "JWT_KEY=$(random_hex 32)"
for service in $(services_with_database); do
  # Hex passwords are safe inside the mongodb:// URL the Deployments build.
  create_secret "$service-mongo-credentials" "username=$service" "password=$(random_hex 24)"
done
