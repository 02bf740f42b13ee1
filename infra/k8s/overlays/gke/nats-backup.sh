#!/bin/sh
# Backs up every JetStream stream (the event history the read models are rebuilt from) and
# uploads it to Cloud Storage; run by the nats-backup CronJob (nats-backup.yaml), one step per
# container:
#   nats-backup.sh snapshot DIR   each stream's snapshot (messages and consumers) into DIR/<stream>,
#                                 with the nats CLI, as the NATS user in NATS_USER/NATS_PASSWORD
#   nats-backup.sh upload DIR     DIR to gs://$NATS_BACKUP_BUCKET/nats/<UTC time>/ (gcloud)
# Restore: infra/k8s/README.md, "Restore the event history" (`nats stream restore DIR/<stream>`).
set -eu
step="$1" dir="$2"

case "$step" in
  snapshot)
    streams="$(nats stream ls --names)"
    [ -n "$streams" ] || { echo "no streams to back up" >&2; exit 1; }
    for stream in $streams; do
      # A snapshot is consistent for its stream; the server pauses nothing to make it.
      nats stream backup "$stream" "$dir/$stream" --no-progress
      echo "backed up $stream"
    done
    ;;
  upload)
    target="gs://$NATS_BACKUP_BUCKET/nats/$(date -u +%Y%m%dT%H%M%SZ)"
    gcloud storage cp --recursive "$dir"/* "$target/"
    echo "uploaded to $target"
    ;;
  *)
    echo "usage: nats-backup.sh snapshot|upload DIR" >&2
    exit 2
    ;;
esac
