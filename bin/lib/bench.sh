# Shared by bin/bench's steps: starting servers, driving wrk, collecting figures.
# Sourced, not run. Expects to be sourced from the repository root.

source bin/lib/node.sh
source bin/lib/jvm.sh

KEYS=${KEYS:-100000}
VALUE_BYTES=${VALUE_BYTES:-100}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
FSYNC=${FSYNC:-always}
RESULTS=${RESULTS:-target/bench}
export KEYS VALUE_BYTES

command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [[ ! -f target/samza-kv.jar || ! -d target/test-classes/io/samzakv/bench ]]; then
  mvn -q -B -DskipTests -Dfmt.skip package test-compile
fi
mkdir -p "$RESULTS"

work=$(mktemp -d)
pids=()
# stop_servers: kills the servers started so far and waits until they are gone, ports and all
# (cluster nodes are not this shell's children, so waiting for those means polling)
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  done
  pids=()
}
# cleanup: on a failed run the servers' logs are kept in $RESULTS/logs, to see what went wrong
cleanup() {
  local status=$?
  stop_servers
  if ((status != 0)); then
    mkdir -p "$RESULTS/logs"
    find "$work" -name '*.log' -exec cp {} "$RESULTS/logs/" \;
    echo "bench: failed; the servers' logs are in $RESULTS/logs" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_node NAME DATA_DIR HTTP_PORT: a node logging to $work/NAME.log; its pid is in $started
start_node() {
  launch_node "$work" "$work/$1.log" "$2" "$3" "$FSYNC"
  pids+=("$started")
}

# start_ceiling MODE PORT: the in-memory Vert.x server (raw or web), preloaded with KEYS keys
start_ceiling() {
  # shellcheck disable=SC2046 # one option per line
  java $(jvm_options .) -cp target/samza-kv.jar:target/test-classes io.samzakv.bench.CeilingServer \
    "$2" "$KEYS" "$VALUE_BYTES" "$1" >"$work/ceiling-$1.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$2/v1/kv/key-0" $!
}

# preload URL COUNT: COUNT keys key-0.. of VALUE_BYTES bytes, through /v1/batch
preload() {
  python3 bin/preload.py "$1" "$2" "$VALUE_BYTES"
}

# load "URL..." SCRIPT CONNECTIONS DURATION: one wrk per URL, all at once, sharing THREADS and
# CONNECTIONS between them (wrk talks to one host per process); outputs in $work/wrk.out.N
load() {
  local urls i threads connections loads=()
  read -ra urls <<<"$1"
  threads=$((THREADS / ${#urls[@]})) connections=$(($3 / ${#urls[@]}))
  ((threads >= 1)) || threads=1
  ((threads <= connections)) || threads=$connections
  for i in "${!urls[@]}"; do
    # SEED: wrk processes started in the same second would otherwise send the same keys
    SEED=$i wrk -t"$threads" -c"$connections" -d"$4" --latency -s "bin/wrk/$2.lua" "${urls[i]}" \
      >"$work/wrk.out.$i" &
    loads+=($!)
  done
  wait "${loads[@]}"
}

# measure "URL..." SCRIPT CONNECTIONS DURATION -> "requests/s p99 requests" of one load (rates and
# requests summed over the URLs, the worst URL's p99); fails on any error
measure() {
  local out
  load "$@"
  for out in "$work"/wrk.out.*; do
    if grep -qE "Non-2xx|Socket errors" "$out"; then
      echo "bench: $2 against $1 had errors:" >&2
      cat "$out" >&2
      exit 1
    fi
  done
  awk '/Requests\/sec/ {rps += $2} / requests in / {requests += $1}
    $1 == "99%" {v = $2; m = v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000; if (m >= worst) {worst = m; p99 = v}}
    END {printf "%.2f %s %d\n", rps, p99, requests}' "$work"/wrk.out.*
  rm -f "$work"/wrk.out.*
}

# warm "URL..." SCRIPT DURATION: load without measuring, so the JIT has compiled the hot paths
warm() {
  load "$1" "$2" "$CONNECTIONS" "$3"
  rm -f "$work"/wrk.out.*
}

# cpu_ticks PID... -> the CPU time (user + system, in clock ticks) the processes have used so far
cpu_ticks() {
  local pid total=0 fields
  for pid in "$@"; do
    # the fields after the command name, which is in parentheses and may hold spaces
    read -ra fields <<<"$(sed 's/.*) //' "/proc/$pid/stat")"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

# median of the "rps p99" lines on stdin, by rps
median() { sort -n | awk '{line[NR] = $0} END {print line[int((NR + 1) / 2)]}'; }

# ratio A B -> "0.78x"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }

# kib_of PID FIELD -> a /proc/PID/status figure (VmRSS, RssAnon, RssFile) in KiB
kib_of() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# heap_after_gc PID URL -> live heap in bytes: a full GC, then the heap pools' use from /metrics
heap_after_gc() {
  jcmd "$1" GC.run >/dev/null
  curl -s "$2/metrics" | awk '/^jvm_memory_used_bytes[{].*area="heap"/ {sum += $NF} END {printf "%.0f", sum}'
}

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -r)"
}
