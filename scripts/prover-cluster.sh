#!/usr/bin/env bash
# N zkgate provers sharing one PostgreSQL job queue behind HAProxy, on loopback; Ctrl-C stops
# them all. The production layout in miniature (deploy/haproxy/prover.cfg):
#   cargo build --release -p zkgate-prover -p zkgate-cli
#   scripts/with-postgres.sh scripts/prover-cluster.sh 3        # throwaway PostgreSQL
#   ZKGATE_DATABASE_URL=postgres://… scripts/prover-cluster.sh 3 # your own
# Environment: ZKGATE_LB_PORT (8780), ZKGATE_DEPTH (20), ZKGATE_BIN_DIR (target/release),
# ZKGATE_CLUSTER_DIR (a new temporary directory: keys, the shared data key, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2}
LB_PORT=${ZKGATE_LB_PORT:-8780}
DEPTH=${ZKGATE_DEPTH:-20}
URL=${ZKGATE_DATABASE_URL:-${ZKGATE_TEST_POSTGRES_URL:-}}
if [ -z "$URL" ]; then
  echo "set ZKGATE_DATABASE_URL, or run under scripts/with-postgres.sh" >&2
  exit 1
fi
BIN_DIR=${ZKGATE_BIN_DIR:-target/release}
command -v haproxy > /dev/null || bash scripts/install-packages.sh
WORK=${ZKGATE_CLUSTER_DIR:-$(mktemp -d /tmp/zkgate-cluster.XXXXXX)}
mkdir -p "$WORK"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ ! -f "$WORK/keys/rule_set.json" ]; then
  echo "keys (depth $DEPTH, single-party: development only) in $WORK/keys" >&2
  "$BIN_DIR/zkgate" keys --depth "$DEPTH" --out "$WORK/keys" > /dev/null
fi
# Every instance needs the same data key (it seals queued requests): made once, owner-only.
if [ ! -f "$WORK/data.key" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > "$WORK/data.key")
fi
servers=""
for i in $(seq 1 "$N"); do
  port=$(free_port)
  "$BIN_DIR/zkgate-prover" --listen "127.0.0.1:$port" --key-dir "$WORK/keys" \
    --data-key-file "$WORK/data.key" --database-url "$URL" > "$WORK/prover-$i.log" 2>&1 &
  pids+=($!)
  servers+="    server p$i 127.0.0.1:$port check"$'\n'
  echo "prover $i: http://127.0.0.1:$port (log $WORK/prover-$i.log)" >&2
done
python3 -c '
import sys
cfg = open(sys.argv[1]).read()
sys.stdout.write(cfg.replace("{{LISTEN}}", "127.0.0.1:" + sys.argv[2]).replace("{{SERVERS}}", sys.argv[3].rstrip("\n")))
' deploy/haproxy/prover.cfg "$LB_PORT" "$servers" > "$WORK/haproxy.cfg"
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$LB_PORT/readyz" > /dev/null 2>&1; then
    echo "load balancer: http://127.0.0.1:$LB_PORT ($N provers, queue on $(echo "$URL" | sed -E 's#//([^:@]*):[^@]*@#//\1:***@#'))" >&2
    wait
    exit 0
  fi
  sleep 0.1
done
echo "the cluster did not become ready; logs in $WORK" >&2
exit 1
