#!/usr/bin/env bash
# Installs what lessons and their tests need on Debian/Ubuntu, and only what is missing, so it is safe to
# run again. It starts no daemon: every lesson run starts a private Docker engine of its own.
set -euo pipefail

# --with-browser: also Debian's chromium, for the HTML report's browser test (CI passes it; a quick start does not).
# --check: install nothing; print the missing packages, one line, and exit 1 when there are some.
with_browser=0
check=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=1 ;;
    --check) check=1 ;;
    *) echo "setup: unknown option $arg (known: --with-browser, --check)" >&2; exit 2 ;;
  esac
done

have() {
  # sbin is not on every user's PATH, but that is where dockerd and ip live.
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

# Images have no libc for a dynamically linked busybox (Debian's `busybox` package); ldd fails on static binaries.
static_busybox() {
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1
}

missing=()
have dockerd || missing+=(docker.io)
static_busybox || missing+=(busybox-static)
have jq || missing+=(jq)
have ip || missing+=(iproute2)
have unshare || missing+=(util-linux)
# Debian ships mount/umount in their own package, split from util-linux.
have umount || missing+=(mount)
# The tests that prove plan, lint and new start no program watch them with it.
have strace || missing+=(strace)
# The locale tests compile a French locale of their own from its source.
[ -e /usr/share/i18n/locales/fr_FR ] || missing+=(locales)
# The registry lesson builds its registry image from this package's binary; the image cache runs it too.
have docker-registry || missing+=(docker-registry)
# The image cache's relay into each private engine's namespace, and the tests' way to seed their upstream.
have socat || missing+=(socat)
have skopeo || missing+=(skopeo)
# A lesson with `network: outbound` reaches the outside through it (src/run/outbound.ts).
have slirp4netns || missing+=(slirp4netns)
# The tests' upstream registry that asks for a password trusts tokens signed with a certificate made by openssl.
have openssl || missing+=(openssl)
# The steps of a lesson run inside bubblewrap: the host read-only, the run's folder writable (src/run/sandbox.ts).
have bwrap || missing+=(bubblewrap)
# flock and nsenter share a package with unshare on Debian, but not on every derivative.
have flock || missing+=(util-linux)
# A user who is not root gets a rootless private engine (src/run/rootless-engine.ts): docker.io's
# dockerd-rootless.sh runs dockerd under rootlesskit, which maps the user's subordinate ids with
# newuidmap and newgidmap. It needs no network out, so neither slirp4netns nor /dev/net/tun.
have rootlesskit || missing+=(rootlesskit)
have newuidmap || missing+=(uidmap)
# Compose lessons run the `docker compose` plugin (v2) where the machine has one, else Debian's
# docker-compose 1.29. (1.29 breaks on engines 25 and later when it recreates containers: a run never
# pairs them, see src/run/compose.ts.)
compose() {
  docker compose version >/dev/null 2>&1 || have docker-compose
}
compose || missing+=(docker-compose)
browser() {
  [ "$with_browser" -eq 0 ] || [ -x /usr/bin/chromium ]
}
browser || missing+=(chromium)

if [ "$check" -eq 1 ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "${missing[*]}"
  exit 1
fi

# Run through sudo, say what the user who asked still needs for rootless engines: their own subordinate ids.
subids_hint() {
  local user=${SUDO_USER:-}
  [ -n "$user" ] && [ "$user" != root ] || return 0
  if ! grep -q "^$user:" /etc/subuid 2>/dev/null || ! grep -q "^$user:" /etc/subgid 2>/dev/null; then
    local start
    start=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'BEGIN { e = 100000 } NF == 3 && $2 + $3 > e { e = $2 + $3 } END { print e }')
    echo "setup: $user has no subordinate ids, which lessons run without root need: sudo usermod --add-subuids $start-$((start + 65535)) --add-subgids $start-$((start + 65535)) $user"
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: nothing to install"
  subids_hint
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${missing[*]}, and this script only knows apt-get (Debian/Ubuntu)" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: run as root to install ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi

# docker.io's install scripts would start dockerd; policy-rc.d answering 101 is Debian's way to forbid
# starting services. Only a policy we created ourselves is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "setup: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

have dockerd && static_busybox && have jq && have ip && have unshare && have umount && have strace && [ -e /usr/share/i18n/locales/fr_FR ] && have docker-registry && have socat && have skopeo && have slirp4netns && have openssl && have flock && have bwrap && have rootlesskit && have newuidmap && compose && browser || {
  echo "setup: something is still missing after apt-get install ${missing[*]}" >&2
  exit 1
}
subids_hint
echo "setup: done"
