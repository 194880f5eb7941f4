#!/usr/bin/env bash
# CodeDeploy BeforeInstall: checks the host's tools, logs docker in to ECR (the registry and
# region come from this bundle's image.env) and clears the install folder for the new revision.
set -euo pipefail
# shellcheck source=scripts/codedeploy/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

load_image_env
command -v docker >/dev/null || die "docker is not installed"
command -v aws >/dev/null || die "the AWS CLI is not installed"
if command -v systemctl >/dev/null && ! systemctl is-active --quiet docker; then
  log "starting docker"
  systemctl start docker
fi

log "logging in to $ECR_REGISTRY ($AWS_REGION)"
aws ecr get-login-password --region "$AWS_REGION" |
  docker login --username AWS --password-stdin "$ECR_REGISTRY" >/dev/null

# Files of an older revision that this one no longer ships must not linger.
rm -rf "${APP_ROOT:?}"
mkdir -p "$APP_ROOT"
install -d -m 700 "$CONFIG_DIR"
log "ready to install $IMAGE_URI"
