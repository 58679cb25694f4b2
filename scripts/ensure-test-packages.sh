#!/usr/bin/env bash
# `npm test` runs this first (pretest). Four tiers of the suite need programs that npm cannot bring: test/browser/
# needs Chromium, the Python interop python3 with grpcio and grpc_tools, the Redis tests redis-server, the tests on a
# pseudo-terminal util-linux's script (test/support/test-tiers.ts says where each is looked for). On Debian as root, as on CI, the missing packages are
# installed with apt-get. Then scripts/test-tiers.ts names the tiers that will be skipped here and what they need,
# and the rest of the suite runs; with CI set, a tier that cannot run fails the run instead. Where there is no
# dpkg-query, nothing but bash itself and node is needed.
set -euo pipefail
here=${0%/*}
[ "$here" != "$0" ] || here=.
cd "$here/.."

packages=(chromium python3-grpcio python3-grpc-tools redis-server nginx-light bsdutils)

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} for the tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
  fi
fi

# The project's Node, as npm's scripts run it (a Node older than 22.18 cannot run TypeScript).
node=node_modules/.bin/node
[ -x "$node" ] || node=node
exec "$node" scripts/test-tiers.ts
