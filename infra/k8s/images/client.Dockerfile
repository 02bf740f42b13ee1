# syntax=docker/dockerfile:1
# The Next.js client's image, built from the repository root like the services
# (the client may import the `common` workspace). The stages up to `deps` and
# `prod-deps` are identical to service.Dockerfile's, and a test keeps them so.
#
# Keep RUN steps relative to WORKDIR and CMD in exec form: the test
# infra/src/k8s/image-rehearsal.test.ts replays this file step by step outside
# Docker and rejects instructions it cannot replay faithfully.

ARG NODE_IMAGE=node:22.20.0-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# Just the package manifests, so the dependency layers below are rebuilt only
# when a package.json or the lock file changes, not on every source edit.
FROM base AS manifests
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

# `npm ci` is what we would use, but npm 11 rejects this lock file (optional
# platform packages missing from it); `npm install` with the lock file present
# installs exactly the locked versions. Same command as infra/local/install.sh.
FROM base AS deps
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund --prefer-offline --loglevel=error

FROM deps AS build
ARG SERVICE=client
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
# next's build cache is only useful to the next build, not to the image.
RUN npm run build -w @postline/common -w "@postline/${SERVICE}" && npx tsc -b "${SERVICE}/server" && rm -rf "${SERVICE}/.next/cache"

# Production dependencies of all workspaces: the same layer in every service
# image, so a registry and a node store it once.
FROM base AS prod-deps
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error

# `skaffold dev` builds this stage (see skaffold.yaml, profile `sync`): `next
# dev` serves the source files skaffold syncs into /tmp/app, the only writable
# place under a read-only root filesystem.
FROM build AS dev
ARG SERVICE=client
ENV SERVICE=${SERVICE} NODE_ENV=development PORT=3000
USER 1000:1000
CMD ["sh", "infra/k8s/images/dev-entrypoint.sh"]

FROM base AS runtime
ARG SERVICE=client
# The V8 young generation as locally (infra/src/local/local-services.ts): less resident memory.
ENV SERVICE=${SERVICE} NODE_ENV=production PORT=3000 NODE_OPTIONS=--max-semi-space-size=2 NEXT_TELEMETRY_DISABLED=1
COPY --from=prod-deps /app ./
COPY --from=build /app/common/dist common/dist
# The whole app folder: .next, public/ and next.config.* are read by Next.js, dist/server is the
# client's server (Next.js behind the page cache, client/server/main.ts).
COPY --from=build /app/${SERVICE} ${SERVICE}
# The `node` user of the base image, numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
# next writes its image and ISR cache under .next/cache: the Deployment mounts an emptyDir there.
# Run from the app folder, as `npm start` does: the metrics read the build's route patterns from
# ./.next (client/src/server-observability.ts).
CMD ["sh", "-c", "cd \"$SERVICE\" && exec node dist/server/main.js"]
