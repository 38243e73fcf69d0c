#!/usr/bin/env bash
# Instructions stream-service executes per request, counted by callgrind:
# a figure that does not depend on what else runs on the machine, so two
# builds can be compared on a busy one.
#
#   bench/stream/profile.sh [BINARY]      (REQUESTS=2000, RANGE=65536;
#                                         RANGE=0: the whole 50 MB file)
#   THROUGH=gateway bench/stream/profile.sh   (the gateway is measured, in
#                                             front of a plain stream-service)
#
# Starts BINARY (default: the release build in CARGO_TARGET_DIR) under
# valgrind with a song of 50 MB, sends 200 warm-up range requests on one
# keep-alive connection, zeroes the counters, sends REQUESTS random ranges
# of RANGE bytes, and prints the user-space instructions per request (the
# kernel's share, such as copying to the socket, is not counted) and the
# functions that cost the most. Then, without valgrind, `perf stat` counts
# the context switches per request (exact) and the CPU time per request
# (user and kernel; inflated when other work shares the cores). KEEP=1 keeps
# the callgrind output; CALLGRIND=0 skips valgrind.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${1:-$TARGET/release/stream-service}
GATEWAY_BIN=${GATEWAY_BIN:-$TARGET/release/gateway}
THROUGH=${THROUGH:-}
REQUESTS=${REQUESTS:-2000}
RANGE=${RANGE:-65536}
DATABASE_URL=${TONEARM_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tonearm}
TOKEN="profile-internal-token-$$"
command -v valgrind >/dev/null || { echo "needs valgrind: apt-get install -y valgrind" >&2; exit 2; }

WORK=$(mktemp -d /tmp/tonearm-profile.XXXXXX)
chmod 755 "$WORK"
SCHEMA="profile_stream_$$"
STREAM="" GATEWAY=""
cleanup() {
  local pid
  for pid in $GATEWAY $STREAM; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS ${SCHEMA}_gateway CASCADE" >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] && echo "callgrind output kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/music"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$WORK/music/song.flac"
SONG=00000000-0000-4000-8000-000000000050
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA $SCHEMA;
CREATE TABLE $SCHEMA.song_sources (song_id uuid PRIMARY KEY, kind text NOT NULL, path text, url text,
  file_name text NOT NULL, content_type text, size_bytes bigint, modified_at timestamptz, duration_ms bigint);
INSERT INTO $SCHEMA.song_sources (song_id, kind, path, file_name, content_type)
  VALUES ('$SONG', 'local', '$WORK/music/song.flac', 'song.flac', 'audio/flac');
SQL

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # URL LOG
  for _ in $(seq 600); do curl -fs "$1" >/dev/null && return 0; sleep 0.2; done
  echo "did not start:"; cat "$2"; exit 1
}
STREAM_PORT=$(free_port) GATEWAY_PORT=$(free_port)
# start_stream [WRAPPER...]: stream-service on STREAM_PORT, its pid in STREAM.
start_stream() {
  TONEARM_STREAM_PORT=$STREAM_PORT TONEARM_DATABASE_URL=$DATABASE_URL TONEARM_DATABASE_SCHEMA=$SCHEMA \
    TONEARM_MUSIC_DIRS="$WORK/music" TONEARM_INTERNAL_TOKEN=$TOKEN TONEARM_LOG=warn TONEARM_LOG_FORMAT=json \
    "$@" "$BIN" >"$WORK/stream.log" 2>&1 &
  STREAM=$!
  wait_up "http://127.0.0.1:$STREAM_PORT/readyz" "$WORK/stream.log"
}
# start_gateway [WRAPPER...]: the gateway on GATEWAY_PORT in front of it
# (anonymous listeners allowed: no session lookup), its pid in GATEWAY.
start_gateway() {
  TONEARM_GATEWAY_PORT=$GATEWAY_PORT TONEARM_STREAM_URL="http://127.0.0.1:$STREAM_PORT" \
    TONEARM_CATALOG_URL="http://127.0.0.1:$STREAM_PORT" TONEARM_EVENTS_URL="http://127.0.0.1:$STREAM_PORT" \
    TONEARM_DATABASE_URL=$DATABASE_URL TONEARM_DATABASE_SCHEMA="${SCHEMA}_gateway" \
    TONEARM_REDIS_PREFIX="profile:stream:$$:" TONEARM_ADMIN_PASSWORD="profile-password-$$" \
    TONEARM_INTERNAL_TOKEN=$TOKEN TONEARM_ALLOW_ANONYMOUS=true TONEARM_LOG=warn TONEARM_LOG_FORMAT=json \
    "$@" "$GATEWAY_BIN" >"$WORK/gateway.log" 2>&1 &
  GATEWAY=$!
  wait_up "http://127.0.0.1:$GATEWAY_PORT/healthz" "$WORK/gateway.log"
}
# COUNT random ranges on one keep-alive connection; every answer checked.
requests() {
  python3 - "$PORT" "/api/stream/songs/$SONG" "$TOKEN" "$1" "$RANGE" $((50 * 1024 * 1024)) <<'PY'
import http.client, random, sys
port, path, token, count, span, size = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:])
random.seed(42)
connection = http.client.HTTPConnection("127.0.0.1", int(port))
for _ in range(count):
    headers = {"x-tonearm-internal-token": token}
    if span > 0:
        first = random.randrange(0, size - span)
        headers["Range"] = f"bytes={first}-{first + span - 1}"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != (206 if span > 0 else 200) or len(body) != (span or size):
        sys.exit(f"unexpected answer {response.status} with {len(body)} bytes")
PY
}

WARM=$([ "$RANGE" -gt 0 ] && echo 200 || echo 2)
if [ "${CALLGRIND:-1}" != 0 ]; then
VALGRIND=(valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out")
if [ "$THROUGH" = gateway ]; then
  start_stream
  start_gateway "${VALGRIND[@]}"
  PID=$GATEWAY PORT=$GATEWAY_PORT
else
  start_stream "${VALGRIND[@]}"
  PID=$STREAM PORT=$STREAM_PORT
fi


requests "$WARM"
callgrind_control -z "$PID" >/dev/null
requests "$REQUESTS"
callgrind_control -d "$PID" >/dev/null
sleep 1
OUT=$(ls -t "$WORK"/callgrind.out* | head -1)
TOTAL=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }')
echo "measured: $([ "$THROUGH" = gateway ] && echo "$GATEWAY_BIN, in front of $BIN" || echo "$BIN")"
echo "requests: $REQUESTS random ranges of $RANGE bytes, one keep-alive connection"
BULK=$(callgrind_annotate --threshold=100 "$OUT" 2>/dev/null |
  awk '/__mem(cpy|move|set)_/ { v = $1; gsub(/,/, "", v); sum += v } END { printf "%.0f", sum }')
echo "instructions per request: $((TOTAL / REQUESTS)) (total $TOTAL)"
# valgrind counts each byte a rep movsb/stosb moves as one instruction, so
# large copies and fills weigh far more here than in CPU time.
echo "  of which in memcpy/memset (rep movs/stos, one per byte): $((BULK / REQUESTS));" \
  "the rest: $(((TOTAL - BULK) / REQUESTS))"
echo
echo "top functions, inclusive (instructions per request):"
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | awk -v n="$REQUESTS" '
  /^-+$/ { section++ } section >= 3 && $1 ~ /^[0-9,]+$/ && shown < 60 {
    v = $1; gsub(/,/, "", v); $1 = ""; printf "%10.0f %s\n", v / n, substr($0, 1, 150); shown++ }'

fi

if command -v perf >/dev/null; then
  for pid in $GATEWAY $STREAM; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  GATEWAY="" STREAM=""
  start_stream
  PID=$STREAM PORT=$STREAM_PORT
  if [ "$THROUGH" = gateway ]; then start_gateway; PID=$GATEWAY PORT=$GATEWAY_PORT; fi
  requests "$WARM"
  perf stat -x, -e task-clock,context-switches -p "$PID" -o "$WORK/perf.txt" &
  PERF=$!
  sleep 0.5
  requests "$REQUESTS"
  kill -INT "$PERF"; wait "$PERF" 2>/dev/null || true
  echo
  awk -F, -v n="$REQUESTS" -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" '
    $3 == "task-clock" { printf "without valgrind: %.1f CPU-us per request (user + kernel; load %s)\n", $1 * 1000 / n, loadavg }
    $3 == "context-switches" { printf "  %.2f context switches per request\n", $1 / n }' "$WORK/perf.txt"
fi
