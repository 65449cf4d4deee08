#!/usr/bin/env bash
# Runs the whole system on this machine until Ctrl-C: DynamoDB/SQS stand-ins with the tables and queues
# of template.yaml, every HTTP route on http://localhost:8080 with a dev JWT authorizer, the sync worker
# fed from the queue, and a sandbox OAuth provider. Needs JDK 17, Maven and Node 20; no AWS, no Docker.
# Options: --port <n> (LOCAL_PORT), --data-dir <folder> (LOCAL_DATA_DIR, default .local-data),
#          --secrets <file> (LOCAL_SECRETS_FILE, default local-secrets.json).
set -euo pipefail
cd "$(dirname "$0")"
for tool in java mvn node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    case "$tool" in
      java) echo "JDK 17 or newer is needed: install one (e.g. Temurin 17) and put java on the PATH." ;;
      mvn)  echo "Maven is needed: install it (https://maven.apache.org, or e.g. \`sudo apt-get install maven\`)." ;;
      *)    echo "Node.js 20 (with npm) is needed for the local DynamoDB stand-in: install it from https://nodejs.org (or your package manager)." ;;
    esac
    exit 1
  fi
done
npm ci --prefix standins --no-audit --no-fund --loglevel=error
mvn -B -q -ntp -DskipTests install
exec mvn -B -q -ntp -pl local exec:java -Dexec.args="$*"
