# Quire: build with the dev dependencies, ship only what runs.

# --- build: compile better-sqlite3 and the TypeScript ---------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: Node 24, production dependencies, no build tools --------------------------------
FROM node:24-bookworm-slim
ARG VERSION=0.1.0
ARG SOURCE=https://example.invalid/quire
LABEL org.opencontainers.image.title="Quire" \
      org.opencontainers.image.description="A self-hosted, server-rendered blog for technical writers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
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
# The slim image has no curl: ask the health endpoint with Node's own fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1 and handles SIGTERM (server.ts), so `docker stop` is quick without --init.
CMD ["node", "dist/src/server.js"]
