#!/usr/bin/env bash
# Runs the console's browser tests for ctest. Exits 77 (ctest's SKIP_RETURN_CODE
# for this test) when Node.js, Chromium or the npm packages are missing, so a
# machine without them reports the test as skipped rather than failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${ODSCAN_CHROMIUM:-/usr/bin/chromium}

skip() {
  echo "console_browser_test skipped: $1; run scripts/install-deps.sh as root to install it"
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node (Node.js) is not installed"
[[ -x $chromium ]] || skip "Chromium ($chromium) is not installed"
[[ -f $here/node_modules/playwright-core/package.json ]] ||
  skip "playwright-core is not installed in $here/node_modules"

exec node --test "$here/console.test.mjs"
