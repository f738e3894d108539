#!/usr/bin/env bash
# Checks that the database and bus servers the tests use answer on loopback, starting the
# machine's own installed service if one is down. It never installs or reconfigures them.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do up "$port" && return 0; sleep 1; done
  echo "ensure-services: $name is not answering on 127.0.0.1:$port" >&2
  return 1
}

if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! up 3306 && [ -x /usr/sbin/mariadbd ]; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  rabbitmq-server -detached || true
fi
status=0
wait_for 5432 PostgreSQL || status=1
wait_for 3306 MariaDB || status=1
wait_for 5672 RabbitMQ || status=1
exit $status
