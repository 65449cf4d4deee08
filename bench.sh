#!/usr/bin/env bash
# On-demand benchmarks (never part of ./test.sh): builds the deployable jars, runs every bench against the
# local stand-ins and prints a table of figures, same-run baselines and targets. Takes ~10 minutes; pass
# bench names to run fewer: ./bench.sh cold callback backfill refresher size
# Figures are only as quiet as the machine: run it when nothing else is building.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix standins --no-audit --no-fund --loglevel=error
mvn -B -ntp -q -DskipTests install
mvn -B -ntp -q -pl local exec:java -Dexec.mainClass=dev.connectors.local.Benches -Dexec.args="$*"
