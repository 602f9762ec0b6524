#!/usr/bin/env bash
# Builds the demo image with no base image and no registry: FROM scratch with the
# host's node binary, the shared libraries it links (as ldd lists them) and the app.
# Idempotent: the image carries a hash of its inputs and is rebuilt only when they change.
# VERSION is what the app's whoami reports (APP_VERSION): `VERSION=2 IMAGE=docker-symphony-demo:v2`
# builds a second tag to deploy over the first.
set -euo pipefail

IMAGE=${IMAGE:-docker-symphony-demo:latest}
VERSION=${VERSION:-1}
case "$VERSION" in *[!A-Za-z0-9._-]* | '') echo "build-image: VERSION must be letters, digits, . _ -" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
app="$here/fixtures/demo-app"
node_bin=$(readlink -f "$(command -v node)")
docker_bin=$(command -v docker)

libs=$(ldd "$node_bin" | awk '/=>/ { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' | grep '^/' | sort -u)
hash=$( { echo "version $VERSION"; sha256sum "$node_bin" "$app"/*.js; for l in $libs; do sha256sum "$(readlink -f "$l")"; done; } | sha256sum | cut -c1-16)

current=$("$docker_bin" image inspect -f '{{ index .Config.Labels "docker-symphony.inputs" }}' "$IMAGE" 2>/dev/null || true)
if [ "$current" = "$hash" ]; then
  echo "build-image: $IMAGE is up to date ($hash)" >&2
  exit 0
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/usr/local/bin" "$ctx/app" "$ctx/tmp"
cp "$node_bin" "$ctx/usr/local/bin/node"
for lib in $libs; do
  mkdir -p "$ctx$(dirname "$lib")"
  cp -L "$lib" "$ctx$lib"
done
cp "$app"/*.js "$ctx/app/"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY . /
ENV PORT=80 NODE_ENV=production APP_VERSION=$VERSION
EXPOSE 80
LABEL docker-symphony.inputs="$hash"
ENTRYPOINT ["/usr/local/bin/node", "/app/server.js"]
DOCKERFILE
printf 'Dockerfile\n' >"$ctx/.dockerignore"
echo "build-image: building $IMAGE from scratch (node $("$node_bin" --version), $(echo "$libs" | wc -w) libraries)" >&2
DOCKER_BUILDKIT=0 "$docker_bin" build -q -t "$IMAGE" "$ctx" >/dev/null 2>"$ctx.err" || { cat "$ctx.err" >&2; rm -f "$ctx.err"; exit 1; }
rm -f "$ctx.err"
echo "build-image: built $IMAGE (version $VERSION, $hash)" >&2
