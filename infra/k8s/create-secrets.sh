#!/usr/bin/env bash
# Creates Postline's secrets in the cluster, with random values that never
# touch the disk or git:
#   jwt-signing-key                JWT_PRIVATE_KEY: the P-256 private key (PEM) that signs session
#                                  tokens, read by auth alone
#   jwt-public-key                 JWT_PUBLIC_KEY: its public key, with which every service verifies
#   <service>-mongo-user           password of the service's own database user (readWrite on its
#                                  database only; the operator creates the user from it, the
#                                  service's MONGO_URL carries it)
#   <service>-mongo-system-users   the Percona operator's own users of that database, as its
#                                  documentation names them: MONGODB_<ROLE>_USER and
#                                  MONGODB_<ROLE>_PASSWORD for BACKUP, CLUSTER_ADMIN,
#                                  CLUSTER_MONITOR, USER_ADMIN and DATABASE_ADMIN
#   <user>-nats-credentials        password of that NATS user: a service, the client's page
#                                  cache, or tools (the operator's postline-events); NATS reads
#                                  every one, each service and the client its own
#   auth-smtp                      SMTP_USER and SMTP_PASSWORD: auth's login at the SMTP relay,
#                                  taken from those variables of this script's environment (the
#                                  relay provider gives them); unset, random ones, which a local
#                                  cluster's Mailpit accepts. To change them, delete the Secret and
#                                  run again with the new values, then restart auth.
# One pair per database manifest in base/databases/ (the operator makes the rest itself: the
# replica set's keyfile, TLS certificates, the encryption key).
# A value that already exists is left alone (a key a Secret lacks is added): the operator made
# the users with them. To rotate, see README.md.
#
# Usage: infra/k8s/create-secrets.sh [namespace]   (default: postline; uses the current kubectl context)
#        infra/k8s/create-secrets.sh --list         (prints "secret key..." lines; used by the tests)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# The NATS users (common/src/events/permissions.ts, natsUsers; a test checks they agree).
nats_users="auth posts comments moderation query client tools"

services_with_database() {
  for file in "$here"/base/databases/*-mongo.yaml; do
    basename "$file" -mongo.yaml
  done
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# The operator's system users (role and user name), as in its deploy/secrets.yaml.
system_users=(BACKUP=backup CLUSTER_ADMIN=clusterAdmin CLUSTER_MONITOR=clusterMonitor USER_ADMIN=userAdmin DATABASE_ADMIN=databaseAdmin)

if [ "${1:-}" = --list ]; then
  echo "jwt-signing-key JWT_PRIVATE_KEY"
  echo "jwt-public-key JWT_PUBLIC_KEY"
  for service in $(services_with_database); do
    echo "$service-mongo-user password"
    printf '%s' "$service-mongo-system-users"
    for user in "${system_users[@]}"; do printf ' MONGODB_%s_USER MONGODB_%s_PASSWORD' "${user%%=*}" "${user%%=*}"; done
    echo
  done
  for user in $nats_users; do echo "$user-nats-credentials password"; done
  echo "auth-smtp SMTP_USER SMTP_PASSWORD"
  exit 0
fi

namespace="${1:-postline}"
# The namespace with its Pod Security labels (namespace.yaml), created or brought up to
# date here because skaffold never deploys it (its cleanup would delete these secrets).
sed "s/^  name: postline\$/  name: $namespace/" "$here/namespace.yaml" | kubectl apply -f -

# create_secret NAME KEY=VALUE...: creates NAME, or adds to it the keys it lacks;
# existing values are kept. The values reach kubectl through a file descriptor,
# so they never show in the process list.
create_secret() {
  local name="$1"; shift
  local existing missing=() pair
  if ! existing="$(kubectl -n "$namespace" get secret "$name" -o go-template='{{range $k, $v := .data}}{{$k}} {{end}}' 2>/dev/null)"; then
    kubectl -n "$namespace" create secret generic "$name" --from-env-file=<(printf '%s\n' "$@") --dry-run=client -o yaml |
      kubectl -n "$namespace" apply -f - >/dev/null
    echo "secret/$name created"
    return
  fi
  for pair in "$@"; do
    [[ " $existing" == *" ${pair%%=*} "* ]] || missing+=("$pair")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "secret/$name exists, kept"
    return
  fi
  kubectl -n "$namespace" patch secret "$name" --type merge --patch-file=<(
    printf '{"stringData":{'
    local separator=''
    for pair in "${missing[@]}"; do printf '%s"%s":"%s"' "$separator" "${pair%%=*}" "${pair#*=}"; separator=,; done
    printf '}}'
  ) >/dev/null
  echo "secret/$name exists, added ${missing[*]%%=*}"
}

# The token key pair, made once: both Secrets together, so the public key is always the private
# key's. The PEMs go to kubectl through file descriptors, never the disk or the process list.
if kubectl -n "$namespace" get secret jwt-signing-key >/dev/null 2>&1; then
  echo "secret/jwt-signing-key exists, kept"
else
  private_key="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)"
  kubectl -n "$namespace" create secret generic jwt-public-key \
    --from-file=JWT_PUBLIC_KEY=<(printf '%s\n' "$private_key" | openssl pkey -pubout) --dry-run=client -o yaml |
    kubectl -n "$namespace" apply -f - >/dev/null
  kubectl -n "$namespace" create secret generic jwt-signing-key \
    --from-file=JWT_PRIVATE_KEY=<(printf '%s\n' "$private_key") --dry-run=client -o yaml |
    kubectl -n "$namespace" apply -f - >/dev/null
  unset private_key
  echo "secret/jwt-signing-key and secret/jwt-public-key created"
fi
for service in $(services_with_database); do
  # Hex passwords are safe inside the mongodb:// URL the Deployments build.
  create_secret "$service-mongo-user" "password=$(random_hex 24)"
  pairs=()
  for user in "${system_users[@]}"; do
    pairs+=("MONGODB_${user%%=*}_USER=${user#*=}" "MONGODB_${user%%=*}_PASSWORD=$(random_hex 24)")
  done
  create_secret "$service-mongo-system-users" "${pairs[@]}"
done
for user in $nats_users; do
  # NATS reads them as $<USER>_NATS_PASSWORD in its configuration; changed, restart NATS and the user.
  # A letter first: nats-server parses a variable's value, and reads one that starts with a digit as a number.
  create_secret "$user-nats-credentials" "password=p$(random_hex 24)"
done
# The relay's login, from this script's environment (or random, for a local cluster's Mailpit).
create_secret auth-smtp "SMTP_USER=${SMTP_USER:-postline-$(random_hex 4)}" "SMTP_PASSWORD=${SMTP_PASSWORD:-$(random_hex 24)}"
