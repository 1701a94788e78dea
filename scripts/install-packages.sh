#!/usr/bin/env bash
# Installs the Debian packages the project's tests and scripts use, if missing: HAProxy (the
# provers' load balancer, scripts/prover-cluster.sh and the scale-out test), Prometheus'
# promtool (the alert rules' checks) and headless Chromium (the watcher's report, rendered and
# screenshotted in its test).
set -euo pipefail
need=()
command -v haproxy > /dev/null || need+=(haproxy)
command -v promtool > /dev/null || need+=(prometheus)
command -v chromium-headless-shell > /dev/null || need+=(chromium-headless-shell)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if ! $sudo apt-get install -y -q --no-install-recommends "${need[@]}" > /dev/null; then
    # Stale package lists: refresh once and retry.
    $sudo apt-get update -q > /dev/null
    $sudo apt-get install -y -q --no-install-recommends "${need[@]}" > /dev/null
  fi
  echo "installed: ${need[*]}" >&2
fi
