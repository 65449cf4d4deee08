#!/usr/bin/env bash
# Runs the whole test suite: unit, component (real AWS SDK against dynalite / ElasticMQ / WireMock),
# the flow against a real OAuth server, and the template checks. Set AWS_ENDPOINT_URL to run the
# storage tests against LocalStack or real AWS instead of the local stand-ins.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix standins --no-audit --no-fund --loglevel=error
# The connect page's browser test drives Debian's headless Chromium through /usr/bin/chromedriver; the local
# module runs it only where that exists (Maven profile "browser"). CI must run it (.ci/run installs both).
if [ ! -x /usr/bin/chromedriver ] && [ "${CI:-}" = true ]; then
  echo "The browser test cannot run: /usr/bin/chromedriver is missing (apt-get install -y chromium chromium-driver)." >&2
  exit 1
fi
mvn -B -ntp verify "$@"
if [ -x /usr/bin/chromedriver ]; then
  echo "Browser test: screenshots of the connect page in local/target/screenshots/"
else
  echo "NOTE: the connect page's browser test (local/ConnectPageBrowserTest) was NOT run: /usr/bin/chromedriver is missing."
  echo "      Install Chromium and its driver (Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver), then run ./test.sh again."
fi
# one line per provider × check, written by ProviderChecklistTest
if [ -f functions/oauth/target/provider-checklist.md ]; then
  echo "Provider checklist:"
  cat functions/oauth/target/provider-checklist.md
fi
