#!/usr/bin/env bash
# Builds the Quire image and uses it the way people will: a named volume on /data, a password,
# a post written through the form, stop and start, a deleted index, a read-only root.
# Loopback only, on ports chosen here. Cleans up its containers and volumes even when it fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${QUIRE_IMAGE:-quire-smoke}
RUN_ID="quire-smoke-$$"
VOLUME="$RUN_ID-data"
PASSWORD="smoke-test-password-$$"
WORK=$(mktemp -d)
CONTAINERS=()
CHECKS=0

cleanup() {
  for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  docker volume rm -f "$VOLUME" "$VOLUME-ro" "$VOLUME-gen" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() { CHECKS=$((CHECKS + 1)); printf '  ok %2d  %s\n' "$CHECKS" "$*"; }
fail() { printf '  FAILED  %s\n' "$*" >&2; for c in "${CONTAINERS[@]}"; do echo "--- logs of $c" >&2; docker logs "$c" >&2 2>&1 || true; done; exit 1; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# start NAME PORT VOLUME [docker run options…]: runs the image detached, as people would.
start() {
  local name=$1 port=$2 volume=$3; shift 3
  CONTAINERS+=("$name")
  docker run -d --name "$name" --network host -e PORT="$port" -e HOST=127.0.0.1 -v "$volume":/data "$@" "$IMAGE" >/dev/null
}

wait_for_http() {
  local port=$1
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

wait_for_healthy() {
  local name=$1
  for _ in $(seq 1 60); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] && return 0
    sleep 1
  done
  return 1
}

# publish PORT TITLE: signs in through the form and publishes a post; prints the post's path.
publish() {
  local port=$1 title=$2 jar="$WORK/cookies-$1" token location
  rm -f "$jar"
  token=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "password=$PASSWORD" --data-urlencode "_csrf=$token" "http://127.0.0.1:$port/login"
  token=$(curl -fsS -b "$jar" "http://127.0.0.1:$port/" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  [ -n "$token" ] || fail "sign-in did not show the post form"
  location=$(curl -sS -o /dev/null -w '%{redirect_url}' -b "$jar" \
    -F "_csrf=$token" -F "title=$title" -F $'content=Written *inside* a container.\n\n```sh\ndocker volume ls\n```' -F "tags=docker" \
    "http://127.0.0.1:$port/posts")
  echo "${location#http://127.0.0.1:$port}"
}

echo "Quire Docker smoke test ($IMAGE)"

# 1. Build.
if [ -z "${QUIRE_IMAGE:-}" ]; then
  started=$(date +%s)
  docker build --network host -t "$IMAGE" \
    --build-arg VERSION="$(node -p 'require("./package.json").version')" \
    --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg SOURCE="$(git remote get-url origin 2>/dev/null || pwd)" \
    . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "docker build"; }
  ok "image built in $(( $(date +%s) - started )) s"
fi
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
ok "image size $((size / 1024 / 1024)) MB"
[ "$(docker run --rm --network host --entrypoint node "$IMAGE" -p 'process.versions.node.split(".")[0]')" = 24 ] || fail "the image does not run Node 24"
ok "runs Node $(docker run --rm --network host --entrypoint node "$IMAGE" --version)"
docker run --rm --network host --entrypoint sh "$IMAGE" -c 'for t in gcc g++ make python3 git; do command -v $t && exit 1; done; test ! -e /app/test && test ! -e /app/.git && test ! -e /app/src && test ! -d /app/node_modules/vitest && test ! -d /app/node_modules/typescript' \
  || fail "the runtime image holds build tools, sources, tests or dev dependencies"
ok "no build tools, sources, tests, .git or dev dependencies in the runtime image"
labels=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.source"}}' "$IMAGE")
[[ "$labels" =~ ^[0-9]+\.[0-9]+\.[0-9]+\ .+ ]] || fail "OCI version/source labels missing: $labels"
ok "OCI labels: $labels"
start_period=$(docker image inspect -f '{{.Config.Healthcheck.StartPeriod}}' "$IMAGE")
[ "$start_period" = 2m0s ] || fail "HEALTHCHECK start period is $start_period, not 2m0s"
ok "failed health checks count only after 2 minutes (a first start builds the index before it listens)"

# 2. Run with a volume and a password: healthy, non-root, on PORT, a post through the form.
PORT=$(free_port)
start "$RUN_ID-1" "$PORT" "$VOLUME" -e AUTHOR_PASSWORD="$PASSWORD"
wait_for_http "$PORT" || fail "no answer on port $PORT"
ok "answers on PORT=$PORT"
wait_for_healthy "$RUN_ID-1" || fail "HEALTHCHECK never reported healthy"
ok "HEALTHCHECK reports healthy"
uid=$(docker exec "$RUN_ID-1" id -u)
[ "$uid" != 0 ] || fail "runs as root"
ok "runs as uid $uid ($(docker exec "$RUN_ID-1" id -un))"
path=$(publish "$PORT" "Hello from Docker")
[ "$path" = /posts/hello-from-docker ] || fail "publishing answered '$path'"
curl -fsS "http://127.0.0.1:$PORT$path" | grep -q '<em>inside</em>' || fail "the post page does not show the post"
ok "signed in and published $path through the form"
docker exec "$RUN_ID-1" test -f /data/posts/hello-from-docker.md || fail "no Markdown file in the volume"
ok "the volume holds /data/posts/hello-from-docker.md"

# The README's backup command: the posts, as a tarball on standard output.
docker run --rm --network host -v "$VOLUME":/data --entrypoint tar "$IMAGE" czf - -C /data posts >"$WORK/quire-backup.tgz"
tar tzf "$WORK/quire-backup.tgz" | grep -q '^posts/hello-from-docker.md$' || fail "the backup does not hold the post"
ok "the README's backup command saves the posts ($(tar tzf "$WORK/quire-backup.tgz" | grep -c '\.md$') file(s))"

# 3. docker stop (no --init): Quire handles SIGTERM as PID 1.
started=$(date +%s%N)
docker stop "$RUN_ID-1" >/dev/null
stop_ms=$(( ($(date +%s%N) - started) / 1000000 ))
[ "$stop_ms" -lt 2000 ] || fail "docker stop took $stop_ms ms"
[ "$(docker inspect -f '{{.State.ExitCode}}' "$RUN_ID-1")" = 0 ] || fail "exit code after SIGTERM was not 0"
ok "docker stop took $stop_ms ms, exit code 0"

# 4. A new container on the same volume still has the post; without the index it is rebuilt.
PORT=$(free_port)
start "$RUN_ID-2" "$PORT" "$VOLUME" -e AUTHOR_PASSWORD="$PASSWORD"
wait_for_http "$PORT" || fail "second container did not start"
curl -fsS "http://127.0.0.1:$PORT/posts/hello-from-docker" | grep -q 'Hello from Docker' || fail "post lost across containers"
ok "a new container on the same volume serves the post"
docker stop "$RUN_ID-2" >/dev/null
docker run --rm --network host -v "$VOLUME":/data --entrypoint sh "$IMAGE" -c 'rm -f /data/index/quire.sqlite /data/index/quire.sqlite-wal /data/index/quire.sqlite-shm'
PORT=$(free_port)
start "$RUN_ID-3" "$PORT" "$VOLUME" -e AUTHOR_PASSWORD="$PASSWORD"
wait_for_http "$PORT" || fail "container without an index did not start"
curl -fsS "http://127.0.0.1:$PORT/posts/hello-from-docker" | grep -q 'Hello from Docker' || fail "post not rebuilt from its file"
ok "with the index file deleted, the post is rebuilt from its file"
docker stop "$RUN_ID-3" >/dev/null

# 5. No AUTHOR_PASSWORD: the generated one is in the logs once, and nowhere in the container's files.
PORT=$(free_port)
start "$RUN_ID-gen" "$PORT" "$VOLUME-gen"
wait_for_http "$PORT" || fail "container without a password did not start"
generated=$(docker logs "$RUN_ID-gen" 2>&1 | sed -n 's/^ *\([A-Za-z0-9_-]\{24\}\) *$/\1/p' | head -1)
[ -n "$generated" ] || fail "no generated password in docker logs"
[ "$(docker logs "$RUN_ID-gen" 2>&1 | grep -c -- "$generated")" = 1 ] || fail "the password appears more than once in the logs"
PASSWORD=$generated
[ "$(publish "$PORT" "Signed in with the generated password")" = /posts/signed-in-with-the-generated-password ] || fail "the generated password does not sign in"
docker stop "$RUN_ID-gen" >/dev/null
if docker export "$RUN_ID-gen" | grep -a -q -- "$generated"; then fail "the password is written in the container's filesystem"; fi
if docker run --rm --network host -v "$VOLUME-gen":/data --entrypoint grep "$IMAGE" -r -q -- "$generated" /data; then fail "the password is written in the volume"; fi
ok "the generated password is printed once, signs in, and is stored nowhere"
PASSWORD="smoke-test-password-$$"

# 6. A read-only root filesystem, with the volume and a tmpfs for /tmp.
PORT=$(free_port)
start "$RUN_ID-ro" "$PORT" "$VOLUME-ro" --read-only --tmpfs /tmp -e AUTHOR_PASSWORD="$PASSWORD"
wait_for_http "$PORT" || fail "read-only container did not start"
[ "$(publish "$PORT" "Read only root")" = /posts/read-only-root ] || fail "publishing on a read-only root failed"
ok "a read-only root filesystem works (volume + tmpfs /tmp)"

echo "Docker smoke test: $CHECKS checks passed"
echo "$CHECKS" > "${SMOKE_COUNT_FILE:-/dev/null}"
