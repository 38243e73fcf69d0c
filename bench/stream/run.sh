#!/usr/bin/env bash
# Tonearm stream-service against nginx serving the same files, same run.
#
#   bench/stream/run.sh            (DURATION=10 seconds per load test)
#
# Needs: nginx (apt-get install -y nginx-light), wrk (apt-get install -y wrk),
# ffmpeg, curl, psql and a PostgreSQL at TONEARM_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/tonearm). Builds stream-service in
# release mode. Prints each figure and the Tonearm / nginx ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/stream"
DURATION=${DURATION:-10}
DATABASE_URL=${TONEARM_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tonearm}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

need() { command -v "$1" >/dev/null || { echo "bench: '$1' is needed: $2" >&2; exit 2; }; }
need nginx "apt-get install -y nginx-light"
need wrk "apt-get install -y wrk"
need ffmpeg "apt-get install -y ffmpeg"
need curl "apt-get install -y curl"
need psql "apt-get install -y postgresql-client"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d /tmp/tonearm-bench.XXXXXX)
chmod 755 "$WORK"
SCHEMA="bench_stream_$$"
STREAM_PID=""
SAMPLER_PID=""
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  [ -n "$STREAM_PID" ] && kill "$STREAM_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building stream-service (release)"
(cd "$ROOT" && cargo build --release -q -p stream-service)
BIN="$TARGET/release/stream-service"

echo "== preparing files in $WORK/music"
mkdir -p "$WORK/music" "$WORK/tmp"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$WORK/music/song-50m.bin"
head -c $((400 * 1024 * 1024)) /dev/urandom >"$WORK/music/song-400m.bin"
ffmpeg -hide_banner -loglevel error -f lavfi -i "sine=frequency=440:duration=600" \
  -ac 2 -ar 44100 -c:a libmp3lame -b:a 192k "$WORK/music/tone-10min.mp3"
chmod 644 "$WORK"/music/*
SIZE_50M=$((50 * 1024 * 1024))

NGINX_PORT=$(free_port)
STREAM_PORT=$(free_port)
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" "$HERE/nginx.conf.in" >"$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" -p "$WORK"

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
  TONEARM_TRANSCODE_MAX=64 TONEARM_LOG=warn TONEARM_LOG_FORMAT=json \
  "$BIN" >"$WORK/stream.log" 2>&1 &
STREAM_PID=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$STREAM_PORT/readyz" >/dev/null && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$STREAM_PORT/readyz" >/dev/null || { echo "stream-service did not start:"; cat "$WORK/stream.log"; exit 1; }

T="http://127.0.0.1:$STREAM_PORT/api/stream/songs"
N="http://127.0.0.1:$NGINX_PORT"
cat "$WORK"/music/* >/dev/null # both servers read from the page cache

# wrk's "Transfer/sec: 1.23GB" in bytes per second.
transfer() { awk '/Transfer\/sec/ { v=$2; u=substr(v, length(v)-1); n=v+0;
  m = (u=="GB") ? 1073741824 : (u=="MB") ? 1048576 : (u=="KB") ? 1024 : 1; printf "%.0f", n*m }'; }
rps() { awk '/Requests\/sec/ { printf "%.0f", $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB/s", b / 1048576 }'; }

echo
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo
echo "== throughput: the 50 MB file to 32 concurrent clients, ${DURATION}s each"
wrk --timeout 60s -t2 -c32 -d"${DURATION}s" "$N/song-50m.bin" >"$WORK/wrk-nginx.txt"
wrk --timeout 60s -t2 -c32 -d"${DURATION}s" "$T/$ID_50M" >"$WORK/wrk-tonearm.txt"
NG=$(transfer <"$WORK/wrk-nginx.txt"); TN=$(transfer <"$WORK/wrk-tonearm.txt")
echo "nginx   $(mib "$NG") $(grep -h 'Non-2xx' "$WORK/wrk-nginx.txt" || true)"
echo "tonearm $(mib "$TN") $(grep -h 'Non-2xx' "$WORK/wrk-tonearm.txt" || true)"
echo "RATIO throughput tonearm/nginx = $(ratio "$TN" "$NG") (target >= 0.9)"

echo
echo "== seeking: random 64 KiB ranges of the 50 MB file, 32 connections"
SIZE=$SIZE_50M wrk --timeout 60s -t2 -c32 -d"${DURATION}s" -s "$HERE/random-range.lua" "$N/song-50m.bin" >"$WORK/range-nginx.txt"
SIZE=$SIZE_50M wrk --timeout 60s -t2 -c32 -d"${DURATION}s" -s "$HERE/random-range.lua" "$T/$ID_50M" >"$WORK/range-tonearm.txt"
NG=$(rps <"$WORK/range-nginx.txt"); TN=$(rps <"$WORK/range-tonearm.txt")
echo "nginx   $NG req/s ($(grep errors "$WORK/range-nginx.txt"))"
echo "tonearm $TN req/s ($(grep errors "$WORK/range-tonearm.txt"))"
echo "RATIO ranges/s tonearm/nginx = $(ratio "$TN" "$NG") (target >= 0.8)"

echo
echo "== time to first byte, 300 sequential 64 KiB range requests each (ms)"
ttfb() {
  for _ in $(seq 300); do
    curl -s -o /dev/null -r 0-65535 -w '%{time_starttransfer}\n' "$1"
  done | sort -n | awk '{ v[NR] = $1 * 1000 } END {
    printf "p50 %.2f  p99 %.2f  max %.2f\n", v[int(NR * 0.5)], v[int(NR * 0.99)], v[NR] }'
}
echo "nginx, local file            $(ttfb "$N/song-50m.bin")"
echo "tonearm, local file          $(ttfb "$T/$ID_50M")"
echo "tonearm, loopback origin     $(ttfb "$T/$ID_REMOTE")"

echo
echo "== peak RSS of stream-service while 64 clients stream large files"
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$STREAM_PID/status"; }
sample_peak() { # runs until killed, keeps the highest VmRSS in $1
  local peak=0 now
  while true; do
    now=$(rss_kib); [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$1"
    sleep 0.05
  done
}
echo "idle: $(( $(rss_kib) / 1024 )) MiB"
for file in 50M:$ID_50M 400M:$ID_400M; do
  echo 0 >"$WORK/peak"
  sample_peak "$WORK/peak" & SAMPLER_PID=$!
  wrk --timeout 60s -t2 -c64 -d"${DURATION}s" "$T/${file#*:}" >/dev/null
  kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  echo "64 clients on the ${file%%:*} file: peak $(( $(cat "$WORK/peak") / 1024 )) MiB (target < 100, flat)"
done

echo
echo "== transcodes: the 10-minute tone to opus 96 kbit/s, as fast as 2 cores allow"
for clients in 1 2 4; do
  start=$(date +%s.%N)
  pids=()
  for _ in $(seq "$clients"); do
    curl -sf -o /dev/null "$T/$ID_TONE?format=opus&bitrate=96" & pids+=($!)
  done
  wait "${pids[@]}"
  end=$(date +%s.%N)
  awk -v c="$clients" -v s="$start" -v e="$end" 'BEGIN {
    w = e - s; printf "%d at once: %.1f s wall, %.0fx real time in total = %.0f real-time transcodes sustained\n", c, w, c * 600 / w, c * 600 / w }'
done
