#!/usr/bin/env bash
# npm run diagrams: renders diagrams/*.mmd (or the .mmd files given as arguments) to .svg beside
# them, with @mermaid-js/mermaid-cli (a devDependency) driving Debian's chromium. Puppeteer never
# downloads a browser: PUPPETEER_SKIP_DOWNLOAD is set and PUPPETEER_EXECUTABLE_PATH names the
# system one (scripts/puppeteer-config.json holds the flags for running it headless, as root).
# Installs chromium from Debian packages when it is missing. Each .svg ends with a comment holding
# the SHA-256 of the source it was rendered from, which scripts/check-delivery.sh compares with the
# .mmd. Commit the .svg files with the .mmd.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}
export PUPPETEER_EXECUTABLE_PATH=$CHROMIUM PUPPETEER_SKIP_DOWNLOAD=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x "$CHROMIUM" ]; then
  echo "chromium: installing from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
MMDC=node_modules/.bin/mmdc
[ -x "$MMDC" ] || { echo "mmdc not found: run npm ci first" >&2; exit 1; }

if [ "$#" -gt 0 ]; then sources=("$@"); else sources=(diagrams/*.mmd); fi
for source in "${sources[@]}"; do
  target=${source%.mmd}.svg
  echo "$source -> $target"
  "$MMDC" --quiet --puppeteerConfigFile scripts/puppeteer-config.json --backgroundColor white \
    --input "$source" --output "$target"
  printf '\n<!-- rendered from %s, sha256 %s -->\n' "${source##*/}" "$(sha256sum "$source" | cut -d' ' -f1)" >>"$target"
done
