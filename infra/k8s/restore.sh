#!/usr/bin/env bash
# Restores one service's database on GKE from a nightly backup (written by
# overlays/gke/mongo-backup.sh to gs://BACKUP_BUCKET/<service>-mongo/<UTC time>.archive.gz):
#   1. stops the service (scales its Deployment to 0; its autoscaler waits while it is 0),
#      so nothing writes while the collections are replaced;
#   2. streams the archive from Cloud Storage into mongorestore on the replica
#      set's primary, dropping each collection before restoring it;
#   3. starts the service again with the replicas it had.
# The database goes back to the time of the backup; see infra/k8s/README.md
# ("Backups and restore") for what that means for the events published since.
#
# Usage: infra/k8s/restore.sh [--dry-run] [--namespace NS] [--bucket BUCKET] SERVICE [BACKUP]
#   SERVICE   auth, posts, comments, moderation or query (a file in base/databases/)
#   BACKUP    the archive's name, e.g. 20261124T030000Z.archive.gz (default: the newest)
#   --bucket  default: BACKUP_BUCKET in overlays/gke/backup.env
#   --dry-run looks everything up, prints the commands that would change something, runs none
# Uses gcloud and the current kubectl context.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

usage() {
  sed -n 's/^# \{0,1\}//; /^Usage:/,/^Uses/p' "$0" >&2
  exit 2
}

dry_run=false
namespace=postline
bucket="$(sed -n 's/^BACKUP_BUCKET=//p' "$here/overlays/gke/backup.env")"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --namespace) namespace="${2:?}"; shift ;;
    --bucket) bucket="${2:?}"; shift ;;
    -*) usage ;;
    *) break ;;
  esac
  shift
done
[ $# -ge 1 ] && [ $# -le 2 ] || usage
service="$1"
database="$service-mongo"
[ -f "$here/base/databases/$database.yaml" ] || { echo "no database for service '$service' in base/databases/" >&2; exit 2; }

say() { printf '[restore] %s\n' "$*" >&2; }
# change CMD...: runs a command that changes the cluster, or only prints it on --dry-run.
change() {
  if $dry_run; then
    printf 'would run: %s\n' "$*"
  else
    say "$*"
    "$@"
  fi
}

prefix="gs://$bucket/$database/"
if [ $# -eq 2 ]; then
  archive="$prefix$2"
else
  # The names are UTC times, so the last in order is the newest.
  archive="$(gcloud storage ls "$prefix" | grep '\.archive\.gz$' | sort | tail -n 1 || true)"
  [ -n "$archive" ] || { echo "no backup under $prefix" >&2; exit 1; }
fi
say "backup: $archive"

# The member that is primary now: any member's hello names it (host = <pod>.<service>:27017).
primary=''
for pod in $(kubectl -n "$namespace" get pods -l "app=$database" -o jsonpath='{.items[*].metadata.name}'); do
  primary="$(kubectl -n "$namespace" exec "$pod" -c mongo -- mongosh --quiet --norc --eval 'db.hello().primary' 2>/dev/null || true)"
  [ -n "$primary" ] && break
done
[ -n "$primary" ] || { echo "no member of $database names a primary" >&2; exit 1; }
primary_pod="${primary%%.*}"
say "primary: $primary_pod"

replicas="$(kubectl -n "$namespace" get deployment "$service" -o jsonpath='{.spec.replicas}')"
say "$service runs $replicas replica(s)"

change kubectl -n "$namespace" scale deployment "$service" --replicas=0
if $dry_run; then
  echo "would wait until no pod of $service is left"
else
  for _ in $(seq 60); do
    [ -z "$(kubectl -n "$namespace" get pods -l "app=$service" -o name)" ] && break
    sleep 2
  done
  [ -z "$(kubectl -n "$namespace" get pods -l "app=$service" -o name)" ] || { echo "$service pods still running after 2 minutes" >&2; exit 1; }
fi

# Inside the pod, the root credentials come from its own environment and reach
# mongorestore through a file, so they never leave the pod or show in a process list.
restore_in_pod='umask 077
printf "password: \"%s\"\n" "$MONGO_INITDB_ROOT_PASSWORD" > /tmp/restore.yaml
trap "rm -f /tmp/restore.yaml" EXIT
mongorestore --config=/tmp/restore.yaml --username="$MONGO_INITDB_ROOT_USERNAME" --authenticationDatabase=admin \
  --archive --gzip --drop --nsInclude="$0.*"'
if $dry_run; then
  printf 'would run: gcloud storage cat %s | kubectl -n %s exec -i %s -c mongo -- mongorestore --archive --gzip --drop --nsInclude=%s.*\n' \
    "$archive" "$namespace" "$primary_pod" "$service"
else
  say "restoring $archive into $primary_pod"
  if ! gcloud storage cat "$archive" |
    kubectl -n "$namespace" exec -i "$primary_pod" -c mongo -- bash -c "$restore_in_pod" "$service"; then
    echo "the restore failed; $service is left stopped. Rerun this script, or start $service without restoring:" >&2
    echo "  kubectl -n $namespace scale deployment $service --replicas=$replicas" >&2
    exit 1
  fi
fi

change kubectl -n "$namespace" scale deployment "$service" --replicas="$replicas"
say "done"
