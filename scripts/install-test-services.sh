#!/usr/bin/env bash
# Installs the real backing services the test suites run against, when they are missing:
#   - redis-server, and chromium for the console's browser test, from Debian packages;
#   - FerretDB v1.24 (a MongoDB-wire-compatible server on SQLite), built from its Go module.
# Idempotent and quick when both are already there. Skips FerretDB when TEST_MONGO_URI is set
# or a mongod is on the PATH, since the tests then use that instead.
set -euo pipefail

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSIONS=(v1.24.2 v1.24.1 v1.24.0 v1.23.1)

if [ -w /usr/local/bin ]; then BIN_DIR=${BIN_DIR:-/usr/local/bin}; else BIN_DIR=${BIN_DIR:-$HOME/.local/bin}; fi
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/agent-orchestrator
mkdir -p "$BIN_DIR" "$CACHE_DIR"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    echo "redis-server: $(command -v redis-server)"
    return
  fi
  echo "redis-server: installing from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  # The package starts a system service on 6379; the tests start their own servers on free ports.
  as_root service redis-server stop >/dev/null 2>&1 || true
  command -v redis-server >/dev/null
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
  (cd "$work/ferretdb" && go build -trimpath -o "$out" ./cmd/ferretdb) || { rm -rf "$work"; return 1; }
  rm -rf "$work"
  "$out" --version >/dev/null 2>&1
}

install_ferretdb() {
  if [ -n "${TEST_MONGO_URI:-}" ]; then echo "ferretdb: skipped (TEST_MONGO_URI is set)"; return; fi
  if command -v mongod >/dev/null 2>&1; then echo "ferretdb: skipped (mongod on the PATH)"; return; fi
  if command -v ferretdb >/dev/null 2>&1 && ferretdb --version >/dev/null 2>&1; then
    echo "ferretdb: $(command -v ferretdb)"
    return
  fi
  for version in "${FERRETDB_VERSIONS[@]}"; do
    local cached="$CACHE_DIR/ferretdb-$version"
    if [ ! -x "$cached" ]; then
      echo "ferretdb: building $version with $(go version | cut -d' ' -f3) (a few minutes, once)"
      if ! build_ferretdb "$version" "$cached" && ! GOTOOLCHAIN=local build_ferretdb "$version" "$cached"; then
        echo "ferretdb: $version did not build; trying the next release" >&2
        rm -f "$cached"
        continue
      fi
    fi
    install -m 0755 "$cached" "$BIN_DIR/ferretdb"
    echo "ferretdb: $version installed at $BIN_DIR/ferretdb"
    return
  done
  echo "ferretdb: no release of ${FERRETDB_VERSIONS[*]} could be built; install mongod or set TEST_MONGO_URI" >&2
  return 1
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    echo "chromium: /usr/bin/chromium"
    return
  fi
  echo "chromium: installing from Debian packages (for the console's browser test)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

install_redis
install_chromium
install_ferretdb
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) echo "note: add $BIN_DIR to PATH" ;; esac
