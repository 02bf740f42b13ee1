#!/usr/bin/env bash
# One service database's backup, in two steps that its <service>-mongo-backup
# CronJob (backups.yaml) runs one after the other in one pod, sharing $BACKUP_DIR:
#   mongo-backup.sh dump    (mongo image) mongodump of DATABASE, read from a
#                           secondary of DATABASE-mongo, to BACKUP_DIR/<UTC time>.archive.gz
#   mongo-backup.sh upload  (gcloud image) copies that archive to
#                           gs://BACKUP_BUCKET/DATABASE-mongo/<UTC time>.archive.gz
# The name sorts by time: infra/k8s/restore.sh takes the last one by default.
set -euo pipefail
: "${DATABASE:?DATABASE (the service whose database this is) is required}"
backup_dir="${BACKUP_DIR:-/backup}"

case "${1:-}" in
  dump)
    : "${MONGO_USER:?}" "${MONGO_PASSWORD:?}"
    # The password reaches mongodump through a file, never its command line.
    config="$(mktemp)"
    trap 'rm -f "$config"' EXIT
    printf 'password: "%s"\n' "$MONGO_PASSWORD" > "$config"
    archive="$backup_dir/$(date -u +%Y%m%dT%H%M%SZ).archive.gz"
    mongodump --config="$config" --username="$MONGO_USER" --authenticationDatabase=admin \
      --uri="mongodb://$DATABASE-mongo:27017/?replicaSet=$DATABASE-mongo&readPreference=secondaryPreferred" \
      --db="$DATABASE" --gzip --archive="$archive"
    echo "dumped $DATABASE to $archive ($(wc -c < "$archive") bytes)"
    ;;
  upload)
    : "${BACKUP_BUCKET:?}"
    shopt -s nullglob
    archives=("$backup_dir"/*.archive.gz)
    if [ "${#archives[@]}" -ne 1 ]; then
      echo "expected one archive in $backup_dir, found ${#archives[@]}" >&2
      exit 1
    fi
    gcloud storage cp "${archives[0]}" "gs://$BACKUP_BUCKET/$DATABASE-mongo/$(basename "${archives[0]}")"
    ;;
  *)
    echo "usage: mongo-backup.sh dump|upload" >&2
    exit 2
    ;;
esac
