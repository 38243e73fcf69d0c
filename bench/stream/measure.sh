# Measurement helpers sourced by run.sh: CPU time of processes read from
# /proc, one wrk run with the CPU every process spent on it, and parsing of
# wrk's report. Every figure is stored in the associative arrays below,
# keyed "measure/target/round".

HZ=$(getconf CLK_TCK)
declare -A VALUE   # the measure's figure (MB/s, requests/s, p99 ms)
declare -A CPU     # "client 95% | nginx 120%", printed beside the figure
declare -A COST    # CPU seconds per GiB, or CPU microseconds per request

# An nginx's processes: its master (from the pid file) and its workers, as
# "pid,pid,pid".
nginx_pids() {
  local master
  master=$(cat "$1")
  echo "$master $(pgrep -P "$master")" | tr -s ' \n' ',' | sed 's/,$//'
}

# CPU ticks (utime + stime, every thread) the given pids have used so far.
ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # Fields after "(comm) " start at field 3; utime and stime are 14 and 15.
    read -ra fields < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

# The one-minute load average, and whether it is above the limit.
load_now() { cut -d' ' -f1 /proc/loadavg; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# wrk's figures, in plain numbers.
transfer_bytes() { # total bytes read: "123 requests in 10.00s, 1.23GB read"
  awk '/ read$/ { v=$(NF-1); u=substr(v, length(v)-1); n=v+0;
    m = (u=="GB") ? 1073741824 : (u=="MB") ? 1048576 : (u=="KB") ? 1024 : 1; printf "%.0f", n*m }' "$1"
}
requests_total() { awk '/ requests in / { print $1 }' "$1"; }
p99_ms() { # "     99%  262.00us" in the latency distribution
  awk '$1 == "99%" { v=$2; n=v+0; u=v; gsub(/[0-9.]/, "", u);
    f = (u=="us") ? 0.001 : (u=="ms") ? 1 : (u=="s") ? 1000 : (u=="m") ? 60000 : 1; printf "%.3f", n*f }' "$1"
}
non_2xx() { grep -hE 'Non-2xx|Socket errors|^errors: [1-9]' "$1" | tr -s ' ' | paste -sd';' || true; }

# measure KIND KEY ROLES -- wrk arguments...
# Runs wrk once and records, under KEY, the figure of KIND (file, ranges or
# ttfb) with the CPU% of the client and of each role ("name=pid,pid ...")
# over the run, and the serving processes' CPU cost.
measure() {
  local kind=$1 key=$2 roles=$3 out="$WORK/wrk-${2//\//-}.txt"
  shift 4
  local -A before
  local role name pids
  for role in $roles; do
    name=${role%%=*} pids=${role#*=}
    before[$name]=$(ticks ${pids//,/ })
  done
  local start end
  start=$(date +%s%N)
  { TIMEFORMAT='%U %S'; time wrk "$@" >"$out" 2>&1; } 2>"$out.time"
  end=$(date +%s%N)
  local wall client server_ticks=0 spent line
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
  client=$(tail -1 "$out.time" | awk -v w="$wall" '{ printf "%.0f", ($1 + $2) / w * 100 }')
  line="client $client%"
  for role in $roles; do
    name=${role%%=*} pids=${role#*=}
    spent=$(( $(ticks ${pids//,/ }) - ${before[$name]} ))
    server_ticks=$((server_ticks + spent))
    line+=" | $name $(awk -v t="$spent" -v h="$HZ" -v w="$wall" 'BEGIN { printf "%.0f", t / h / w * 100 }')%"
  done
  CPU[$key]=$line
  local bytes requests
  bytes=$(transfer_bytes "$out") requests=$(requests_total "$out")
  case $kind in
    file)
      VALUE[$key]=$(awk -v b="$bytes" -v w="$wall" 'BEGIN { printf "%.0f", b / 1e6 / w }')
      COST[$key]=$(awk -v t="$server_ticks" -v h="$HZ" -v b="$bytes" \
        'BEGIN { printf "%.2f CPU-s/GiB", (b > 0) ? t / h / (b / 1073741824) : 0 }') ;;
    ranges | ttfb)
      if [ "$kind" = ranges ]; then
        VALUE[$key]=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$out")
      else
        VALUE[$key]=$(p99_ms "$out")
      fi
      COST[$key]=$(awk -v t="$server_ticks" -v h="$HZ" -v r="$requests" \
        'BEGIN { printf "%.0f CPU-us/request", (r > 0) ? t / h / r * 1e6 : 0 }') ;;
  esac
  local problems
  problems=$(non_2xx "$out")
  [ -n "$problems" ] && CPU[$key]+="  ($problems)"
  return 0
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# best KIND MEASURE TARGET: the best figure over the rounds (highest, or
# lowest for a latency).
best() {
  local kind=$1 key=$2 target=$3 round values=()
  for round in $(seq "$ROUNDS"); do values+=("${VALUE[$key/$target/$round]:-0}"); done
  printf '%s\n' "${values[@]}" | sort -g | if [ "$kind" = ttfb ]; then head -1; else tail -1; fi
}

# Ratios of Tonearm to its peer: from the best figures, then per round
# (the two ran back to back, so slow swings of other load cancel out).
# For a latency the ratio is peer / Tonearm, so above 1 is always better.
report_ratio() {
  local kind=$1 key=$2 tonearm=$3 peer=$4 target=$5 round per=() a b
  a=$(best "$kind" "$key" "$tonearm") b=$(best "$kind" "$key" "$peer")
  for round in $(seq "$ROUNDS"); do
    if [ "$kind" = ttfb ]; then
      per+=("$(ratio "${VALUE[$key/$peer/$round]}" "${VALUE[$key/$tonearm/$round]}")")
    else
      per+=("$(ratio "${VALUE[$key/$tonearm/$round]}" "${VALUE[$key/$peer/$round]}")")
    fi
  done
  local overall
  if [ "$kind" = ttfb ]; then overall=$(ratio "$b" "$a"); else overall=$(ratio "$a" "$b"); fi
  printf 'RATIO %-14s %-16s / %-13s = %s (rounds %s) %s%s\n' "$key" "$tonearm" "$peer" "$overall" \
    "$(IFS=,; echo "${per[*]}")" "$target" "${LOADED:+  [$LOADED]}"
}
