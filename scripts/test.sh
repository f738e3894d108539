#!/usr/bin/env bash
# Sets up everything the test suite needs and runs the whole suite.
# Unit and HTTP tests run on SQLite, PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306);
# the bus tests use RabbitMQ (127.0.0.1:5672); data-plane tests need root and build simulated
# hosts in network namespaces of their own. NUCLEON_TEST_DIALECTS narrows the databases.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
scripts/ensure-services.sh

# The tests' own files only: test/**/*.test.ts, one process per file.
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
