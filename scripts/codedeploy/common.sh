#!/usr/bin/env bash
# Shared by the CodeDeploy hooks of appspec.yml; sourced, never run on its own.
#
# The host runs two containers from one image (api and worker), pulled from ECR by the commit SHA
# that the deploy workflow wrote into image.env beside this file:
#   IMAGE_URI=<registry>/<repository>:<sha>   ECR_REGISTRY=<registry>   AWS_REGION=<region>
#   GIT_SHA=<sha>                              LOG_GROUP_PREFIX=<CloudWatch group prefix, optional>
#
# DEPLOY_ENV (dev or prod) selects the SSM Parameter Store path /agent-orchestrator-api/<env>/.
# It comes from the CodeDeploy deployment group's name, which must end in -dev or -prod
# (e.g. agent-orchestrator-api-dev, agent-orchestrator-api-prod), so one bundle can be deployed to
# either group. A DEPLOY_ENV variable in the environment wins (for running a hook by hand).

# shellcheck disable=SC2034 # used by the hooks that source this file
readonly APP_ROOT=/opt/agent-orchestrator
readonly CONFIG_DIR=/etc/agent-orchestrator
readonly ENV_FILE=$CONFIG_DIR/app.env
readonly SSM_PREFIX=/agent-orchestrator-api
readonly API_CONTAINER=agent-orchestrator-api
readonly WORKER_CONTAINER=agent-orchestrator-worker
# The ports the code listens on by default (PORT, WORKER_HTTP_PORT); the containers are started
# with them explicitly, so a different value in SSM cannot desynchronise them from -p.
readonly API_PORT=8000
readonly WORKER_PORT=8001
readonly DEFAULT_SHUTDOWN_TIMEOUT_MS=25000

BUNDLE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly BUNDLE_DIR
# The CodeDeploy agent may run hooks without HOME; docker keeps its ECR login under it.
export HOME=${HOME:-/root}

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LIFECYCLE_EVENT:-${0##*/}}" "$*"; }
die() {
  log "ERROR: $*" >&2
  exit 1
}

# Reads image.env (data, not code: only the known keys are accepted).
load_image_env() {
  local file=$BUNDLE_DIR/image.env key value
  [[ -f $file ]] || die "$file is missing: the deploy workflow writes it into the bundle"
  IMAGE_URI='' ECR_REGISTRY='' AWS_REGION='' GIT_SHA='' LOG_GROUP_PREFIX=''
  while IFS='=' read -r key value || [[ -n $key ]]; do
    case $key in
      IMAGE_URI | ECR_REGISTRY | AWS_REGION | GIT_SHA | LOG_GROUP_PREFIX) printf -v "$key" '%s' "$value" ;;
      '' | '#'*) ;;
      *) die "unknown key '$key' in $file" ;;
    esac
  done <"$file"
  [[ -n $IMAGE_URI && -n $ECR_REGISTRY && -n $AWS_REGION ]] ||
    die "$file must set IMAGE_URI, ECR_REGISTRY and AWS_REGION"
  export AWS_REGION AWS_DEFAULT_REGION=$AWS_REGION
}

resolve_deploy_env() {
  if [[ -n ${DEPLOY_ENV:-} ]]; then
    :
  elif [[ ${DEPLOYMENT_GROUP_NAME:-} == *-dev ]]; then
    DEPLOY_ENV=dev
  elif [[ ${DEPLOYMENT_GROUP_NAME:-} == *-prod ]]; then
    DEPLOY_ENV=prod
  else
    die "cannot tell dev from prod: deployment group '${DEPLOYMENT_GROUP_NAME:-}' must end in -dev or -prod (or set DEPLOY_ENV)"
  fi
  [[ $DEPLOY_ENV == dev || $DEPLOY_ENV == prod ]] || die "DEPLOY_ENV must be dev or prod (got '$DEPLOY_ENV')"
  export DEPLOY_ENV
}

# Seconds `docker stop` waits before SIGKILL: the app's SHUTDOWN_TIMEOUT_MS, rounded up, + 5 s.
stop_timeout_s() {
  local ms=''
  if [[ -r $ENV_FILE ]]; then
    ms=$(sed -n 's/^SHUTDOWN_TIMEOUT_MS=\([0-9][0-9]*\)$/\1/p' "$ENV_FILE" | tail -n 1)
  fi
  ms=${ms:-$DEFAULT_SHUTDOWN_TIMEOUT_MS}
  echo $(((ms + 999) / 1000 + 5))
}

# Stops (SIGTERM, then SIGKILL after the timeout) and removes a container; absent is fine.
stop_container() {
  local name=$1 timeout
  timeout=$(stop_timeout_s)
  if ! docker container inspect "$name" >/dev/null 2>&1; then
    log "$name: not present"
    return 0
  fi
  log "$name: stopping (up to ${timeout}s for in-flight work)"
  docker stop --time "$timeout" "$name" >/dev/null
  docker rm "$name" >/dev/null
  log "$name: removed"
}
