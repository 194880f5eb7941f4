#!/usr/bin/env bash
# Installs the real services and tools that `npm start` and the test suites need, when they are
# missing. `npm run setup` (scripts/setup.sh) runs it, then npm ci; so does .ci/run.
#   - redis-server, and chromium for the console's browser test, from Debian packages;
#   - prometheus and promtool (the alert-rule tests and the scrape test), from Debian packages;
#   - otelcol-ao, a minimal OpenTelemetry Collector (OTLP receiver, file exporter) that the
#     tracing test sends spans to, built from the collector's Go modules (scripts/otelcol) and cached;
#   - FerretDB v1.24 (a MongoDB-wire-compatible server on SQLite), built from its Go module with
#     scripts/ferretdb/sqlite-id-lookups.patch (lookups by _id use the _id index) and cached,
#     unless TEST_MONGO_URI is set or a mongod is on the PATH;
#   - for check:delivery: kubernetes-validate (PyPI, in a virtualenv) and scripts/k8s-tools (Go),
#     which validate the Kubernetes manifests offline;
#   - redis-cli (redis-tools), which joins the nodes of the test Redis Clusters, and openssl, which
#     signs the certificates of the TLS cluster test, from Debian packages.
# Each tool is one install_* function, called at the bottom: it says what it found, or what it
# installs and why; Debian packages go through `apt_install WHY PACKAGE... || return 0`, which
# records them for the report when there is no root. Idempotent, and quick when everything is
# there: it only looks. With arguments, installs only those tools (`install-test-services.sh
# prometheus`). Nothing is downloaded from anywhere but the package registries (Debian,
# the Go module proxy, npm, PyPI).
#
# Debian packages need root: as root, or with sudo that asks no password, they are installed;
# otherwise every package still missing is listed at the end with the one command that installs
# it, and the script exits 1 after doing all it can without root.
set -euo pipefail

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSIONS=(v1.24.2 v1.24.1 v1.24.0 v1.23.1)
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The SQLite backend of FerretDB v1 never uses its _id index (the lookup's expression is not the
# index's) and pushes _id down only when it is a filter's only key, so every lookup scans the
# table. The patch fixes both; builds carrying it say so in `ferretdb --version` (package line).
FERRETDB_PATCH=$SCRIPTS_DIR/ferretdb/sqlite-id-lookups.patch
FERRETDB_PACKAGE=agent-orchestrator-sqlite-id-1

if [ -w /usr/local/bin ]; then BIN_DIR=${BIN_DIR:-/usr/local/bin}; else BIN_DIR=${BIN_DIR:-$HOME/.local/bin}; fi
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/agent-orchestrator
mkdir -p "$BIN_DIR" "$CACHE_DIR"

# Debian packages that could not be installed for want of root: "package<TAB>why" lines.
NEEDS_ROOT=()
# Commands a later step needs on the PATH (checked at the end): "command<TAB>why" lines.
NEEDS_ON_PATH=()
APT_UPDATED=false

# Runs a command as root: directly, or through sudo when it asks no password. Returns 1 when
# neither is possible.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    return 1
  fi
}

have_root() { [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

# apt_install WHY PACKAGE...: installs Debian packages, saying why; without root (or without
# apt-get) records them for the report at the end and returns 1.
apt_install() {
  local why=$1 package
  shift
  if ! command -v apt-get >/dev/null 2>&1 || ! have_root; then
    for package in "$@"; do NEEDS_ROOT+=("$package"$'\t'"$why"); done
    return 1
  fi
  echo "  installing Debian package(s) $* ($why)"
  # Called as `apt_install ... || return`, where errexit does not apply: fail loudly here.
  if ! $APT_UPDATED; then
    as_root apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
    APT_UPDATED=true
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    { echo "apt-get install $* failed" >&2; exit 1; }
}

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    echo "redis-server: $(command -v redis-server)"
    return
  fi
  echo "redis-server: missing"
  apt_install "Redis: the queue, the task event streams and the rate limits; npm start and the tests run it" \
    redis-server || return 0
  # The package starts a system service on 6379; the tests start their own servers on free ports,
  # and npm start uses one on 6379 if it answers, so stop it rather than leave a second copy.
  as_root service redis-server stop >/dev/null 2>&1 || true
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis-server: the package is installed, but redis-server is not on the PATH ($PATH)" >&2
    return 1
  fi
  echo "redis-server: installed at $(command -v redis-server)"
}

# npm run test:cluster starts Redis Clusters from redis-server and joins their nodes with
# redis-cli (`--cluster create`); the TLS cluster test signs its certificates with openssl.
install_cluster_tools() {
  local missing=()
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "redis-cli: $(command -v redis-cli); openssl: $(command -v openssl)"
    return
  fi
  echo "cluster tools: missing ${missing[*]}"
  apt_install "the Redis Cluster tests (npm run test:cluster): redis-cli joins the nodes, openssl signs TLS certificates" \
    "${missing[@]}" || return 0
  echo "cluster tools: installed"
}

# `go install ...@v1.24.2` compiles, but the binary panics at start: FerretDB's release tooling
# writes build/version/version.txt, which is empty in the module zip. So build the same module
# source with that file filled in.
build_ferretdb() {
  local version=$1 out=$2 src work
  work=$(mktemp -d)
  src=$(cd "$work" && go mod download -json "$FERRETDB_MODULE@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { rm -rf "$work"; return 1; }
  cp -r "$src" "$work/ferretdb"
  chmod -R u+w "$work/ferretdb"
  echo "$version" > "$work/ferretdb/build/version/version.txt"
  # An older release the patch does not fit is built as it is: slower lookups, same behaviour.
  if (cd "$work/ferretdb" && git apply "$FERRETDB_PATCH" 2>/dev/null); then
    echo "$FERRETDB_PACKAGE" > "$work/ferretdb/build/version/package.txt"
  else
    echo "  $FERRETDB_PATCH does not apply to FerretDB $version: building it unpatched" >&2
  fi
  # Its ~60 module downloads and the compiler's output go to a log, shown only when it fails.
  if ! (cd "$work/ferretdb" && go build -trimpath -o "$out" ./cmd/ferretdb) >"$work/build.log" 2>&1; then
    tail -20 "$work/build.log" >&2
    rm -rf "$work"
    return 1
  fi
  rm -rf "$work"
  "$out" --version >/dev/null 2>&1
}

install_ferretdb() {
  if [ -n "${TEST_MONGO_URI:-}" ]; then echo "ferretdb: not needed (TEST_MONGO_URI is set)"; return; fi
  if command -v mongod >/dev/null 2>&1; then echo "ferretdb: not needed (mongod on the PATH)"; return; fi
  local found
  found=$(command -v ferretdb 2>/dev/null || true)
  if [ -n "$found" ] && ferretdb --version 2>/dev/null | grep -qx "package: $FERRETDB_PACKAGE"; then
    echo "ferretdb: $found"
    return
  fi
  # Someone else's FerretDB (not in $BIN_DIR) is left alone: it works, only slower.
  if [ -n "$found" ] && [ "$found" != "$BIN_DIR/ferretdb" ] && ferretdb --version >/dev/null 2>&1; then
    echo "ferretdb: $found (a build without $FERRETDB_PATCH: lookups by _id scan the table)"
    return
  fi
  local why="a MongoDB-compatible database for npm start and the tests: mongodb-memory-server cannot download a mongod here"
  if [ -n "$found" ]; then
    echo "ferretdb: $found is a build without $FERRETDB_PATCH; replacing it"
    why="lookups by _id that use the _id index, for npm start and the tests"
  else
    echo "ferretdb: missing, and no MongoDB to use instead (no TEST_MONGO_URI, no mongod on the PATH)"
  fi
  for version in "${FERRETDB_VERSIONS[@]}"; do
    local cached="$CACHE_DIR/ferretdb-$version-$FERRETDB_PACKAGE"
    if [ ! -x "$cached" ]; then
      if ! command -v go >/dev/null 2>&1; then
        apt_install "Go, to build FerretDB ($why)" golang-go || return 0
      fi
      echo "  building FerretDB $version from its Go module with $(go version | cut -d' ' -f3) ($why; a few minutes, once)"
      if ! build_ferretdb "$version" "$cached" && ! GOTOOLCHAIN=local build_ferretdb "$version" "$cached"; then
        echo "  FerretDB $version did not build; trying the next release" >&2
        rm -f "$cached"
        continue
      fi
    fi
    install -m 0755 "$cached" "$BIN_DIR/ferretdb"
    echo "ferretdb: $version installed at $BIN_DIR/ferretdb"
    NEEDS_ON_PATH+=("ferretdb"$'\t'"$why")
    return
  done
  echo "ferretdb: no release of ${FERRETDB_VERSIONS[*]} could be built; install mongod or set TEST_MONGO_URI" >&2
  return 1
}

# A Python tool from PyPI in its own virtualenv under the cache: pip_tool NAME VERSION WHY.
# Leaves the virtualenv at $CACHE_DIR/NAME (bin/NAME, bin/python), reinstalled when VERSION changes.
pip_tool() {
  local name=$1 version=$2 why=$3 venv="$CACHE_DIR/$1"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.version" 2>/dev/null)" = "$version" ]; then
    echo "$name: $version in $venv"
    return
  fi
  echo "$name: installing $version from PyPI into $venv ($why)"
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install "Python, for $name ($why)" python3 python3-venv || return 0
  fi
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install "Python's venv module, for $name ($why)" python3-venv || return 0
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$name==$version"
  echo "$version" > "$venv/.version"
}

install_kubernetes_validate() {
  pip_tool kubernetes-validate 1.37.0 "check:delivery validates the Kubernetes manifests offline with its schemas"
}

# scripts/k8s-tools (Go): kustomize build with kustomize's library, and strict decoding of
# ServiceMonitor and PrometheusRule into prometheus-operator's types, which kubernetes-validate
# has no schema for. Built into the cache, again when its source changes.
install_k8s_tools() {
  local src out stamp want
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/k8s-tools
  out=$CACHE_DIR/bin/k8s-tools stamp=$CACHE_DIR/bin/k8s-tools.source
  want=$(cat "$src"/go.mod "$src"/go.sum "$src"/*.go | sha256sum | cut -d' ' -f1)
  if [ -x "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "k8s-tools: $out"
    return
  fi
  local why="check:delivery builds the kustomization and checks its prometheus-operator resources"
  if ! command -v go >/dev/null 2>&1; then
    apt_install "Go, to build k8s-tools ($why)" golang-go || return 0
  fi
  echo "k8s-tools: building scripts/k8s-tools with $(go version | cut -d' ' -f3) ($why; once)"
  mkdir -p "$CACHE_DIR/bin"
  (cd "$src" && go build -trimpath -o "$out" .)
  echo "$want" > "$stamp"
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    echo "chromium: /usr/bin/chromium"
    return
  fi
  echo "chromium: missing"
  apt_install "the console's browser test and npm run diagrams drive Debian's chromium" chromium || return 0
  echo "chromium: installed at /usr/bin/chromium"
}

# What could not be done: the Debian packages that need root, and commands installed off the PATH.
report() {
  local rc=0 line package why
  local packages=()
  if [ "${#NEEDS_ROOT[@]}" -gt 0 ]; then
    echo
    if command -v apt-get >/dev/null 2>&1; then
      echo "Missing, and installing it needs root (this user is $(id -un), without sudo that asks no password):"
    else
      echo "Missing, and this is not a Debian/Ubuntu system (no apt-get): install these with your package manager:"
    fi
    for line in "${NEEDS_ROOT[@]}"; do
      package=${line%%$'\t'*} why=${line#*$'\t'}
      printf '  %-14s %s\n' "$package" "$why"
      packages+=("$package")
    done
    if command -v apt-get >/dev/null 2>&1; then
      echo "As root, run:"
      echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
      echo "then npm run setup again."
    fi
    rc=1
  fi
  for line in "${NEEDS_ON_PATH[@]}"; do
    package=${line%%$'\t'*}
    if ! command -v "$package" >/dev/null 2>&1; then
      echo
      echo "$package is in $BIN_DIR, which is not on the PATH; npm start and npm test look for it there. Run:"
      echo "  export PATH=\"$BIN_DIR:\$PATH\""
      echo "(and add that line to ~/.profile), then npm run setup again."
      rc=1
    fi
  done
  return "$rc"
}

install_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    echo "prometheus: $(command -v prometheus), promtool: $(command -v promtool)"
    return
  fi
  echo "prometheus: missing"
  apt_install "the alert-rule tests (promtool) and the scrape test (the Prometheus server)" prometheus || return 0
  # The package enables a system service on 9090; the tests start their own servers on free ports.
  as_root service prometheus stop >/dev/null 2>&1 || true
  echo "prometheus: installed at $(command -v prometheus), promtool at $(command -v promtool)"
}

# scripts/otelcol is a Go module naming the collector's components at one release; the binary
# is cached under the hash of its sources, so a change to them builds a new one.
install_otelcol() {
  local src key cached installed
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/otelcol"
  key=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
  cached="$CACHE_DIR/otelcol-ao-$key"
  installed="$BIN_DIR/otelcol-ao"
  if [ -x "$cached" ] && cmp -s "$cached" "$installed"; then
    echo "otelcol-ao: $installed"
    NEEDS_ON_PATH+=("otelcol-ao"$'\t'"the tracing test's OpenTelemetry Collector")
    return
  fi
  local why="an OpenTelemetry Collector for the tracing test (OTLP receiver, file exporter)"
  if [ ! -x "$cached" ]; then
    if ! command -v go >/dev/null 2>&1; then
      apt_install "Go, to build $why" golang-go || return 0
    fi
    echo "  building otelcol-ao from the collector's Go modules with $(go version | cut -d' ' -f3) ($why; about 3 minutes, once)"
    local log started
    log=$(mktemp)
    started=$(date +%s)
    if ! (cd "$src" && go build -trimpath -buildvcs=false -o "$cached.tmp" .) >"$log" 2>&1; then
      tail -20 "$log" >&2
      rm -f "$log" "$cached.tmp"
      echo "otelcol-ao: the build failed" >&2
      return 1
    fi
    rm -f "$log"
    mv "$cached.tmp" "$cached"
    echo "  built in $(($(date +%s) - started)) s"
  fi
  install -m 0755 "$cached" "$installed"
  echo "otelcol-ao: $("$installed" --version) installed at $installed"
  NEEDS_ON_PATH+=("otelcol-ao"$'\t'"the tracing test's OpenTelemetry Collector")
}

if [ "$#" -eq 0 ]; then set -- redis cluster_tools chromium prometheus ferretdb otelcol kubernetes_validate k8s_tools; fi
for tool in "$@"; do
  case "$tool" in
    redis | cluster_tools | chromium | prometheus | ferretdb | otelcol | kubernetes_validate | k8s_tools) "install_$tool" ;;
    *) echo "unknown tool: $tool (redis, cluster_tools, chromium, prometheus, ferretdb, otelcol, kubernetes_validate, k8s_tools)" >&2; exit 2 ;;
  esac
done
report
