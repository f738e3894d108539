#!/usr/bin/env bash
# Removes what a fullstack test with prefix PREFIX left behind (e.g. after a killed test run):
#   scripts/cleanup-test-netns.sh PREFIX        (PREFIX as printed by the test, e.g. nf1a2b3c)
# Only touches: namespaces named PREFIX-*, processes inside them, and processes whose PID files live in
# /tmp/nucleon-fullstack/PREFIX (agents, mount-namespace holders, dnsmasq), each checked by its command
# line before it is killed; then that state directory. Never the root namespace's interfaces.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

prefix=${1:-}
if [[ ! $prefix =~ ^[A-Za-z0-9_.]{3,}$ ]]; then
  echo "usage: $0 PREFIX  (letters/digits, at least 3 characters)" >&2
  exit 2
fi
state=/tmp/nucleon-fullstack/$prefix

kill_if() { # PID PATTERN: kill PID only when its command line contains PATTERN
  local pid=$1 pattern=$2
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  [[ -r /proc/$pid/cmdline ]] || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$pattern"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

if [[ -d $state ]]; then
  while IFS= read -r f; do kill_if "$(cat "$f")" "agent-main.ts"; done < <(find "$state" -name agent.pid)
  while IFS= read -r f; do kill_if "$(cat "$f")" "--pid-file=$f"; done < <(find "$state" -path '*/dhcp/*' -name pid)
  while IFS= read -r f; do kill_if "$(cat "$f")" "sleep infinity"; done < <(find "$state" -name holder.pid)
fi

for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-" || true); do
  for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns delete "$ns" 2>/dev/null || echo "could not delete namespace $ns" >&2
done

rm -rf -- "$state"
echo "cleaned up $prefix"
