# Shared by bin/bench, bin/loadtest and bin/cluster: nodes from target/samza-kv.jar on this machine.
# Sourced, not run, from the repository root.

# A free TCP port on 127.0.0.1, chosen by the OS.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# check_port NAME VALUE: fails with status 2 and a line naming NAME (what the user set) unless
# VALUE is empty or a port number
check_port() {
  if [[ -n $2 ]] && ! { [[ $2 =~ ^[0-9]{1,5}$ ]] && ((10#$2 >= 1 && 10#$2 <= 65535)); }; then
    echo "$1: '$2' is not a port (1..65535)" >&2
    return 2
  fi
}

# port_or_free NAME VALUE: VALUE when given, else a free port. A given port that something already
# listens on fails at once, naming it: the server would not start there, and the readiness poll
# could meanwhile be answered by whatever holds the port.
port_or_free() {
  check_port "$1" "$2" || return 2
  if [[ -z $2 ]]; then
    free_port
  elif python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Vert.x binds: TIME_WAIT is no obstacle
s.bind(("127.0.0.1", int(sys.argv[1])))' "$2" 2>/dev/null; then
    echo "$((10#$2))"
  else
    echo "$1: port $2 on 127.0.0.1 is in use" >&2
    return 2
  fi
}

# wait_for URL [PID] [SECONDS]: polls every 20 ms, for up to SECONDS (default 60), until URL
# answers 2xx; gives up at once if process PID has exited
wait_for() {
  for _ in $(seq 1 $((${3:-60} * 50))); do
    curl -sf --max-time 2 "$1" >/dev/null 2>&1 && return 0
    if [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null; then
      echo "$1: the process serving it exited" >&2
      return 1
    fi
    sleep 0.02
  done
  echo "$1 never answered" >&2
  return 1
}

# launch_node DIR LOG DATA_DIR HTTP_PORT FSYNC: starts the jar through bin/samza-kv (so with
# conf/jvm.options) in DIR (so the repository's conf/node.json and ./data stay out of it), cluster
# (Hazelcast) port $KV_CLUSTER_PORT or a free one, output appended to LOG; its pid is in $started
launch_node() {
  local cluster_port
  cluster_port=$(port_or_free KV_CLUSTER_PORT "${KV_CLUSTER_PORT:-}") || exit 2
  (cd "$1" && exec env KV_HTTP_PORT="$4" KV_CLUSTER_PORT="$cluster_port" KV_FSYNC="$5" \
    KV_DATA_DIR="$3" "$OLDPWD/bin/samza-kv" >>"$2" 2>&1) &
  started=$!
}
