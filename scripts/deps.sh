#!/usr/bin/env bash
# Installs what coop needs to build and test on Debian 12, if it is missing.
# Usage: scripts/deps.sh [build|test]
set -euo pipefail
packages=(gcc meson ninja-build pkg-config libsodium-dev libsqlite3-dev libuv1-dev
          libjansson-dev libinih-dev libmicrohttpd-dev libssl-dev python3)
# libxml2 writes the XAF audit file (node/xaf.c).
packages+=(libxml2-dev)
if [ "${1:-build}" = test ]; then
  packages+=(libcriterion-dev sqlite3 python3 valgrind hledger ledger openssl chromium)
  # xmllint validates the XAF audit file against its XSD (tests/books/year.sh).
  packages+=(libxml2-utils)
  # ss counts each daemon's bytes on the wire in bench/bench_network.sh.
  packages+=(iproute2)
  # The browser test's puppeteer-core (tests/web/browser) needs node and npm.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
