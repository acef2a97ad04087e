#!/usr/bin/env bash
# Rewrites src/main/resources/META-INF/garage-sync/preload-classes.txt: the classes a start of the daemon
# loads from the jar and the JDK beyond the JDK's own class-data archive, in the order it loads them (see
# ClassPreloader). Run it after changing dependencies; ClassPreloaderTest fails when the list has gone stale.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=18099
java -Xlog:class+load=info:file="$work/classes.log" -Dcamel.server.port=$port -Dgaragesync.data-dir="$work/data" \
  -jar target/garage-sync.jar >"$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/api/health" >/dev/null
kill "$pid"; wait "$pid" || true
out=src/main/resources/META-INF/garage-sync/preload-classes.txt
grep -v 'shared objects file' "$work/classes.log" | grep -E 'source: (jar|file|jrt)' | awk '{print $2}' \
  | grep -v '^app\.garagesync\.ClassPreloader' > "$out"
echo "$(wc -l < "$out") classes in $out"
