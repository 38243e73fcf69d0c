# The figures of stream-service alone, sourced by run.sh after the ratios:
# time to first byte from a remote origin, resident memory under 64
# clients, and transcodes.

echo
echo "== stream-service alone"
measure ttfb "ttfb/remote/1" "$STREAM_ROLES" -- --timeout 10s -t1 -c1 -d"${DURATION}s" --latency \
  -H "$HEADER" -H "Range: bytes=0-0" "$T/$ID_REMOTE"
echo "time to first byte, song on a loopback origin (nginx): p99 ${VALUE[ttfb/remote/1]} ms," \
  "${COST[ttfb/remote/1]}; ${CPU[ttfb/remote/1]}"

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$STREAM_PID/status"; }
sample_peak() { # runs until killed, keeps the highest VmRSS in $1
  local peak=0 now
  while true; do
    now=$(rss_kib); [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$1"
    sleep 0.05
  done
}
echo "resident memory idle: $(( $(rss_kib) / 1024 )) MiB"
for file in 50M:$ID_50M 400M:$ID_400M; do
  echo 0 >"$WORK/peak"
  sample_peak "$WORK/peak" & SAMPLER_PID=$!
  wrk --timeout 60s -t2 -c64 -d"${DURATION}s" -H "$HEADER" "$T/${file#*:}" >/dev/null
  kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  echo "resident memory with 64 clients on the ${file%%:*} file: peak $(( $(cat "$WORK/peak") / 1024 )) MiB (target < 40)"
done

if [ "${TRANSCODES:-1}" != 0 ]; then
  echo
  echo "== transcodes: the 10-minute tone to opus 96 kbit/s, as fast as the cores allow"
  for clients in 1 2 4; do
    start=$(date +%s.%N)
    pids=()
    for _ in $(seq "$clients"); do
      curl -sf -o /dev/null -H "$HEADER" "$T/$ID_TONE?format=opus&bitrate=96" & pids+=($!)
    done
    wait "${pids[@]}"
    end=$(date +%s.%N)
    awk -v c="$clients" -v s="$start" -v e="$end" 'BEGIN { w = e - s;
      printf "%d at once: %.1f s wall, %.0fx real time in total\n", c, w, c * 600 / w }'
  done
fi
[ -n "$LOADED" ] && echo && echo "!! not a valid result: the figures above were $LOADED"
true
