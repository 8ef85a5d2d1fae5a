#!/usr/bin/env bash
# The Layers lesson's docker commands as one plain script, on the same kind of private engine that
# `lesson` starts (own dockerd, roots and socket, in its own network namespace): the floor that
# `npm run lesson layers` is measured against. Prints phase times (seconds) on stderr.
# Usage: layers-plain.sh BASE_IMAGE_TAR
set -euo pipefail
base_tar=$1
root=$(mktemp -d /tmp/bench-plain-XXXXXX)
sock=$root/docker.sock
export DOCKER_HOST=unix://$sock PATH=$PATH:/usr/sbin:/sbin
now() { date +%s.%N; }
started=$(now)

teardown() {
  docker rm -f $(docker ps -aq) >/dev/null 2>&1 || true
  pkill -KILL -f -- "$root/" 2>/dev/null || true
  sleep 0.05
  grep -o " $root[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$root"
}
trap teardown EXIT

echo "{\"deprecated-key-path\":\"$root/key.json\"}" > "$root/daemon.json"
unshare --net -- sh -c 'ip link set lo up && exec dockerd "$@"' sh \
  --config-file "$root/daemon.json" --data-root "$root/data" --exec-root "$root/exec" \
  --pidfile "$root/dockerd.pid" --host "unix://$sock" > "$root/dockerd.log" 2>&1 &
disown
until curl -sf --unix-socket "$sock" http://engine/_ping >/dev/null 2>&1; do sleep 0.01; done
engine=$(now)

docker load --quiet --input "$base_tar" >/dev/null
docker tag "$(docker images -q | head -n1)" alpine:latest 2>/dev/null || true
base=$(now)

mkdir "$root/work" && cd "$root/work"
printf 'FROM alpine\nRUN touch /test\n' > Dockerfile.base
printf 'FROM alpine\nRUN touch /test\nRUN touch /autre-fichier\n' > Dockerfile
{
  docker build -t revollat/layers1 -f Dockerfile.base .
  docker build -t revollat/layers2 -f Dockerfile .
  docker image history revollat/layers1 && docker image history revollat/layers2
  # No terminal here: the closest plain equivalent of typing in `docker run -it` and detaching.
  docker run -dit revollat/layers2 >/dev/null
  docker exec "$(docker container ls -lq)" sh -c "echo \"Ceci n'est pas un test\" > /autre-fichier"
  docker container diff $(docker container ls -lq)
  docker container commit $(docker container ls -lq) revollat/layers3
  docker image history revollat/layers2 && docker image history revollat/layers3
  docker image inspect revollat/layers1 | jq
} > "$root/output.txt" 2>&1
steps=$(now)

awk -v s="$started" -v e="$engine" -v b="$base" -v t="$steps" 'BEGIN { printf "engine %.3f base %.3f steps %.3f\n", e - s, b - e, t - b }' >&2
