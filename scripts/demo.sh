#!/usr/bin/env bash
# Runs the main job on the built-in default. It installs the packages, builds the
# programs of the `release` preset and signs the bundled sample pattern
# (patterns/sample/) with a fresh publisher key. It starts a Smart Scan Server on
# 127.0.0.1 with the sample Smart Scan Pattern, installs the agent pattern (EICAR
# as its only exact signature) into a demo HCEXEC folder, and scans a sample tree
# together with /usr/share/clamav-testfiles through that server, so clam.exe is
# found by scan queries. The tree has EICAR as a file, in a zip and in a tar.gz,
# plus clean files. The server is stopped at the end. Everything the demo makes
# stays in one temporary folder, printed at the end, so its logs and reports can
# be read afterwards.
#
# The scan itself exits with 1 because it finds threats. The demo exits with 0
# when the scan ran to the end, that is when odscan exited with 0 or 1.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
source scripts/ccache-env.sh

echo "== build: odscan, odscan-pattern and smartscan-server, release preset"
cmake --preset release
# Only the programs: the tests are most of a full build, and test.sh runs them.
cmake --build --preset release -j2 --target odscan odscan-pattern smartscan-server
odscan=build/release/src/tools/odscan/odscan
odscan_pattern=build/release/src/tools/odscan-pattern/odscan-pattern
smartscan_server=build/release/src/tools/smartscan-server/smartscan-server

demo=$(mktemp -d "${TMPDIR:-/tmp}/odscan-demo.XXXXXX")
tree="$demo/sample-tree"
home="$demo/HCEXEC"
publisher="$demo/publisher"
mkdir -p "$tree/documents" "$publisher" "$demo/archive-work"

echo "== sample tree in $tree"
# EICAR is assembled from reversed halves so no file in the repository contains it.
write_eicar() {
  python3 -c 'import sys; sys.stdout.write("$}7)CC7)^P(45XZP\\4[PA@%P!O5X"[::-1] + "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE"[::-1])' >"$1"
}
write_eicar "$tree/eicar.com"
write_eicar "$demo/archive-work/eicar.com"
(cd "$demo/archive-work" && zip -q "$tree/eicar.zip" eicar.com)
tar -C "$demo/archive-work" -czf "$tree/documents/eicar.tar.gz" eicar.com
echo "meeting notes" >"$tree/documents/notes.txt"
printf '#!/bin/sh\necho hello\n' >"$tree/hello.sh"
head -c 100000 /dev/urandom >"$tree/documents/random.bin"

echo "== publisher key and sample pattern in $publisher"
"$odscan_pattern" keygen --private "$publisher/publisher.key" --public "$publisher/publisher.pub"
"$odscan_pattern" build --key "$publisher/publisher.key" --output-dir "$publisher" \
  --agent-exact patterns/sample/agent-exact.hdb \
  patterns/sample/sample.hdb patterns/sample/extra.sha256

echo "== Smart Scan Server on 127.0.0.1 with $publisher/smart-scan-pattern.ptn"
"$smartscan_server" --pattern "$publisher/smart-scan-pattern.ptn" \
  --public-key "$publisher/publisher.pub" --listen 127.0.0.1:0 \
  --port-file "$demo/server.port" --log-file "$demo/smartscan-server.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [[ -s "$demo/server.port" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: smartscan-server did not start; its log is $demo/smartscan-server.log" >&2
    exit 2
  fi
  sleep 0.1
done
server="http://127.0.0.1:$(cat "$demo/server.port")"
echo "demo: Smart Scan Server listening on $server"

echo "== install the pattern into $home/components (the launcher's job in production)"
"$odscan" components install --home "$home" \
  --pattern "$publisher/agent-pattern.ptn" --public-key "$publisher/publisher.pub"

roots=("$tree")
if [[ -d /usr/share/clamav-testfiles ]]; then
  roots+=(/usr/share/clamav-testfiles)
fi

echo "== odscan scan --home $home --server $server --json $demo/report.json ${roots[*]}"
status=0
"$odscan" scan --home "$home" --server "$server" --json "$demo/report.json" "${roots[@]}" ||
  status=$?

echo
case $status in
  0) echo "demo: the scan found nothing (exit code 0)" ;;
  1)
    echo "demo: the scan found threats, as expected for these samples (exit code 1)"
    if [[ -d /usr/share/clamav-testfiles ]]; then
      echo "demo: the 'not scanned' lines are expected: libarchive cannot extract clam.d64.zip"
      echo "      (Deflate64) or clam.impl.zip (implode), and clam_cache_emax.tgz nests"
      echo "      deeper than the default --max-archive-depth of 8"
    fi
    ;;
  *)
    echo "demo: the scan failed with exit code $status; see the messages above" >&2
    exit "$status"
    ;;
esac

session=$(find "$home/sessions" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
echo "demo: session folder $session"
ls -l "$session"
echo "demo: JSON report $demo/report.json"
echo "demo: Smart Scan Server log $demo/smartscan-server.log (the server stops now)"
echo "demo: everything the demo made is in $demo (delete it when done)"
