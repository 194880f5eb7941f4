#!/usr/bin/env bash
# CodeDeploy ApplicationStop. CodeDeploy runs this hook from the previously deployed revision
# (not at all on a first deployment), so a change here takes effect one deployment later.
# The worker goes first: SIGTERM lets its running jobs finish within SHUTDOWN_TIMEOUT_MS (a job
# still running after that is picked up again as stalled); then the api drains its requests.
set -euo pipefail
# shellcheck source=scripts/codedeploy/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! command -v docker >/dev/null; then
  log "docker is not installed: nothing to stop"
  exit 0
fi
stop_container "$WORKER_CONTAINER"
stop_container "$API_CONTAINER"
