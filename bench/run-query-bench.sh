#!/usr/bin/env bash
# Runs the Smart Scan Server benchmark on this machine and prints a Markdown
# report: scan query throughput (batches of 100 and 1000 digests, single-digest
# requests), latency at fixed rates, the redis-server reference, and the load
# time and memory of a large Smart Scan Pattern. bench/README.md describes what
# each run measures. Progress goes to standard error.
#
# Every server it starts listens on 127.0.0.1 only and is stopped on exit.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${ODSCAN_BUILD_DIR:-$bench_dir/../build/release}
work_dir=/var/tmp/odscan-query-bench
signatures=1000000
large_signatures=10000000
connections=16
client_threads=1
# The load generator runs on the same machine, so the server gets the cores it
# leaves. On 2 cores a second server thread competes with the generator: it
# measured fewer requests/s and a p99 at 80% load several times higher.
server_threads=""
duration=10
warmup=2
repeat=3
hit_ratio=0.1
nice_level=""
wait_quiet=0
pin=auto
run_redis=1
server_bin=""
pattern_bin=""
load_bin=""

# Targets of the Smart Scan Server.
target_batched_digests=2000000
target_single_requests=50000
target_p99_ms=5
# A run in which other processes kept this share of the cores busy is contended.
contended_share=0.10

usage() {
  cat <<'EOF'
Usage: bench/run-query-bench.sh [OPTIONS] > report.md

Options (defaults in brackets):
  --build-dir DIR          take the three programs from DIR [$ODSCAN_BUILD_DIR or build/release]
  --server PATH            smartscan-server to measure
  --pattern-tool PATH      odscan-pattern that builds the patterns
  --load-generator PATH    odscan-query-bench
  --work-dir DIR           data sets, patterns and logs [/var/tmp/odscan-query-bench]
  --signatures N           signatures of the pattern for the throughput runs [1000000]
  --large-signatures N     signatures of the pattern for load time and memory; 0 skips [10000000]
  --connections N          connections of the load generator and of redis-benchmark [16]
  --server-threads N       smartscan-server worker threads [nproc - client threads, at least 1]
  --client-threads N       load generator threads [1]
  --duration SECONDS       measured time of each run [10]
  --warmup SECONDS         load before each measured run [2]
  --repeat N               runs of each measurement; the report shows the median [3]
  --hit-ratio R            share of digests that are in the pattern [0.1]
  --nice N                 run servers and clients with niceness N (below 0 needs root)
  --wait-quiet SECONDS     before each measurement, wait up to this long until other
                           processes use less than 10% of the cores [0]
  --pin yes|no|auto        give the servers and the clients separate cores with taskset;
                           auto pins when there are enough cores for both [auto]
  --no-redis               skip the redis reference
  -h, --help               show this help
EOF
}

while (($# > 0)); do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --server) server_bin=$2; shift 2 ;;
    --pattern-tool) pattern_bin=$2; shift 2 ;;
    --load-generator) load_bin=$2; shift 2 ;;
    --work-dir) work_dir=$2; shift 2 ;;
    --signatures) signatures=$2; shift 2 ;;
    --large-signatures) large_signatures=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --server-threads) server_threads=$2; shift 2 ;;
    --client-threads) client_threads=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --hit-ratio) hit_ratio=$2; shift 2 ;;
    --nice) nice_level=$2; shift 2 ;;
    --wait-quiet) wait_quiet=$2; shift 2 ;;
    --pin) pin=$2; shift 2 ;;
    --no-redis) run_redis=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-query-bench.sh: unknown option '$1'; see --help" >&2; exit 2 ;;
  esac
done

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fail() { echo "run-query-bench.sh: $*" >&2; exit 2; }

find_program() {
  local name=$1 given=$2
  if [[ -n $given ]]; then
    [[ -x $given ]] || fail "$given is not an executable file"
    echo "$given"
    return
  fi
  local found=""
  [[ -d $build_dir ]] && found=$(find "$build_dir" -type f -name "$name" -perm -u+x -print -quit)
  [[ -n $found ]] || fail "$name not found under $build_dir; build it (bench/README.md) or pass its path"
  echo "$found"
}

if [[ -z $server_threads ]]; then
  server_threads=$(($(nproc) - client_threads))
  ((server_threads >= 1)) || server_threads=1
fi

server_bin=$(find_program smartscan-server "$server_bin")
pattern_bin=$(find_program odscan-pattern "$pattern_bin")
load_bin=$(find_program odscan-query-bench "$load_bin")
if ((run_redis)); then
  for tool in redis-server redis-cli redis-benchmark; do
    command -v "$tool" > /dev/null || fail "$tool not found; install Debian's redis-server and redis-tools or pass --no-redis"
  done
fi
command -v curl > /dev/null || fail "curl not found; it checks the server's health"

runner=()
[[ -n $nice_level ]] && runner=(nice -n "$nice_level")

# On shared cores the scheduler moves the server and the load generator between
# them, and a request that arrives while the server waits behind the generator
# adds milliseconds to the tail. Pinned, the generator takes the first cores and
# the servers (smartscan-server and redis-server alike) the next ones.
server_runner=("${runner[@]}")
client_runner=("${runner[@]}")
cores_needed=$((client_threads + server_threads))
case $pin in
  auto) (($(nproc) >= cores_needed)) && pin=yes || pin=no ;;
  yes)
    (($(nproc) >= cores_needed)) ||
      fail "--pin yes needs $cores_needed cores ($client_threads for clients, $server_threads for servers), this machine has $(nproc); lower --server-threads or use --pin no"
    ;;
  no) ;;
  *) fail "--pin takes yes, no or auto, not '$pin'" ;;
esac
client_cpus=""
server_cpus=""
if [[ $pin == yes ]]; then
  command -v taskset > /dev/null || fail "taskset not found; install Debian's util-linux or use --pin no"
  client_cpus="0-$((client_threads - 1))"
  server_cpus="$client_threads-$((cores_needed - 1))"
  server_runner=(taskset -c "$server_cpus" "${runner[@]}")
  client_runner=(taskset -c "$client_cpus" "${runner[@]}")
fi

mkdir -p "$work_dir"
logs_dir="$work_dir/logs"
mkdir -p "$logs_dir"

# ---------------------------------------------------------------------------
# Processes: every process this script starts in the background is stopped on
# exit, also after an error or Ctrl-C.

background_pids=()

stop_process() {
  local pid=$1
  kill "$pid" 2> /dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

stop_all() {
  local pid
  for pid in "${background_pids[@]}"; do stop_process "$pid"; done
  background_pids=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

forget_pid() {
  local pid=$1 kept=() other
  for other in "${background_pids[@]}"; do [[ $other == "$pid" ]] || kept+=("$other"); done
  background_pids=("${kept[@]}")
}

# ---------------------------------------------------------------------------
# CPU accounting from /proc, in clock ticks.

machine_busy_ticks() {
  # user nice system idle iowait irq softirq steal: every field but idle and iowait.
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

process_ticks() {
  # utime + stime, fields 14 and 15; the command name may contain blanks, so the
  # fields are counted after its closing parenthesis.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

ticks_per_second=$(getconf CLK_TCK)
cores=$(nproc)

# Prints the busy share of all cores (0 to 1) over the next 2 seconds.
busy_share() {
  local before after
  before=$(machine_busy_ticks)
  sleep 2
  after=$(machine_busy_ticks)
  awk -v b="$before" -v a="$after" -v t="$ticks_per_second" -v c="$cores" \
    'BEGIN { printf "%.2f", (a - b) / t / 2 / c }'
}

wait_until_quiet() {
  ((wait_quiet > 0)) || return 0
  local waited=0 share
  while true; do
    share=$(busy_share)
    if awk -v s="$share" -v l="$contended_share" 'BEGIN { exit !(s < l) }'; then
      log "other processes use $(percent "$share") of the cores"
      return 0
    fi
    if ((waited >= wait_quiet)); then
      log "still $(percent "$share") busy after waiting ${waited} s; measuring anyway"
      return 0
    fi
    log "other processes use $(percent "$share") of the cores; waiting"
    sleep 3
    waited=$((waited + 5))
  done
}

percent() { awk -v s="$1" 'BEGIN { printf "%.0f%%", 100 * s }'; }

# ---------------------------------------------------------------------------
# Result lines: odscan-query-bench ends each run with "result key=value ...".

field() {
  # field NAME LINE: the value of NAME in a result line.
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $2"
}

is_contended() {
  # is_contended LINE: other processes used >= 10% of the cores during the run.
  local others
  others=$(field other_cpu "$1")
  [[ -n $others ]] && awk -v o="$others" -v c="$cores" -v l="$contended_share" 'BEGIN { exit !(o >= l * c) }'
}

# median_line KEY LINE...: the line with the median value of KEY among the
# uncontended lines, or among all lines when every one is contended.
median_line() {
  local key=$1 line
  shift
  local candidates=()
  for line in "$@"; do is_contended "$line" || candidates+=("$line"); done
  ((${#candidates[@]} > 0)) || candidates=("$@")
  for line in "${candidates[@]}"; do echo "$(field "$key" "$line") $line"; done |
    sort -g | awk '{ lines[NR] = $0 } END { print lines[int((NR + 1) / 2)] }' | cut -d' ' -f2-
}

# run_values KEY LINE...: every run's KEY, marked (C) when contended.
run_values() {
  local key=$1 line values=()
  shift
  for line in "$@"; do
    if is_contended "$line"; then values+=("$(field "$key" "$line") (C)"); else values+=("$(field "$key" "$line")"); fi
  done
  local IFS=,
  local joined="${values[*]}"
  echo "${joined//,/, }"
}

all_contended() {
  local line
  for line in "$@"; do is_contended "$line" || return 1; done
  return 0
}

total_errors() {
  local line total=0
  for line in "$@"; do total=$((total + $(field errors "$line"))); done
  echo "$total"
}

# ---------------------------------------------------------------------------
# Data sets and patterns.

key_private="$work_dir/bench-signing.pem"
key_public="$work_dir/bench-signing.pub"
if [[ ! -f $key_private || ! -f $key_public ]]; then
  "$pattern_bin" keygen --force --private "$key_private" --public "$key_public" > /dev/null
fi

# build_set COUNT: writes the signature list (and, for the throughput set, the
# redis commands) of COUNT signatures, builds its Smart Scan Pattern, and sets
# built_pattern and build_seconds[COUNT].
declare -A build_seconds
built_pattern=""
build_set() {
  local count=$1 folder="$work_dir/set-$1"
  mkdir -p "$folder"
  log "generating $count signatures"
  local redis_args=()
  ((run_redis)) && [[ $count == "$signatures" ]] && redis_args=(--redis-commands "$folder/redis-commands.resp")
  "$load_bin" generate --count "$count" --seed 1 --signatures "$folder/signatures.txt" "${redis_args[@]}" > /dev/null
  log "building the Smart Scan Pattern of $count signatures"
  local start end
  start=$(date +%s.%N)
  "$pattern_bin" build --key "$key_private" --output-dir "$folder/pattern" "$folder/signatures.txt" > "$logs_dir/build-$count.txt"
  end=$(date +%s.%N)
  build_seconds[$count]=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
  built_pattern="$folder/pattern/smart-scan-pattern.ptn"
}

# ---------------------------------------------------------------------------
# smartscan-server.

server_pid=""
server_port=""
server_ready_seconds=""

# start_server PATTERN NAME: starts smartscan-server on 127.0.0.1 port 0, waits
# until its port file appears (written after the pattern is loaded and verified)
# and /v1/health reports ready, and sets server_pid, server_port and
# server_ready_seconds.
start_server() {
  local pattern=$1 name=$2 port_file="$work_dir/$2.port"
  rm -f "$port_file"
  local start
  start=$(date +%s.%N)
  "${server_runner[@]}" "$server_bin" --listen 127.0.0.1:0 --port-file "$port_file" \
    --pattern "$pattern" --public-key "$key_public" --threads "$server_threads" \
    --no-access-log --log-file "$logs_dir/$name.log" > "$logs_dir/$name.out" 2>&1 &
  server_pid=$!
  background_pids+=("$server_pid")
  while [[ ! -s $port_file ]]; do
    kill -0 "$server_pid" 2> /dev/null || fail "smartscan-server exited during start; see $logs_dir/$name.out"
    sleep 0.01
  done
  local ready
  ready=$(date +%s.%N)
  server_ready_seconds=$(awk -v s="$start" -v e="$ready" 'BEGIN { printf "%.2f", e - s }')
  server_port=$(< "$port_file")
  curl -fsS "http://127.0.0.1:$server_port/v1/health" > "$logs_dir/$name.health" ||
    fail "smartscan-server on port $server_port is not ready; see $logs_dir/$name.log"
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  stop_process "$server_pid"
  forget_pid "$server_pid"
  server_pid=""
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# load_run ARGS...: one run of the load generator; prints its result line.
load_run() {
  local output
  output=$("${client_runner[@]}" "$load_bin" run --port "$server_port" --server-pid "$server_pid" \
    --hits "$set_folder/signatures.txt" --hit-ratio "$hit_ratio" --connections "$connections" \
    --threads "$client_threads" --duration "$duration" --warmup "$warmup" "$@" 2> "$logs_dir/load.err") || true
  echo "$output" >> "$logs_dir/load-runs.txt"
  local result
  result=$(grep '^result ' <<< "$output" || true)
  [[ -n $result ]] || fail "odscan-query-bench failed: $(cat "$logs_dir/load.err")"
  echo "$result"
}

# Result lines of the measurements, filled by repeat_runs.
batch100=()
batch1000=()
single=()
fixed=()

# repeat_runs NAME ARGS...: runs the load generator --repeat times; the result
# lines go to the array named NAME.
repeat_runs() {
  local -n lines=$1
  shift
  lines=()
  local i line
  for ((i = 1; i <= repeat; i++)); do
    wait_until_quiet
    line=$(load_run "$@")
    log "  run $i: $(field requests_per_second "$line") requests/s, $(field digests_per_second "$line") digests/s," \
      "p99 $(field p99_ms "$line") ms, others $(field other_cpu "$line") cores, errors $(field errors "$line")"
    lines+=("$line")
  done
}

throughput_row() {
  # throughput_row LABEL KEY LINE...: a table row for the median run by KEY.
  local label=$1 key=$2
  shift 2
  local line note=""
  line=$(median_line "$key" "$@")
  all_contended "$@" && note="ALL RUNS CONTENDED; "
  local errors
  errors=$(total_errors "$@")
  ((errors == 0)) || note+="$errors ERRORS; "
  printf '| %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %sruns: %s |\n' \
    "$label" "$(field requests_per_second "$line")" "$(field digests_per_second "$line")" \
    "$(field p50_ms "$line")" "$(field p90_ms "$line")" "$(field p99_ms "$line")" "$(field max_ms "$line")" \
    "$(field client_cpu "$line")" "$(field server_cpu "$line")" "$(field other_cpu "$line")" \
    "$note" "$(run_values "$key" "$@")"
}

# ---------------------------------------------------------------------------
# Report.

report_date=$(date -u +%Y-%m-%d)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)

echo "## Smart Scan Server benchmark, $report_date"
echo
echo "### Machine"
echo
echo "- $cores cores (\`nproc\`), \"$cpu_model\", $memory_gib GiB of memory, kernel $(uname -r)."
echo "- smartscan-server: \`$server_bin\`, $server_threads worker threads, access log off."
echo "- Load generator: \`$load_bin\`, $client_threads thread(s), $connections keep-alive connections, binary query bodies, $(percent "$hit_ratio") hits."
((run_redis)) && echo "- $(redis-server --version | cut -d' ' -f1-3), redis-benchmark with $connections connections."
[[ -n $nice_level ]] && echo "- Servers and clients ran with niceness $nice_level."
if [[ $pin == yes ]]; then
  echo "- Pinned with taskset: load generators on CPU $client_cpus, servers on CPU $server_cpus."
else
  echo "- Not pinned: servers and load generators shared all cores."
fi
echo "- Load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg); other processes used $(percent "$(busy_share)") of the cores in a 2 s sample."
echo "- Each figure is the median of $repeat runs of $duration s after $warmup s of warm-up. A run is contended (C) when other processes used 10% of the cores or more during it; the median is taken over the uncontended runs."
echo

set_folder="$work_dir/set-$signatures"
build_set "$signatures"
pattern=$built_pattern
start_server "$pattern" "server-$signatures"
small_rss=$(rss_kib "$server_pid")
small_ready=$server_ready_seconds
log "smartscan-server ready on 127.0.0.1:$server_port after $small_ready s"

log "batches of 100 digests"
repeat_runs batch100 --batch 100
log "batches of 1000 digests"
repeat_runs batch1000 --batch 1000
log "single-digest requests"
repeat_runs single --batch 1

single_max=$(field requests_per_second "$(median_line requests_per_second "${single[@]}")")
declare -A rate_lines
for share in 50 80 100; do
  rate=$(awk -v m="$single_max" -v s="$share" 'BEGIN { printf "%.0f", m * s / 100 }')
  log "fixed rate $rate requests/s ($share% of $single_max)"
  repeat_runs fixed --batch 1 --rate "$rate"
  rate_lines[$share]=$(printf '%s\n' "${fixed[@]}")
done
stop_server

echo "### Scan query throughput ($signatures-signature pattern, closed loop)"
echo
echo "| run | requests/s | digests/s | p50 ms | p90 ms | p99 ms | max ms | CPU cores: generator / server / others | note |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
throughput_row "batches of 100" digests_per_second "${batch100[@]}"
throughput_row "batches of 1000" digests_per_second "${batch1000[@]}"
throughput_row "single digest" requests_per_second "${single[@]}"
echo
echo "### Latency at fixed rates (single-digest requests, open loop)"
echo
echo "Latency counts from the time each request was due, so time spent waiting behind a slow answer is included."
echo
echo "| rate | share of the maximum | answered/s | p50 ms | p99 ms | max ms | CPU cores: generator / server / others | note |"
echo "|---:|---:|---:|---:|---:|---:|---|---|"
for share in 50 80 100; do
  mapfile -t lines <<< "${rate_lines[$share]}"
  line=$(median_line p99_ms "${lines[@]}")
  note=""
  all_contended "${lines[@]}" && note="ALL RUNS CONTENDED; "
  errors=$(total_errors "${lines[@]}")
  ((errors == 0)) || note+="$errors ERRORS; "
  printf '| %s | %s%% | %s | %s | %s | %s | %s / %s / %s | %sp99 of the runs: %s |\n' \
    "$(field target_rate "$line")" "$share" "$(field requests_per_second "$line")" \
    "$(field p50_ms "$line")" "$(field p99_ms "$line")" "$(field max_ms "$line")" \
    "$(field client_cpu "$line")" "$(field server_cpu "$line")" "$(field other_cpu "$line")" \
    "$note" "$(run_values p99_ms "${lines[@]}")"
done
echo

# ---------------------------------------------------------------------------
# redis reference.

redis_rows=()
redis_rss=""
redis_used=""
if ((run_redis)); then
  redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  log "starting redis-server on 127.0.0.1:$redis_port"
  "${server_runner[@]}" redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --protected-mode yes --dir "$work_dir" --logfile "$logs_dir/redis.log" &
  redis_pid=$!
  background_pids+=("$redis_pid")
  for _ in $(seq 100); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping > /dev/null 2>&1 && break
    sleep 0.1
  done
  log "loading $signatures keys with redis-cli --pipe"
  redis-cli -h 127.0.0.1 -p "$redis_port" --pipe < "$set_folder/redis-commands.resp" > "$logs_dir/redis-load.txt"
  keys=$(redis-cli -h 127.0.0.1 -p "$redis_port" dbsize)
  [[ $keys == "$signatures" ]] || fail "redis holds $keys keys after loading, expected $signatures"
  redis_rss=$(rss_kib "$redis_pid")
  redis_used=$(redis-cli -h 127.0.0.1 -p "$redis_port" info memory | awk -F: '/^used_memory:/ { printf "%.0f", $2 / 1024 }')

  # The same keys as redisKey() in bench/query/synthetic_signatures.h writes.
  key_template=$(printf '%052d__rand_int__' 0)
  # redis_bench LABEL KEYS_PER_REQUEST REDIS-BENCHMARK-ARGS...: runs redis-benchmark
  # for about --duration seconds (the request count comes from a short first
  # run), --repeat times, and adds a table row.
  redis_bench() {
    local label=$1 per_request=$2
    shift 2
    local probe rps requests
    probe=$("${client_runner[@]}" redis-benchmark -h 127.0.0.1 -p "$redis_port" -c "$connections" -n 20000 \
      -r "$signatures" --csv "$@" | tail -1)
    rps=$(cut -d'"' -f4 <<< "$probe")
    requests=$(awk -v r="$rps" -v d="$duration" 'BEGIN { printf "%.0f", r * d }')
    local runs=() values=() i
    for ((i = 1; i <= repeat; i++)); do
      wait_until_quiet
      local busy_before redis_before children_before busy_after redis_after children_after csv
      local wall_before wall_after
      wall_before=$(date +%s.%N)
      busy_before=$(machine_busy_ticks)
      redis_before=$(process_ticks "$redis_pid")
      times > "$logs_dir/times.txt"
      children_before=$(sed -n 2p "$logs_dir/times.txt")
      csv=$("${client_runner[@]}" redis-benchmark -h 127.0.0.1 -p "$redis_port" -c "$connections" -n "$requests" \
        -r "$signatures" --csv "$@" | tail -1)
      times > "$logs_dir/times.txt"
      children_after=$(sed -n 2p "$logs_dir/times.txt")
      busy_after=$(machine_busy_ticks)
      redis_after=$(process_ticks "$redis_pid")
      wall_after=$(date +%s.%N)
      local line
      line=$(awk -v csv="$csv" -v per="$per_request" -v cb="$children_before" -v ca="$children_after" \
        -v bb="$busy_before" -v ba="$busy_after" -v rb="$redis_before" -v ra="$redis_after" \
        -v t="$ticks_per_second" -v wb="$wall_before" -v wa="$wall_after" '
        function seconds(text,   parts, total, i, pair) {
          split(text, parts, " "); total = 0
          for (i = 1; i <= 2; i++) { split(parts[i], pair, "m"); total += pair[1] * 60 + pair[2] }
          return total
        }
        BEGIN {
          split(csv, f, "\""); rps = f[4]; p50 = f[10]; p99 = f[14]; max = f[16]
          wall = wa - wb
          client = (seconds(ca) - seconds(cb)) / wall
          server = (ra - rb) / t / wall
          others = (ba - bb) / t / wall - client - server
          if (others < 0) others = 0
          printf "result requests_per_second=%.1f digests_per_second=%.0f p50_ms=%s p99_ms=%s max_ms=%s client_cpu=%.2f server_cpu=%.2f other_cpu=%.2f errors=0",
            rps, rps * per, p50, p99, max, client, server, others
        }')
      log "  redis $label run $i: $(field requests_per_second "$line") requests/s, others $(field other_cpu "$line") cores"
      runs+=("$line")
    done
    local median note=""
    median=$(median_line digests_per_second "${runs[@]}")
    all_contended "${runs[@]}" && note="ALL RUNS CONTENDED; "
    redis_rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s / %s / %s | %sruns: %s |' \
      "$label" "$(field requests_per_second "$median")" "$(field digests_per_second "$median")" \
      "$(field p50_ms "$median")" "$(field p99_ms "$median")" "$(field max_ms "$median")" \
      "$(field client_cpu "$median")" "$(field server_cpu "$median")" "$(field other_cpu "$median")" \
      "$note" "$(run_values requests_per_second "${runs[@]}")")")
  }

  log "redis GET, not pipelined"
  redis_bench "GET" 1 GET "$key_template"
  log "redis GET, pipelined 16 deep"
  redis_bench "GET, -P 16" 1 -P 16 GET "$key_template"
  mget_args=()
  for _ in $(seq 100); do mget_args+=("$key_template"); done
  log "redis MGET of 100 keys"
  redis_bench "MGET of 100 keys" 100 MGET "${mget_args[@]}"
  stop_process "$redis_pid"
  forget_pid "$redis_pid"

  echo "### redis reference ($signatures keys)"
  echo
  echo "redis-server holds $signatures keys of 64 characters (the length of a hex SHA-256) mapped to the same threat names; redis-benchmark can only vary keys through its 12-digit \`__rand_int__\` placeholder, so the keys are 52 zeros and the index. Every GET is a hit. Keys/s counts keys looked up: requests/s for GET, 100 x requests/s for MGET. Latency comes from redis-benchmark's own CSV output."
  echo
  echo "| run | requests/s | keys/s | p50 ms | p99 ms | max ms | CPU cores: redis-benchmark / redis-server / others | note |"
  echo "|---|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${redis_rows[@]}"
  echo
fi

# ---------------------------------------------------------------------------
# Load time and memory.

echo "### Pattern load time and memory"
echo
echo "Start to ready is the time from starting smartscan-server until it writes its port file, which it does after loading and verifying the pattern (signature, checksum, decompression, structure) and opening the socket. RSS is VmRSS of the server after that, peak is VmHWM."
echo
echo "| Smart Scan Pattern | file size | pattern build s | start to ready s | RSS MiB | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
printf '| %s signatures | %s MiB | %s | %s | %s | - |\n' "$signatures" \
  "$(mib $(($(stat -c %s "$pattern") / 1024)))" "${build_seconds[$signatures]}" "$small_ready" "$(mib "$small_rss")"
if ((large_signatures > 0)); then
  build_set "$large_signatures"
  large_pattern=$built_pattern
  readies=()
  for ((i = 1; i <= repeat; i++)); do
    wait_until_quiet
    start_server "$large_pattern" "server-$large_signatures"
    readies+=("$server_ready_seconds")
    large_rss=$(rss_kib "$server_pid")
    large_peak=$(peak_rss_kib "$server_pid")
    log "  $large_signatures signatures: ready after $server_ready_seconds s, RSS $(mib "$large_rss") MiB"
    stop_server
  done
  median_ready=$(printf '%s\n' "${readies[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  printf '| %s signatures | %s MiB | %s | %s (runs: %s) | %s | %s |\n' "$large_signatures" \
    "$(mib $(($(stat -c %s "$large_pattern") / 1024)))" "${build_seconds[$large_signatures]}" \
    "$median_ready" "$(printf '%s ' "${readies[@]}" | sed 's/ $//; s/ /, /g')" "$(mib "$large_rss")" "$(mib "$large_peak")"
fi
if ((run_redis)); then
  printf '| redis-server, %s keys | - | - | - | %s (used_memory %s) | - |\n' "$signatures" "$(mib "$redis_rss")" "$(mib "$redis_used")"
fi
echo

# ---------------------------------------------------------------------------
# Targets.

verdict() {
  # verdict OK LINES...: PASS when OK is 1 and no run had errors.
  local ok=$1
  shift
  local errors
  errors=$(total_errors "$@")
  if ((errors > 0)); then
    echo "FAIL ($errors errors)"
  elif ((ok)); then
    if all_contended "$@"; then echo "PASS (all runs contended)"; else echo "PASS"; fi
  else
    if all_contended "$@"; then echo "FAIL (all runs contended)"; else echo "FAIL"; fi
  fi
}

at_least() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v >= t) }' && echo 1 || echo 0; }
below() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v < t) }' && echo 1 || echo 0; }

echo "### Targets"
echo
batch_target() {
  # batch_target BATCH LINES...: the target line for one batch size.
  local batch=$1 value
  shift
  value=$(field digests_per_second "$(median_line digests_per_second "$@")")
  echo "- $(verdict "$(at_least "$value" "$target_batched_digests")" "$@"): batches of $batch: $value digests/s, target at least $target_batched_digests."
}
batch_target 100 "${batch100[@]}"
batch_target 1000 "${batch1000[@]}"
echo "- $(verdict "$(at_least "$single_max" "$target_single_requests")" "${single[@]}"): single-digest requests with keep-alive: $single_max requests/s, target at least $target_single_requests."
mapfile -t lines <<< "${rate_lines[80]}"
p99_80=$(field p99_ms "$(median_line p99_ms "${lines[@]}")")
echo "- $(verdict "$(below "$p99_80" "$target_p99_ms")" "${lines[@]}"): p99 at 80% of the maximum rate: $p99_80 ms, target below $target_p99_ms ms."
echo
log "done; raw output of every run is in $logs_dir/load-runs.txt"
