#!/usr/bin/env bash
# CodeDeploy ApplicationStart: writes the configuration from SSM Parameter Store, pulls the image
# of this revision and starts the api and worker containers.
#
# Configuration: every parameter under /agent-orchestrator-api/<DEPLOY_ENV>/ (recursively,
# SecureStrings decrypted) becomes NAME=value in /etc/agent-orchestrator/app.env (mode 600), NAME
# being the last path segment: /agent-orchestrator-api/prod/MONGO_URI -> MONGO_URI. Values must be
# single-line (docker --env-file has no multi-line values). ENVIRONMENT defaults to DEPLOY_ENV.
#
# No `docker run --init`: the image's entrypoint is already tini, as PID 1 it forwards SIGTERM to
# node; a second init would only wrap it.
set -euo pipefail
# shellcheck source=scripts/codedeploy/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

write_env_file() {
  local path="$SSM_PREFIX/$DEPLOY_ENV/" raw tmp name value key count=0 has_environment=false
  install -d -m 700 "$CONFIG_DIR"
  raw=$(mktemp) tmp=$(mktemp "$CONFIG_DIR/.app.env.XXXXXX")
  chmod 600 "$raw" "$tmp"
  # shellcheck disable=SC2064 # expand now: the paths are local to this function
  trap "rm -f '$raw' '$tmp'" EXIT

  log "reading configuration from SSM $path"
  aws ssm get-parameters-by-path --region "$AWS_REGION" --path "$path" --recursive \
    --with-decryption --query 'Parameters[].[Name,Value]' --output text >"$raw"

  while IFS=$'\t' read -r name value || [[ -n $name ]]; do
    [[ -n $name ]] || continue
    [[ $name == "$path"* ]] || die "unexpected line in the SSM answer (a multi-line value?) near '${name:0:40}'"
    key=${name##*/}
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "parameter $name: '$key' is not a valid variable name"
    [[ $key == ENVIRONMENT ]] && has_environment=true
    printf '%s=%s\n' "$key" "$value" >>"$tmp"
    count=$((count + 1))
  done <"$raw"
  ((count > 0)) || die "no parameters under $path (MONGO_URI and REDIS_URL at least are required)"
  $has_environment || printf 'ENVIRONMENT=%s\n' "$DEPLOY_ENV" >>"$tmp"

  mv -f "$tmp" "$ENV_FILE"
  rm -f "$raw"
  trap - EXIT
  log "wrote $count settings to $ENV_FILE"
}

log_options() {
  local role=$1
  if [[ -n $LOG_GROUP_PREFIX ]]; then
    printf '%s\n' --log-driver awslogs \
      --log-opt "awslogs-region=$AWS_REGION" \
      --log-opt "awslogs-group=$LOG_GROUP_PREFIX/$role" \
      --log-opt awslogs-create-group=true
  else
    printf '%s\n' --log-driver json-file --log-opt max-size=50m --log-opt max-file=5
  fi
}

load_image_env
resolve_deploy_env
write_env_file

log "pulling $IMAGE_URI"
docker pull --quiet "$IMAGE_URI" >/dev/null

# Normally ApplicationStop has removed them; not after a failed deployment or a manual start.
stop_container "$WORKER_CONTAINER"
stop_container "$API_CONTAINER"

timeout=$(stop_timeout_s)
common=(--detach --restart unless-stopped --env-file "$ENV_FILE" --stop-timeout "$timeout"
  --label "org.opencontainers.image.revision=${GIT_SHA:-unknown}")

mapfile -t api_logs < <(log_options api)
log "starting $API_CONTAINER on port $API_PORT"
docker run "${common[@]}" "${api_logs[@]}" --name "$API_CONTAINER" \
  --env "PORT=$API_PORT" --publish "$API_PORT:$API_PORT" \
  "$IMAGE_URI" node dist/main.js --mode=api >/dev/null

# The worker's port serves only /health* and /metrics: reachable from the host (Prometheus or
# CloudWatch agent), not from the network.
mapfile -t worker_logs < <(log_options worker)
log "starting $WORKER_CONTAINER (health and metrics on 127.0.0.1:$WORKER_PORT)"
docker run "${common[@]}" "${worker_logs[@]}" --name "$WORKER_CONTAINER" \
  --env "WORKER_HTTP_PORT=$WORKER_PORT" --publish "127.0.0.1:$WORKER_PORT:$WORKER_PORT" \
  "$IMAGE_URI" node dist/main.js --mode=worker >/dev/null

# Older revisions' images pile up otherwise; keep a week's worth for a quick rollback.
docker image prune --all --force --filter until=168h >/dev/null || true
log "started $IMAGE_URI ($DEPLOY_ENV)"
