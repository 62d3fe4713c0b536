# Shared by bin/bench and bin/loadtest: a samza-kv node from target/samza-kv.jar on this machine.
# Sourced, not run, from the repository root.

# A free TCP port on 127.0.0.1, chosen by the OS.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for URL [PID]: polls every 20 ms, for up to a minute, until URL answers 2xx; gives up at
# once if process PID has exited
wait_for() {
  for _ in $(seq 1 3000); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
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
# port free, output appended to LOG; its pid is in $started
launch_node() {
  (cd "$1" && exec env KV_HTTP_PORT="$4" KV_CLUSTER_PORT="$(free_port)" KV_FSYNC="$5" \
    KV_DATA_DIR="$3" "$OLDPWD/bin/samza-kv" >>"$2" 2>&1) &
  started=$!
}
