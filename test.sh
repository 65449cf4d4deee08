#!/usr/bin/env bash
# Runs the whole test suite: unit, component (real AWS SDK against dynalite / ElasticMQ / WireMock),
# the flow against a real OAuth server, and the template checks. Set AWS_ENDPOINT_URL to run the
# storage tests against LocalStack or real AWS instead of the local stand-ins.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix standins --no-audit --no-fund --loglevel=error
mvn -B -ntp verify "$@"
# one line per provider × check, written by ProviderChecklistTest
if [ -f functions/oauth/target/provider-checklist.md ]; then
  echo "Provider checklist:"
  cat functions/oauth/target/provider-checklist.md
fi
