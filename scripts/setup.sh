#!/usr/bin/env bash
# npm run setup: everything `npm start` and `npm test` need on this machine, installed when it is
# missing and left alone when it is there, so running it again is quick.
#   1. the services and tools (scripts/install-test-services.sh): redis-server, chromium, FerretDB
#      where no MongoDB is available, and the test suites' tools;
#   2. the npm dependencies: npm ci, skipped when node_modules was installed from this very
#      package-lock.json by an earlier setup.
# Without root, it does everything else and lists what root must install. .ci/run runs it too.
set -euo pipefail
cd "$(dirname "$0")/.."

# package.json's engines: ^20.19.0 || ^22.13.0 || >=24 (the LTS lines; the image runs the
# newest).
node_ok=$(node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24;
  process.stdout.write(ok ? "yes" : "no");
')
if [ "$node_ok" != yes ]; then
  echo "node: $(node --version) is not supported: package.json wants ^20.19.0 || ^22.13.0 || >=24" >&2
  exit 1
fi
echo "node: $(node --version), npm $(npm --version)"

services=0
bash scripts/install-test-services.sh || services=$?

# npm ci deletes node_modules and installs the lockfile again: about two minutes even from the
# cache. Skip it when the lockfile, package.json and Node's major version are those of the
# install in place.
stamp=node_modules/.setup-stamp
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1) node-$(node -p 'process.versions.node.split(".")[0]')"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/.bin ]; then
  echo "node_modules: installed from this package-lock.json (npm ci skipped)"
else
  echo "node_modules: npm ci (the dependencies pinned in package-lock.json; install scripts stay off, see .npmrc)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

if [ "$services" -ne 0 ]; then
  echo
  echo "setup: not complete, see above." >&2
  exit "$services"
fi
echo "setup: done. npm start runs the service on :8000; npm test runs the suites."
