#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (Playwright drives it;
# nothing downloads a browser). Prints the binary's path; exits 1 if it cannot be installed.
set -euo pipefail
for candidate in "${FLOORPULSE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests ..." >&2
log=$(mktemp)
if ! { "${as_root[@]}" apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq \
    --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "Could not install chromium (above); the browser tests need it" >&2
  exit 1
fi
rm -f "$log"
echo /usr/bin/chromium
