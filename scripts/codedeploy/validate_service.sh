#!/usr/bin/env bash
# CodeDeploy ValidateService: the deployment succeeds once the api answers GET /health with 200
# "ok | mongo=up | redis=up | env=..." and the worker container reports healthy (the image's
# HEALTHCHECK on /health/live); after VALIDATE_TIMEOUT_S (default 120) it fails and CodeDeploy
# marks the deployment failed (and rolls back if the group is set to).
set -euo pipefail
# shellcheck source=scripts/codedeploy/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

timeout_s=${VALIDATE_TIMEOUT_S:-120}
deadline=$((SECONDS + timeout_s))
url="http://127.0.0.1:$API_PORT/health"
body='' code='' worker=''

log "waiting up to ${timeout_s}s for $url and the worker"
while true; do
  if reply=$(curl --silent --show-error --max-time 5 --write-out '\n%{http_code}' "$url" 2>&1); then
    code=${reply##*$'\n'} body=${reply%$'\n'*}
  else
    code='' body=$reply
  fi
  worker=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' \
    "$WORKER_CONTAINER" 2>/dev/null || echo missing)

  if [[ $code == 200 && $body == ok* && $worker == healthy ]]; then
    log "api: $body; worker: $worker"
    exit 0
  fi
  if ((SECONDS >= deadline)); then
    log "api: ${code:-no answer} ${body}; worker: $worker" >&2
    docker ps --all --filter "name=agent-orchestrator-" >&2 || true
    for name in "$API_CONTAINER" "$WORKER_CONTAINER"; do
      log "last log lines of $name:" >&2
      docker logs --tail 50 "$name" >&2 2>&1 || true
    done
    die "not healthy after ${timeout_s}s"
  fi
  sleep 3
done
