#!/usr/bin/env bash
# Checks the delivery files that no test exercises:
#   - actionlint on .github/workflows/*.yml (with shellcheck on their run: steps), and every
#     action they use pinned by commit SHA;
#   - shellcheck on scripts/*.sh, scripts/codedeploy/*.sh and .ci/run;
#   - every diagrams/*.mmd has its .svg, rendered from the current source (npm run diagrams records
#     the source's SHA-256 in the .svg);
#   - the Kubernetes manifests of docker/k8s, offline (scripts/check-k8s.py): the kustomization
#     built, kubernetes-validate --strict for the built-in kinds, scripts/k8s-tools for the
#     prometheus-operator ones, image tags, the PrometheusRule against the alert rules;
#   - docker compose config of docker/docker-compose.yml, with and without the observability
#     profile, where a Docker Compose v2 is installed (skipped otherwise).
# Installs what is missing: actionlint (pinned, built with `go install`, cached under
# ~/.cache/agent-orchestrator) and shellcheck (Debian package). Quick when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12

CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/agent-orchestrator
mkdir -p "$CACHE_DIR"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_actionlint() {
  local cached="$CACHE_DIR/actionlint-$ACTIONLINT_VERSION"
  if [ ! -x "$cached" ]; then
    command -v go >/dev/null 2>&1 || { echo "actionlint: Go is needed to build it (apt-get install golang-go)" >&2; exit 1; }
    echo "actionlint: building $ACTIONLINT_VERSION with $(go version | cut -d' ' -f3) (once)"
    local gobin
    gobin=$(mktemp -d)
    GOBIN="$gobin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    mv "$gobin/actionlint" "$cached"
    rm -rf "$gobin"
  fi
  ACTIONLINT="$cached"
}

install_shellcheck() {
  if command -v shellcheck >/dev/null 2>&1; then return; fi
  echo "shellcheck: installing from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
  command -v shellcheck >/dev/null
}

install_shellcheck
install_actionlint

echo "actionlint $ACTIONLINT_VERSION: .github/workflows"
"$ACTIONLINT" .github/workflows/*.yml

# Every action by commit SHA: a tag can be moved to other code, a SHA cannot.
unpinned=$(grep -nE '^\s*(- )?uses:' .github/workflows/*.yml | grep -vE 'uses: [^@]+@[0-9a-f]{40}( |$)' || true)
if [ -n "$unpinned" ]; then
  echo "workflows: actions not pinned by commit SHA:" >&2
  echo "$unpinned" >&2
  exit 1
fi
echo "workflows: every action pinned by commit SHA"

echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): scripts, .ci/run"
shellcheck -x scripts/*.sh scripts/codedeploy/*.sh .ci/run

missing=0
for source in diagrams/*.mmd; do
  [ -e "$source" ] || continue
  svg=${source%.mmd}.svg
  if [ ! -s "$svg" ]; then
    echo "diagrams: $svg is missing: run npm run diagrams $source" >&2
    missing=1
  elif ! grep -q "sha256 $(sha256sum "$source" | cut -d' ' -f1) -->" "$svg"; then
    echo "diagrams: $svg was not rendered from the current $source: run npm run diagrams $source" >&2
    missing=1
  fi
done
if [ "$missing" -eq 0 ]; then echo "diagrams: every .mmd has its .svg, rendered from the current source"; fi

# kubernetes-validate and k8s-tools come from install-test-services.sh (npm run setup runs it
# too); quick when they are there.
if ! tools_log=$(bash scripts/install-test-services.sh kubernetes_validate k8s_tools 2>&1); then
  echo "$tools_log" >&2
  exit 1
fi
echo "kubernetes-validate $(cat "$CACHE_DIR/kubernetes-validate/.version") --strict and k8s-tools: docker/k8s"
"$CACHE_DIR/kubernetes-validate/bin/python" scripts/check-k8s.py "$CACHE_DIR/bin/k8s-tools"

if docker compose version >/dev/null 2>&1; then
  echo "$(docker compose version): docker/docker-compose.yml"
  docker compose -f docker/docker-compose.yml config --quiet
  docker compose -f docker/docker-compose.yml --profile observability config --quiet
else
  echo "docker compose: not installed, compose file not checked"
fi
if [ "$missing" -ne 0 ]; then
  echo "delivery checks failed" >&2
  exit 1
fi
echo "delivery checks passed"
