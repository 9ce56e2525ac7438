#!/usr/bin/env bash
# Installs what a fluxnode host needs beyond Node.js, from Debian's own packages:
#   docker.io        dockerd + containerd + runc + docker-proxy + docker-init (each node runs its own dockerd)
#   docker-registry  the OCI registry app images are pushed to and pulled from
#   busybox-static   a self-contained binary the sample app image is built from (FROM scratch, no pulls)
#   iproute2         `ip`, used to create one bridge per dockerd
#   iptables         the engines of a namespaced devnet filter traffic between app networks
#   prometheus       scrapes every node's /metrics for `devnet up --monitor`
#   syncthing        replicates app data (containerData s:/r:/g:) between the nodes running an app
#   haproxy          the routing mesh: each fluxnode runs one (its own child, its own config) on the app ports
#   wrk              the HTTP load generator of the mesh benchmark (`npm run bench`)
#   e2fsprogs        mkfs.ext4: each app component's data is an ext4 file of its `hdd` size, loop-mounted
# It also makes sure the user the engines remap containers to (`dockremap`, dockerd's
# --userns-remap=default) exists with subordinate uid and gid ranges in /etc/subuid and /etc/subgid.
# Safe to run again: it installs only what is missing and never starts a service.
set -euo pipefail

missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
have_pkg() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

have_cmd dockerd || missing+=(docker.io)
have_cmd docker-registry || missing+=(docker-registry)
# The dynamically linked `busybox` package would not run inside an empty image: we need the static one.
have_pkg busybox-static || missing+=(busybox-static)
have_cmd ip || missing+=(iproute2)
have_cmd iptables || missing+=(iptables)
# chromium: the headless browser the dashboard test drives through playwright-core.
have_cmd chromium || missing+=(chromium)
# prometheus: `devnet up --monitor` runs one to scrape every node's /metrics.
have_cmd prometheus || missing+=(prometheus)
# syncthing: each fluxnode runs one to replicate app data among an app's instances.
have_cmd syncthing || missing+=(syncthing)
# haproxy: every fluxnode's routing mesh. Its package ships a system service that policy-rc.d keeps off.
have_cmd haproxy || missing+=(haproxy)
# wrk: drives the mesh benchmark (requests/s and p99 through the mesh against the container itself).
have_cmd wrk || missing+=(wrk)
# e2fsprogs: mkfs.ext4 makes the size-limited data volumes that enforce an app's `hdd` (mount and
# losetup, from util-linux/mount, are on every Debian system).
have_cmd mkfs.ext4 || missing+=(e2fsprogs)

# Containers run as the subordinate ids of this user: root in a container is not root on the host.
remap_user=dockremap
has_range() { grep -q "^${remap_user}:" "$1" 2>/dev/null; }
remap_ready() { getent passwd "$remap_user" >/dev/null && has_range /etc/subuid && has_range /etc/subgid; }

# A range no other entry of the file overlaps: from 100000 (as useradd would pick), past the highest end.
free_range_start() {
  awk -F: 'BEGIN { next_free = 100000 } NF >= 3 { end = $2 + $3; if (end > next_free) next_free = end } END { print next_free }' "$1" 2>/dev/null || echo 100000
}

ensure_remap_user() {
  getent passwd "$remap_user" >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$remap_user"
  for file in /etc/subuid /etc/subgid; do
    touch "$file"
    has_range "$file" || echo "${remap_user}:$(free_range_start "$file"):65536" >>"$file"
  done
  echo "setup-host: containers are remapped to ${remap_user} ($(grep "^${remap_user}:" /etc/subuid))"
}

if [ "${#missing[@]}" -eq 0 ] && remap_ready; then
  echo "setup-host: docker.io, docker-registry, busybox-static, iproute2, iptables, chromium, prometheus, syncthing, haproxy, wrk and e2fsprogs already present; ${remap_user} has subordinate ids"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -n -- "$0" "$@"
  fi
  echo "setup-host: must run as root to install: ${missing[*]:-} (and the ${remap_user} user)" >&2
  exit 1
fi

ensure_remap_user
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-host: done"
  exit 0
fi

echo "setup-host: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

# Debian's maintainer scripts start docker, docker-registry, prometheus and haproxy as system services on
# install. We start our own daemons (one dockerd per node, the registry and prometheus on ports of our
# choosing), so a system dockerd on /var/run/docker.sock, a registry on :5000 and a prometheus on :9090
# would only be in the way. A policy-rc.d that answers 101 ("action forbidden") is Debian's documented
# way to keep package installs from starting services.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -q
apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}"

for cmd in dockerd docker-registry busybox ip iptables prometheus; do
  have_cmd "$cmd" || {
    echo "setup-host: $cmd still missing after install" >&2
    exit 1
  }
done
echo "setup-host: done"
