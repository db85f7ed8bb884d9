#!/usr/bin/env bash
# Runs the main job on the built-in default. It installs the packages, builds the
# two programs of the `release` preset and signs the bundled sample pattern
# (patterns/sample/) with a fresh publisher key. Then it installs the pattern into
# a demo HCEXEC folder and scans a sample tree together with
# /usr/share/clamav-testfiles. The tree has
# EICAR as a file, in a zip and in a tar.gz, plus clean files. Everything the demo
# makes stays in one temporary folder, printed at the end, so its logs and reports
# can be read afterwards.
#
# The scan itself exits with 1 because it finds threats. The demo exits with 0
# when the scan ran to the end, that is when odscan exited with 0 or 1.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
source scripts/ccache-env.sh

echo "== build: odscan and odscan-pattern, release preset"
cmake --preset release
# Only the two programs: the tests are most of a full build, and test.sh runs them.
cmake --build --preset release -j2 --target odscan odscan-pattern
odscan=build/release/src/tools/odscan/odscan
odscan_pattern=build/release/src/tools/odscan-pattern/odscan-pattern

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

echo "== install the pattern into $home/components (the launcher's job in production)"
"$odscan" components install --home "$home" \
  --pattern "$publisher/agent-pattern.ptn" --public-key "$publisher/publisher.pub"

roots=("$tree")
if [[ -d /usr/share/clamav-testfiles ]]; then
  roots+=(/usr/share/clamav-testfiles)
fi

echo "== odscan scan --home $home --json $demo/report.json ${roots[*]}"
status=0
"$odscan" scan --home "$home" --json "$demo/report.json" "${roots[@]}" || status=$?

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
echo "demo: everything the demo made is in $demo (delete it when done)"
