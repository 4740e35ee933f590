#!/usr/bin/env bash
# Install Debian's chromium for the browser tests when it is missing and we may install packages.
# Without it the browser tests skip locally; in CI (CI=true) they fail instead of skipping.
set -u
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
    echo "chromium is not installed and cannot be installed here; browser tests will be skipped."
fi
exit 0
