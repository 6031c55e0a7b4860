#!/usr/bin/env bash
# The approval page test drives a real headless browser: Debian's chromium at /usr/bin/chromium
# (never a downloaded one). Installs it when missing and this machine can (root, or sudo without a
# password); otherwise says how, in one line, and fails.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
  echo "test/browser needs Debian's chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser test (apt-get install -y chromium)..." >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
