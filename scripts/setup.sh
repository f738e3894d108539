#!/usr/bin/env bash
# Installs what Nucleon needs on a fresh Debian machine and builds it. Safe to run again.
#   scripts/setup.sh          runtime: Node packages, build, kernel tools, dnsmasq, openstack CLI
#   scripts/setup.sh --test   also what the test suite uses (Keystone, Neutron's source for cross-checks)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

debs=(iproute2 dnsmasq-base nftables conntrack iputils-ping iputils-arping udhcpc tcpdump netcat-openbsd python3-openstackclient)
if [ "$want_test" = 1 ]; then
  debs+=(keystone uwsgi uwsgi-plugin-python3 python3-neutron python3-neutron-lib curl openssl)
fi

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  # Packages must not start services or run database wizards (Keystone) on this machine.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  cat <<'DEB' | debconf-set-selections
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
DEB
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# A type error is reported loudly but does not stop the tests: bin/nucleon falls back to the
# TypeScript sources, and the type check itself is part of the review before each commit.
if ! npm run -s build; then
  echo "setup: WARNING: the TypeScript build reported errors (see above)" >&2
fi
