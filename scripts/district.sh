#!/usr/bin/env bash
# `make district`: the processes of deploy/ on this machine, against the PostgreSQL already
# running (127.0.0.1:5432): nginx on DISTRICT_PORT in front of two gunicorn servers, two task
# workers, the scheduled jobs every minute. The database (default gongzhi_district) is made and
# migrated if missing; load a district into it with bench/district_day.py. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${DISTRICT_DB:-gongzhi_district}"
PORT="${DISTRICT_PORT:-8100}"
BIN=.venv/bin
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?conn_max_age=60"
export GONGZHI_TASKS=database GONGZHI_VAR_DIR="$PWD/var/district-$DB" GONGZHI_MFA_REQUIRED="${GONGZHI_MFA_REQUIRED:-false}"
export GONGZHI_TRUSTED_PROXIES=127.0.0.1/32 GONGZHI_ALLOWED_HOSTS="${GONGZHI_ALLOWED_HOSTS:-127.0.0.1,localhost}"
mkdir -p "$GONGZHI_VAR_DIR"

command -v nginx >/dev/null || { echo "installing nginx"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE \"$DB\""
$BIN/gongzhi migrate --noinput -v0
$BIN/gongzhi collectstatic --noinput -v0

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; exit 0' INT TERM
for web in 8101 8102; do
  $BIN/gunicorn gongzhi.wsgi:application -b "127.0.0.1:$web" -k gthread --workers 1 --threads 4 \
    --log-level warning & pids+=($!)
done
for n in 1 2; do $BIN/gongzhi worker --worker-id "district-$n" & pids+=($!); done
conf="$GONGZHI_VAR_DIR/nginx.conf"
{ echo "pid $GONGZHI_VAR_DIR/nginx.pid; error_log stderr; daemon off; events {}"
  echo "http { access_log off; client_body_temp_path $GONGZHI_VAR_DIR/nginx-body;"
  sed "s/listen 80;/listen $PORT;/" deploy/nginx.conf
  echo "}"; } > "$conf"
nginx -c "$conf" -p "$GONGZHI_VAR_DIR" & pids+=($!)
( while sleep 60; do
    $BIN/gongzhi concerns_escalate >/dev/null; $BIN/gongzhi notify deliver >/dev/null
  done ) & pids+=($!)
echo "district: http://127.0.0.1:$PORT/ (nginx → 127.0.0.1:8101, :8102; workers district-1, district-2; database $DB)"
wait
