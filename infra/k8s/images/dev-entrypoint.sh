#!/bin/sh
# `skaffold dev` entrypoint (the `dev` stage of the images). The root filesystem
# is read-only, so the sources are copied to /tmp/app (an emptyDir, sized for
# this by overlays/dev) where
# skaffold syncs changed files; tsc/next recompile there and node restarts.
# Changes outside $SERVICE/src (package.json, common) make skaffold rebuild the
# image instead.
set -eu
rm -rf /tmp/app && mkdir -p /tmp/app
# Not the client's production build (.next, some 70 MB): `next dev` makes its own.
tar -cf - --exclude="./$SERVICE/.next" ./package.json ./tsconfig*.json ./common "./$SERVICE" | tar -xf - -C /tmp/app
# Dependencies stay in the image; workspace links resolve to /app/common.
ln -s /app/node_modules /tmp/app/node_modules
cd /tmp/app
if [ "$SERVICE" = client ]; then
  # Turbopack compiles nothing outside its root (client/next.config.ts: the repository's, /tmp/app
  # here), and node_modules is a link to /app/node_modules: the root must take in both.
  NEXT_ROOT=/ exec node node_modules/next/dist/bin/next dev client --port "$PORT"
fi
node node_modules/typescript/bin/tsc -b "$SERVICE" --watch --preserveWatchOutput &
exec node --watch "$SERVICE/dist/index.js"
