#!/usr/bin/env bash
# The cohort server's load run, as README reports it: a fresh PostgreSQL database, two release
# instances behind deploy/haproxy.cfg (plain HTTP on 127.0.0.1:8080 here), 200 simulated
# candidates at a steady offered rate (examples/cohort_load.rs, latency corrected for
# coordinated omission), and, with KILL_AFTER set, one instance killed mid-run.
#
#   deploy/load-run.sh                       # RATE=100 DURATION=60 CANDIDATES=200
#   RATE=150 KILL_AFTER=30 deploy/load-run.sh
#
# Needs: the release build (cargo build --release -p debrief-cli --bin debrief --example
# cohort_load), haproxy, and a PostgreSQL server whose superuser URL is SERVER (default
# postgres://postgres@127.0.0.1:5432/postgres). The database debrief_load is dropped first.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER="${SERVER:-postgres://postgres@127.0.0.1:5432/postgres}"
RATE="${RATE:-100}"
DURATION="${DURATION:-60}"
CANDIDATES="${CANDIDATES:-200}"
DB="${SERVER%/*}/debrief_load"
BIN=target/release/debrief
LOAD=target/release/examples/cohort_load
WORK="$(mktemp -d)"

cleanup() {
  kill "${PIDS[@]}" 2>/dev/null || true
  # The cohort's roles outlive its database: drop both.
  COHORT=$(psql "$DB" -Atc "SELECT name FROM debrief_cohort.cohort" 2>/dev/null || true)
  psql "$SERVER" -qc "DROP DATABASE IF EXISTS debrief_load WITH (FORCE)" >/dev/null
  if [ -n "$COHORT" ]; then
    for role in $(psql "$SERVER" -Atc "SELECT rolname FROM pg_roles WHERE starts_with(rolname, 'debrief_${COHORT}_')"); do
      psql "$SERVER" -qc "DROP ROLE \"$role\"" >/dev/null
    done
  fi
  rm -rf "$WORK"
}
PIDS=()
trap cleanup EXIT

psql "$SERVER" -qc "DROP DATABASE IF EXISTS debrief_load WITH (FORCE)" >/dev/null
psql "$SERVER" -qc "CREATE DATABASE debrief_load" >/dev/null
# The first instance makes the schema; the second finds it.
"$BIN" serve --multi-user --database "$DB" --port 7001 --public-host 127.0.0.1:8080 --trust-proxy --pool 8 >"$WORK/one.log" 2>&1 &
PIDS+=($!); ONE=$!
sleep 1
"$BIN" serve --multi-user --database "$DB" --port 7002 --public-host 127.0.0.1:8080 --trust-proxy --pool 8 >"$WORK/two.log" 2>&1 &
PIDS+=($!)
sed -e 's|bind :443 ssl crt .*|bind 127.0.0.1:8080|' -e '/bind :80$/d' -e '/redirect scheme https/d' \
    -e 's|hdr Host debrief.example.org|hdr Host 127.0.0.1:8080|' -e '/log stdout/d' deploy/haproxy.cfg >"$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
sleep 1
KILL=()
if [ -n "${KILL_AFTER:-}" ]; then KILL=(--kill-pid "$ONE" --kill-after "$KILL_AFTER"); fi
"$LOAD" --database "$DB" --target 127.0.0.1:8080 --candidates "$CANDIDATES" --rate "$RATE" --seconds "$DURATION" "${KILL[@]}"
echo "instance logs: security events $(grep -c 'security:' "$WORK/one.log" "$WORK/two.log" | tr '\n' ' ')"
