# Quire: build with the dev dependencies, ship only what runs.

# --- build: compile better-sqlite3 and the TypeScript ---------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# No install scripts but better-sqlite3's own build: dev tools' downloaders (vnu-jar fetches a
# Java runtime) have no business in an image build.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Then drop what only the build needed: dev dependencies, and better-sqlite3's sources and
# object files (its compiled addon is all it loads).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/sqlite3.a build/Release/test_extension.node

# --- runtime: Node 24, production dependencies, no build tools --------------------------------
FROM node:24-bookworm-slim
# Set by the build (see README): the release, the commit and where its source lives.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="Quire" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.description="A self-hosted, server-rendered blog for technical writers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}"
# MALLOC_ARENA_MAX: see src/launch.ts (a first start on 100,000 posts peaks 10-20 MB lower).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    POSTS_DIR=/data/posts \
    DATABASE_PATH=/data/index/quire.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
COPY migrations ./migrations
# One volume holds the posts and the index; it belongs to the unprivileged user that runs Quire.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# The slim image has no curl: ask the health endpoint with Node's own fetch. A first start on a
# folder of posts answers 503 "starting" while it builds the index (~75 s for 100,000 posts, more
# on a slow machine): failed checks meanwhile do not count, so an orchestrator does not restart
# it midway; the first check that passes makes it healthy, however soon.
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1 and handles SIGTERM (server.ts), so `docker stop` is quick without --init.
# The flags of `npm start` (see src/launch.ts); its environment is in ENV above.
CMD ["node", "--max-semi-space-size=2", "dist/src/server.js"]
