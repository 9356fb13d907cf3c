#!/usr/bin/env bash
# Molecule test hosts: real Linux systems built from network namespaces.
#
# Each host is: a network namespace with a veth pair onto the bridge molbr0 (10.213.0.1/24),
# an overlay of a cached debootstrap'd Debian rootfs, and systemd as PID 1 in its own
# pid/mount/uts namespace; sshd answers on the host's own address. Ansible reaches the hosts
# over SSH like real machines.
#
#   testhosts.sh rootfs                      build (once) the cached rootfs, print its path
#   testhosts.sh up NAME ADDR PUBKEY_FILE    start one host (idempotent)
#   testhosts.sh down NAME                   stop one host: kill its PID namespace, unmount, del netns
#   testhosts.sh down-all                    stop every host listed in the state dir, remove the bridge
#   testhosts.sh exec NAME CMD...            run a command inside a running host
#   testhosts.sh serve PORT NAME... -- DIR   in the background: forward 127.0.0.1:6443 inside each host to
#                                            the API server on 127.0.0.1:PORT, serve DIR over HTTP on the bridge
#                                            address port 8088 (the "online" artifact URL)
#   testhosts.sh leftovers                   print namespaces/mounts/processes left behind (exit 1 if any)
set -euo pipefail

SUITE=${TESTHOSTS_SUITE:-bookworm}
MIRROR=${TESTHOSTS_MIRROR:-http://deb.debian.org/debian}
PACKAGES=${TESTHOSTS_PACKAGES:-python3,python3-yaml,systemd,systemd-sysv,dbus,openssh-server,iproute2,procps,ca-certificates}
CACHE=${TESTHOSTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-conformance-rke2}
STATE=${TESTHOSTS_STATE:-$(cd "$(dirname "$0")/../../.." && pwd)/.molecule-hosts}
BRIDGE=${TESTHOSTS_BRIDGE:-molbr0}
BRIDGE_ADDR=${TESTHOSTS_BRIDGE_ADDR:-10.213.0.1}
PREFIX=24
NS_PREFIX=molrke2-

log() { echo "[testhosts] $*" >&2; }
die() { echo "[testhosts] ERROR: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root (creates network namespaces, mounts, PID namespaces)"

rootfs_path() {
  local key
  key=$(printf '%s\n%s\n%s\n' "$SUITE" "$PACKAGES" "v1" | sha256sum | cut -c1-12)
  echo "$CACHE/rootfs-$SUITE-$key"
}

cmd_rootfs() {
  local dir tmp
  dir=$(rootfs_path)
  if [[ -f $dir/.complete ]]; then echo "$dir"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install -y debootstrap"
  mkdir -p "$CACHE"
  tmp=$dir.tmp.$$
  rm -rf "$tmp"
  log "debootstrap $SUITE ($PACKAGES) -> $dir (about a minute, cached afterwards)"
  local t0=$SECONDS
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp" "$MIRROR" >"$tmp.log" 2>&1 \
    || { tail -20 "$tmp.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log above)"; }
  # Trim boot to what a test host needs; sshd keys are generated per host at first boot.
  chroot "$tmp" systemctl mask e2scrub_reap.service systemd-logind.service getty@tty1.service \
    console-getty.service systemd-udevd.service systemd-udev-trigger.service \
    systemd-networkd-wait-online.service >/dev/null 2>&1 || true
  rm -f "$tmp"/etc/ssh/ssh_host_*
  cat >"$tmp/etc/systemd/system/ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys (test host)
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
  chroot "$tmp" systemctl enable ssh-hostkeys.service ssh.service >/dev/null 2>&1
  printf 'PermitRootLogin prohibit-password\nUseDNS no\n' >"$tmp/etc/ssh/sshd_config.d/testhost.conf"
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  touch "$tmp/.complete"
  mv "$tmp" "$dir"; rm -f "$tmp.log"
  log "rootfs ready in $((SECONDS - t0)) s: $dir"
  echo "$dir"
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_ADDR/$PREFIX" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
}

pid1_of() { cat "$STATE/$1/pid1" 2>/dev/null || true; }

cmd_up() {
  local name=$1 addr=$2 pubkey=$3 lower hdir root ns veth pid
  [[ $name =~ ^[a-z0-9][a-z0-9-]{0,20}$ ]] || die "bad host name '$name'"
  [[ -r $pubkey ]] || die "public key $pubkey not readable"
  lower=$(cmd_rootfs)
  hdir=$STATE/$name; root=$hdir/root; ns=$NS_PREFIX$name
  veth=vm${name: -10}
  veth=${veth//[^a-zA-Z0-9]/}
  pid=$(pid1_of "$name")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then log "$name already running (pid $pid)"; return; fi
  mkdir -p "$hdir/upper" "$hdir/work" "$root"
  mountpoint -q "$root" || mount -t overlay overlay \
    -o "lowerdir=$lower,upperdir=$hdir/upper,workdir=$hdir/work" "$root"
  echo "$name" >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$addr" "$name" >"$root/etc/hosts"
  install -d -m 0700 "$root/root/.ssh"
  install -m 0600 "$pubkey" "$root/root/.ssh/authorized_keys"
  ensure_bridge
  ip netns list | grep -qw "^$ns" || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$BRIDGE" up
  fi
  ip -n "$ns" link set lo up
  ip -n "$ns" addr replace "$addr/$PREFIX" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$BRIDGE_ADDR"
  echo "$ns" >"$hdir/netns"; echo "$veth" >"$hdir/veth"; echo "$addr" >"$hdir/addr"
  # systemd as PID 1 of a new PID namespace; the shell wrapper sets the UTS hostname first.
  # (ip netns exec and a non-leader setsid exec in place, so $! is unshare; its child becomes systemd.)
  setsid ip netns exec "$ns" unshare --pid --mount --uts --fork --mount-proc="$root/proc" \
    /bin/sh -c "hostname '$name' && exec chroot '$root' /lib/systemd/systemd --system --log-target=journal" \
    </dev/null >"$hdir/console.log" 2>&1 &
  local launcher=$! waited=0
  echo "$launcher" >"$hdir/launcher"
  while :; do
    pid=$(pgrep -P "$launcher" || true)
    [[ -n $pid && $(readlink "/proc/$pid/root" 2>/dev/null) == "$root" ]] && break
    kill -0 "$launcher" 2>/dev/null || die "$name: the namespace launcher exited (see $hdir/console.log)"
    ((waited++ < 100)) || die "$name: systemd did not start (see $hdir/console.log)"
    sleep 0.1
  done
  echo "$pid" >"$hdir/pid1"
  # Boot takes a second or two; much longer only on a saturated machine (ssh host key generation).
  for _ in $(seq 1 900); do
    if ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; then
      log "$name up: $addr (systemd pid $pid)"; return
    fi
    sleep 0.2
  done
  nsenter -t "$pid" -m -u -i -n -p chroot "$root" systemctl list-jobs --no-pager >&2 || true
  die "$name: sshd not answering on $addr:22 within 180 s (pending systemd jobs above; see $hdir/console.log)"
}

cmd_down() {
  local name=$1 hdir pid ns veth
  hdir=$STATE/$name
  [[ -d $hdir ]] || return 0
  # SIGKILL to the namespace's PID 1 ends the whole PID namespace (SIGTERM makes systemd re-exec).
  # Also catch a host whose start failed before pid1 was recorded: any process rooted in its tree.
  local pids
  pids=$( { pid1_of "$name"; for p in /proc/[0-9]*; do
            if [[ $(readlink "$p/root" 2>/dev/null) == "$hdir/root" ]]; then echo "${p#/proc/}"; fi; done; } | sort -u)
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in $pids $(cat "$hdir/launcher" 2>/dev/null); do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  # Mounts systemd made inside its own mount namespace die with it; unmount ours (deepest first).
  if [[ -d $hdir/root ]]; then
    findmnt -rn -o TARGET | grep -F "$hdir/root" | sort -r | while read -r m; do umount -l "$m" || true; done
  fi
  ns=$(cat "$hdir/netns" 2>/dev/null || echo "$NS_PREFIX$name")
  veth=$(cat "$hdir/veth" 2>/dev/null || true)
  [[ -n $veth ]] && ip link del "$veth" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$hdir"
  log "$name down"
}

cmd_down_all() {
  local d
  stop_pidfile "$STATE/apiproxy.pid"; stop_pidfile "$STATE/httpd.pid"
  rm -f "$STATE"/apiproxy.log "$STATE"/httpd.log
  if [[ -d $STATE ]]; then
    for d in "$STATE"/*/; do [[ -d $d ]] && cmd_down "$(basename "$d")"; done
  fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do ip netns del "$ns" || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  rmdir "$STATE" 2>/dev/null || true
}

cmd_exec() {
  local name=$1; shift
  local pid root
  pid=$(pid1_of "$name"); root=$STATE/$name/root
  [[ -n $pid ]] || die "$name is not running"
  nsenter -t "$pid" -m -u -i -n -p chroot "$root" "$@"
}

cmd_serve() {
  local port=$1; shift
  local names=() ns=()
  while [[ $# -gt 0 && $1 != -- ]]; do names+=("$1"); ns+=("$NS_PREFIX$1"); shift; done
  shift; local dir=$1
  mkdir -p "$STATE"
  stop_pidfile "$STATE/apiproxy.pid"; stop_pidfile "$STATE/httpd.pid"
  setsid python3 "$(dirname "$0")/apiproxy.py" "$port" "${ns[@]}" </dev/null >"$STATE/apiproxy.log" 2>&1 &
  echo $! >"$STATE/apiproxy.pid"
  setsid python3 -m http.server --bind "$BRIDGE_ADDR" --directory "$dir" 8088 </dev/null >"$STATE/httpd.log" 2>&1 &
  echo $! >"$STATE/httpd.pid"
  sleep 0.5
  kill -0 "$(cat "$STATE/apiproxy.pid")" || die "apiproxy failed: $(cat "$STATE/apiproxy.log")"
  kill -0 "$(cat "$STATE/httpd.pid")" || die "http server failed: $(cat "$STATE/httpd.log")"
  log "API forwarder for ${names[*]} -> 127.0.0.1:$port; artifacts on http://$BRIDGE_ADDR:8088/"
}

stop_pidfile() {
  local pid
  pid=$(cat "$1" 2>/dev/null || true)
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  rm -f "$1"
}

cmd_leftovers() {
  local bad=0
  if ip netns list | grep -q "^$NS_PREFIX"; then ip netns list | grep "^$NS_PREFIX"; bad=1; fi
  if findmnt -rn -o TARGET | grep -F "$STATE/"; then bad=1; fi
  # Only our own process shapes: another tool's command line may mention these paths.
  if ps -eo pid=,args= | awk -v st="$STATE/" '$2 == "unshare" && index($0, st)' | grep .; then bad=1; fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then echo "bridge $BRIDGE"; bad=1; fi
  if ps -eo pid=,args= | grep -E "^ *[0-9]+ \S*python3? (\S*apiproxy\.py [0-9]+ |-m http\.server --bind ${BRIDGE_ADDR//./\\.} )"; then
    bad=1
  fi
  return $bad
}

case ${1:-} in
  rootfs) cmd_rootfs ;;
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  down-all) cmd_down_all ;;
  exec) shift; cmd_exec "$@" ;;
  serve) shift; cmd_serve "$@" ;;
  leftovers) cmd_leftovers ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
