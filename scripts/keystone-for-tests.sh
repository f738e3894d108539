#!/usr/bin/env bash
# Runs a real Keystone (Debian's package) on loopback for Nucleon's tests.
#
#   scripts/keystone-for-tests.sh install        install keystone + uwsgi if missing (root, apt-get)
#   scripts/keystone-for-tests.sh start [DIR]    bootstrap into DIR (default: a new temp dir), serve it,
#                                                 print KEY=VALUE lines on stdout for the test to read
#   scripts/keystone-for-tests.sh stop DIR       kill only the uwsgi PID that `start` recorded in DIR
#
# `start` installs first when keystone-manage is absent. Nothing runs under systemd; the database is
# SQLite inside DIR; the listening socket is on 127.0.0.1 only.
set -euo pipefail

# pyenv shims may precede /usr/bin: the Debian tools need the system Python.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "keystone-for-tests: $*" >&2; }

install_keystone() {
  if [[ -x /usr/bin/keystone-manage && -x /usr/bin/uwsgi && -e /usr/lib/uwsgi/plugins/python3_plugin.so ]]; then
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "keystone is not installed and we are not root; install keystone uwsgi uwsgi-plugin-python3"
    exit 2
  fi
  # Keep the packages from starting services while we install them.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  # Skip the package's own database wizard, admin creation and endpoint registration.
  debconf-set-selections <<'SEL'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
keystone keystone/dbconfig-install boolean false
SEL
  log "installing keystone uwsgi uwsgi-plugin-python3 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    keystone uwsgi uwsgi-plugin-python3 >&2 || { [[ $made_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d; exit 1; }
  if [[ $made_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  # The package may have started a keystone anyway on systems without policy-rc.d support; we
  # leave it alone: tests use their own instance on their own port.
}

port_free() {
  # True when nothing listens on 127.0.0.1:$1.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p
  for p in 35357 35358 35359 35360 35361 35362 35363 35364; do
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  # Fall back to a kernel-chosen ephemeral port.
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# True when $1 answers HTTP 2xx/3xx (python3 is there with keystone; curl may not be).
answers() {
  /usr/bin/python3 - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
}

rand() { /usr/bin/python3 -c 'import secrets; print(secrets.token_hex(12))'; }

start_keystone() {
  install_keystone
  local dir=${1:-}
  if [[ -z $dir ]]; then dir=$(mktemp -d /tmp/nucleon-keystone.XXXXXX); fi
  mkdir -p "$dir/fernet-keys" "$dir/credential-keys" "$dir/log"
  local port; port=$(pick_port)
  local url="http://127.0.0.1:$port"
  local admin_pw neutron_pw demo_pw
  admin_pw=$(rand); neutron_pw=$(rand); demo_pw=$(rand)

  cat > "$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/log/keystone.log
use_stderr = false
[database]
connection = sqlite:///$dir/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $dir/fernet-keys
[fernet_receipts]
key_repository = $dir/fernet-keys
[credential]
key_repository = $dir/credential-keys
[cache]
enabled = false
CONF
  local km=(/usr/bin/keystone-manage --config-file "$dir/keystone.conf")
  local me; me=$(id -un); local grp; grp=$(id -gn)
  "${km[@]}" db_sync >"$dir/log/manage.log" 2>&1
  "${km[@]}" fernet_setup --keystone-user "$me" --keystone-group "$grp" >>"$dir/log/manage.log" 2>&1
  "${km[@]}" credential_setup --keystone-user "$me" --keystone-group "$grp" >>"$dir/log/manage.log" 2>&1
  "${km[@]}" bootstrap --bootstrap-password "$admin_pw" \
    --bootstrap-admin-url "$url/v3/" --bootstrap-public-url "$url/v3/" \
    --bootstrap-internal-url "$url/v3/" --bootstrap-region-id RegionOne >>"$dir/log/manage.log" 2>&1

  cat > "$dir/uwsgi.ini" <<INI
[uwsgi]
plugins = python3
wsgi-file = /usr/bin/keystone-wsgi-public
http-socket = 127.0.0.1:$port
; uwsgi's plain http socket does not do keep-alive: tell clients so they do not reuse the socket.
add-header = Connection: close
env = OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf
master = true
; one worker: SQLite under several processes gives "database is locked" on writes (revocations).
processes = 1
threads = 1
die-on-term = true
need-app = true
pidfile = $dir/uwsgi.pid
logto = $dir/log/uwsgi.log
INI
  # setsid: its own session, so the caller's terminal signals do not reach it; we stop it by PID.
  setsid /usr/bin/uwsgi --ini "$dir/uwsgi.ini" </dev/null >/dev/null 2>&1 &
  echo $! > "$dir/started.pid"
  # From here on, a failure stops what we started (and keeps DIR for its logs).
  trap "KEEP_KEYSTONE_DIR=1 stop_keystone '$dir'" EXIT

  local i
  for i in $(seq 1 120); do
    if answers "$url/v3"; then break; fi
    if ! kill -0 "$(cat "$dir/started.pid")" 2>/dev/null; then
      log "uwsgi exited; see $dir/log/uwsgi.log"; tail -n 30 "$dir/log/uwsgi.log" >&2 || true; exit 1
    fi
    sleep 0.5
  done
  answers "$url/v3" || { log "keystone did not answer on $url"; exit 1; }

  # Users and projects through the openstack CLI as the bootstrap admin.
  local os=(/usr/bin/openstack --os-auth-url "$url/v3" --os-identity-api-version 3
    --os-username admin --os-password "$admin_pw" --os-project-name admin
    --os-user-domain-name Default --os-project-domain-name Default)
  {
    "${os[@]}" project create --domain Default service
    "${os[@]}" user create --domain Default --password "$neutron_pw" neutron
    "${os[@]}" role add --project service --user neutron admin
    "${os[@]}" project create --domain Default demo
    "${os[@]}" user create --domain Default --password "$demo_pw" demo
    "${os[@]}" role add --project demo --user demo member
  } >>"$dir/log/manage.log" 2>&1 || { log "creating users failed; see $dir/log/manage.log"; exit 1; }

  trap - EXIT
  cat <<OUT
KEYSTONE_DIR=$dir
KEYSTONE_PID=$(cat "$dir/started.pid")
KEYSTONE_URL=$url
KEYSTONE_AUTH_URL=$url/v3
KEYSTONE_ADMIN_USER=admin
KEYSTONE_ADMIN_PASSWORD=$admin_pw
KEYSTONE_ADMIN_PROJECT=admin
KEYSTONE_SERVICE_USER=neutron
KEYSTONE_SERVICE_PASSWORD=$neutron_pw
KEYSTONE_SERVICE_PROJECT=service
KEYSTONE_DEMO_USER=demo
KEYSTONE_DEMO_PASSWORD=$demo_pw
KEYSTONE_DEMO_PROJECT=demo
KEYSTONE_DOMAIN=Default
OUT
}

stop_keystone() {
  local dir=${1:?usage: $0 stop DIR}
  local pidfile="$dir/started.pid"
  [[ -f $pidfile ]] || { log "no $pidfile: nothing to stop"; return 0; }
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    # uwsgi's master with die-on-term takes its workers with it.
    kill -TERM "$pid"
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
  fi
  rm -f "$pidfile"
  if [[ ${KEEP_KEYSTONE_DIR:-0} != 1 && $dir == /tmp/nucleon-keystone.* ]]; then rm -rf "$dir"; fi
}

case ${1:-} in
  install) install_keystone ;;
  start) start_keystone "${2:-}" ;;
  stop) stop_keystone "${2:-}" ;;
  *) echo "usage: $0 install | start [DIR] | stop DIR" >&2; exit 2 ;;
esac
