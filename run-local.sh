#!/usr/bin/env bash
# Runs the connect → token → backfill pipeline locally with stand-ins and a sandbox OAuth provider.
# Needs JDK 17, Maven and Node 20; no AWS account, no Docker. Optional argument: the tenant id.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix standins --no-audit --no-fund --loglevel=error
mvn -B -q -ntp -DskipTests install
mvn -B -q -ntp -pl local exec:java -Dexec.args="${1:-dev-tenant}"
