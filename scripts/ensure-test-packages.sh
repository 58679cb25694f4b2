#!/usr/bin/env bash
# `npm test` runs this first (pretest): the suite needs Debian packages that npm cannot bring, namely
# Chromium (test/browser/), Python's grpcio and its stub generator (test/interop/) and redis-server.
# It installs the missing ones when it can (root with apt-get), else stops with the command to run.
set -euo pipefail

packages=(chromium python3-grpcio python3-grpc-tools redis-server nginx-light)

if ! command -v dpkg-query >/dev/null; then
  echo "the tests need Debian's ${packages[*]} (or the same programs at the same paths): install them, then run npm test again" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "the tests need ${missing[*]}: run sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing ${missing[*]} for the tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
