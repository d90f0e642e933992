# Sourced by start.sh and test.sh: whatever a fresh clone on a fresh machine lacks, installed once.
# shellcheck shell=bash

fail() {
  echo "image-credits: error: $*" >&2
  exit 1
}

# The machine's Node.js only runs npm (npm 11 needs 20.17 or newer); the project's own processes
# run on the Node.js it pins as a dev dependency (package.json's "node"), which npm ci installs.
require_npm() {
  command -v npm >/dev/null 2>&1 || fail "npm is not installed: install Node.js 20.17 or newer with npm (https://nodejs.org or your package manager); the project brings its own Node.js 24 to run on"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || fail "Node.js $(node -v) is too old to run npm: install Node.js 20.17 or newer; the project brings its own Node.js 24 to run on"
}

# From here on, node is the pinned one, also where this script was run without npm.
use_pinned_node() {
  export PATH="$root/node_modules/.bin:$PATH"
  hash -r
  local wanted running
  wanted="$(node -p 'require("./package.json").devDependencies.node.split(".")[0]')"
  running="$(node -p 'process.versions.node.split(".")[0]')"
  [[ "$running" == "$wanted" ]] || fail "node_modules/.bin/node is Node.js $(node -v), not the $wanted the project pins: run npm ci"
}

# npm ci when node_modules is missing or was installed from another package-lock.json.
install_node_modules() {
  local stamp=node_modules/.package-lock.sha256
  local wanted
  wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    return 0
  fi
  echo "image-credits: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (output above): check the network to the npm registry and try again"
  echo "$wanted" >"$stamp"
}

build() {
  local output
  output="$(npm run --silent build 2>&1)" || {
    echo "$output" >&2
    fail "the build failed (errors above)"
  }
}

# The dashboard's browser tests drive Debian's Chromium: installed once where apt-get can. Where
# it cannot be had, those tests say they skipped and why.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    echo "image-credits: installing chromium for the dashboard's browser tests (apt-get)"
    apt-get install -y chromium >/dev/null 2>&1 ||
      echo "image-credits: could not install chromium: the browser tests will skip"
  else
    echo "image-credits: no chromium and no apt-get as root: the browser tests will skip"
  fi
}

# From the repository's top: Node checked, npm dependencies current. Sets $root.
prepare_checkout() {
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  cd "$root"
  require_npm
  install_node_modules
  use_pinned_node
}
