#!/usr/bin/env bash
# Tonearm streaming against nginx serving the same files, in the same run:
# stream-service direct against nginx (sendfile), and gateway ->
# stream-service against nginx as a reverse proxy -> nginx.
#
#   bench/stream/run.sh [--force]
#
# ROUNDS (default 2) interleaved rounds: each load runs against nginx,
# stream-service, nginx -> nginx and gateway -> stream-service in turn, and
# again, so slow swings of other work on the machine hit all alike.
# DURATION (default 10) seconds per load test; TRANSCODES=0 skips the
# transcode figures. Beside each figure: the CPU% of wrk (a client near
# 100% of a core per thread set the pace, not the server) and of every
# serving process, from /proc/<pid>/stat.
#
# Refuses to measure when the one-minute load average at the start is above
# 1.5 (other work on 2 cores skews every figure) unless --force, which
# labels every ratio as taken on a loaded machine. The load during and at
# the end of the run is printed for information only: the benchmark itself
# keeps both cores busy, so it always rises.
#
# Needs: nginx (apt-get install -y nginx-light), wrk, ffmpeg, curl, psql,
# PostgreSQL at TONEARM_DATABASE_URL and Redis at TONEARM_REDIS_URL (for the
# gateway). Builds stream-service and the gateway in release mode.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/stream"
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
MAX_LOAD=1.5
FORCE=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done
DATABASE_URL=${TONEARM_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tonearm}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TOKEN="bench-stream-internal-token-$$"

need() { command -v "$1" >/dev/null || { echo "bench: '$1' is needed: $2" >&2; exit 2; }; }
need nginx "apt-get install -y nginx-light"
need wrk "apt-get install -y wrk"
need ffmpeg "apt-get install -y ffmpeg"
need curl "apt-get install -y curl"
need psql "apt-get install -y postgresql-client"
source "$HERE/measure.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d /tmp/tonearm-bench.XXXXXX)
chmod 755 "$WORK"
SCHEMA="bench_stream_$$"
GATEWAY_SCHEMA="bench_stream_gateway_$$"
STREAM_PID="" GATEWAY_PID="" SAMPLER_PID=""
cleanup() {
  local pid
  for pid in "$SAMPLER_PID" "$GATEWAY_PID" "$STREAM_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "$WORK/nginx.pid" "$WORK/proxy.pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS $GATEWAY_SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building stream-service and the gateway (release)"
(cd "$ROOT" && cargo build --release -q -p stream-service -p gateway)

echo "== preparing files in $WORK/music"
mkdir -p "$WORK/music" "$WORK/tmp"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$WORK/music/song-50m.bin"
head -c $((400 * 1024 * 1024)) /dev/urandom >"$WORK/music/song-400m.bin"
ffmpeg -hide_banner -loglevel error -f lavfi -i "sine=frequency=440:duration=600" \
  -ac 2 -ar 44100 -c:a libmp3lame -b:a 192k "$WORK/music/tone-10min.mp3"
chmod 644 "$WORK"/music/*
SIZE_50M=$((50 * 1024 * 1024))

NGINX_PORT=$(free_port) PROXY_PORT=$(free_port) STREAM_PORT=$(free_port) GATEWAY_PORT=$(free_port)
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" "$HERE/nginx.conf.in" >"$WORK/nginx.conf"
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$PROXY_PORT#g" -e "s#@UPSTREAM@#$NGINX_PORT#g" \
  "$HERE/nginx-proxy.conf.in" >"$WORK/proxy.conf"
nginx -c "$WORK/nginx.conf" -p "$WORK"
nginx -c "$WORK/proxy.conf" -p "$WORK"

ID_50M=00000000-0000-4000-8000-000000000050
ID_400M=00000000-0000-4000-8000-000000000400
ID_REMOTE=00000000-0000-4000-8000-000000000001
ID_TONE=00000000-0000-4000-8000-000000000002
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA $SCHEMA;
CREATE TABLE $SCHEMA.song_sources (song_id uuid PRIMARY KEY, kind text NOT NULL, path text, url text,
  file_name text NOT NULL, content_type text, size_bytes bigint, modified_at timestamptz, duration_ms bigint);
INSERT INTO $SCHEMA.song_sources (song_id, kind, path, url, file_name, content_type) VALUES
  ('$ID_50M', 'local', '$WORK/music/song-50m.bin', NULL, 'song-50m.bin', 'audio/flac'),
  ('$ID_400M', 'local', '$WORK/music/song-400m.bin', NULL, 'song-400m.bin', 'audio/flac'),
  ('$ID_REMOTE', 'remote', NULL, 'http://127.0.0.1:$NGINX_PORT/song-50m.bin', 'song-50m.bin', 'audio/flac'),
  ('$ID_TONE', 'local', '$WORK/music/tone-10min.mp3', NULL, 'tone.mp3', 'audio/mpeg');
SQL

TONEARM_STREAM_PORT=$STREAM_PORT TONEARM_DATABASE_URL=$DATABASE_URL TONEARM_DATABASE_SCHEMA=$SCHEMA \
  TONEARM_MUSIC_DIRS="$WORK/music" TONEARM_FETCH_ALLOW_HOSTS="127.0.0.1:$NGINX_PORT" \
  TONEARM_INTERNAL_TOKEN=$TOKEN TONEARM_TRANSCODE_MAX=64 TONEARM_LOG=warn TONEARM_LOG_FORMAT=json \
  "$TARGET/release/stream-service" >"$WORK/stream.log" 2>&1 &
STREAM_PID=$!
# The gateway in front of it, serving anonymous listeners (no session
# lookup), as the peer nginx proxy does no authentication either.
TONEARM_GATEWAY_PORT=$GATEWAY_PORT TONEARM_STREAM_URL="http://127.0.0.1:$STREAM_PORT" \
  TONEARM_CATALOG_URL="http://127.0.0.1:$STREAM_PORT" TONEARM_EVENTS_URL="http://127.0.0.1:$STREAM_PORT" \
  TONEARM_DATABASE_URL=$DATABASE_URL TONEARM_DATABASE_SCHEMA=$GATEWAY_SCHEMA \
  TONEARM_REDIS_PREFIX="bench:stream:$$:" TONEARM_ADMIN_PASSWORD="bench-password-$$" \
  TONEARM_INTERNAL_TOKEN=$TOKEN TONEARM_ALLOW_ANONYMOUS=true TONEARM_LOG=warn TONEARM_LOG_FORMAT=json \
  "$TARGET/release/gateway" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
wait_up() { # URL NAME LOG
  for _ in $(seq 200); do curl -fs "$1" >/dev/null && return 0; sleep 0.1; done
  echo "$2 did not start:"; cat "$3"; exit 1
}
wait_up "http://127.0.0.1:$STREAM_PORT/readyz" stream-service "$WORK/stream.log"
wait_up "http://127.0.0.1:$GATEWAY_PORT/healthz" gateway "$WORK/gateway.log"

N="http://127.0.0.1:$NGINX_PORT"
P="http://127.0.0.1:$PROXY_PORT"
T="http://127.0.0.1:$STREAM_PORT/api/stream/songs"
G="http://127.0.0.1:$GATEWAY_PORT/api/stream/songs"
HEADER="x-tonearm-internal-token: $TOKEN"
curl -fs -o /dev/null -H "$HEADER" "$G/$ID_50M" || { echo "the gateway does not relay the song:"; cat "$WORK/gateway.log"; exit 1; }
cat "$WORK"/music/* >/dev/null # every server reads from the page cache

NGINX_ROLES="nginx=$(nginx_pids "$WORK/nginx.pid")"
PROXY_ROLES="nginx-proxy=$(nginx_pids "$WORK/proxy.pid") $NGINX_ROLES"
STREAM_ROLES="stream=$STREAM_PID"
GATEWAY_ROLES="gateway=$GATEWAY_PID $STREAM_ROLES"
TARGETS=(nginx stream-service nginx-proxy gateway)
declare -A BASE=([nginx]="$N/song-50m.bin" [stream-service]="$T/$ID_50M"
  [nginx-proxy]="$P/song-50m.bin" [gateway]="$G/$ID_50M")
declare -A ROLES=([nginx]="$NGINX_ROLES" [stream-service]="$STREAM_ROLES"
  [nginx-proxy]="$PROXY_ROLES" [gateway]="$GATEWAY_ROLES")

LOAD=$(load_now)
if above "$LOAD" "$MAX_LOAD"; then
  # The build above may have raised it; give it a minute to settle.
  for _ in $(seq 12); do above "$(load_now)" "$MAX_LOAD" || break; sleep 5; done
  LOAD=$(load_now)
fi
echo
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (limit $MAX_LOAD; $(nproc) cores)"
LOADED=""
if above "$LOAD" "$MAX_LOAD"; then
  if [ "$FORCE" != 1 ]; then
    echo "bench: refusing to measure: the load average $LOAD is above $MAX_LOAD, so other work would" >&2
    echo "set these figures. Run it on a quiet machine, or with --force to label them as loaded." >&2
    exit 3
  fi
  LOADED="taken on a loaded machine (load $LOAD)"
  echo "!! --force: every figure below was $LOADED and is not a valid result"
fi

section() { # KIND KEY TITLE -- wrk arguments (the URL is added per target)
  local kind=$1 key=$2 title=$3 round target
  shift 4
  echo
  echo "== $title, $ROUNDS interleaved rounds of ${DURATION}s"
  for round in $(seq "$ROUNDS"); do
    echo "round $round (load $(load_now), raised by the benchmark itself)"
    for target in "${TARGETS[@]}"; do
      measure "$kind" "$key/$target/$round" "${ROLES[$target]}" -- "$@" "${BASE[$target]}"
      local unit=MB/s
      [ "$kind" = ranges ] && unit=req/s
      [ "$kind" = ttfb ] && unit="ms p99"
      printf '  %-15s %9s %-7s %-22s %s\n' "$target" "${VALUE[$key/$target/$round]}" "$unit" \
        "${COST[$key/$target/$round]}" "${CPU[$key/$target/$round]}"
    done
  done
}

section file file "whole 50 MB file to 32 clients" -- --timeout 60s -t2 -c32 -d"${DURATION}s" -H "$HEADER"
export SIZE=$SIZE_50M TOKEN
section ranges ranges "random 64 KiB ranges of the 50 MB file, 32 connections" \
  -- --timeout 60s -t2 -c32 -d"${DURATION}s" -s "$HERE/random-range.lua"
section ttfb ttfb "time to first byte of Range: bytes=0-0, one connection" \
  -- --timeout 10s -t1 -c1 -d"${DURATION}s" --latency -H "$HEADER" -H "Range: bytes=0-0"

# For information only: wrk and the servers load both cores, so the load
# always rises during the run; only the load at the start says whether
# other work shared the machine.
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (raised by the benchmark itself;" \
  "only the start's $LOAD is held to the limit)"
echo "== ratios (Tonearm / its peer; for latency, peer / Tonearm: above 1 is better either way)"
report_ratio file file stream-service nginx "(target >= 0.9)"
report_ratio file file gateway nginx-proxy "(target >= 0.9)"
report_ratio ranges ranges stream-service nginx "(target >= 0.8)"
report_ratio ranges ranges gateway nginx-proxy "(target >= 0.8)"
report_ratio ttfb ttfb stream-service nginx "(target p99 < 0.5 ms: $(best ttfb ttfb stream-service) ms)"
report_ratio ttfb ttfb gateway nginx-proxy "(target p99 < 0.8 ms: $(best ttfb ttfb gateway) ms)"

source "$HERE/extras.sh"
