#!/usr/bin/env bash
# Runs the main job on the built-in default: the whole system on 127.0.0.1 and a
# guest's scan through it. It installs the packages, builds the programs of the
# `release` preset and signs the bundled sample pattern (patterns/sample/) with a
# fresh publisher key. It starts a Smart Scan Server with the sample Smart Scan
# Pattern, and Threat Mitigator with the agent pattern, the Linux scanner and the
# On-demand Scan settings in its component store. It prints the console URL, the
# On-demand Scan link and a one-time administrator password. Then it downloads the
# launcher from the link, as a guest would, and runs it: the launcher installs the
# components into a demo HCEXEC folder and starts the scanner. The scanner scans a
# sample tree (EICAR as a file, in a zip and in a tar.gz, plus clean files)
# together with /usr/share/clamav-testfiles, sends scan queries for clam.exe, and
# uploads its session. Last, the demo logs on to the console's API and prints the
# detections the console shows.
#
# With --serve the servers stay up until Ctrl+C, so the console can be opened in a
# browser; otherwise they stop at the end. Everything the demo makes stays in one
# temporary folder, printed at the end, so its logs and reports can be read.
#
# The scan itself exits with 1 because it finds threats. The demo exits with 0
# when the scan ran to the end, that is when odscan exited with 0 or 1.
set -euo pipefail
cd "$(dirname "$0")/.."

serve=false
if [[ ${1:-} == --serve ]]; then
  serve=true
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/demo.sh [--serve]" >&2
  exit 2
fi

scripts/install-deps.sh
source scripts/ccache-env.sh

echo "== build: the release programs"
cmake --preset release
# Only the programs: the tests are most of a full build, and test.sh runs them.
cmake --build --preset release -j2 --target odscan odscan-pattern smartscan-server \
  threat-mitigator OnDemandScan
odscan=$PWD/build/release/src/tools/odscan/odscan
odscan_pattern=$PWD/build/release/src/tools/odscan-pattern/odscan-pattern
smartscan_server=$PWD/build/release/src/tools/smartscan-server/smartscan-server
threat_mitigator=$PWD/build/release/src/tools/threat-mitigator/threat-mitigator
launcher=$PWD/build/release/src/tools/launcher/OnDemandScan

demo=$(mktemp -d "${TMPDIR:-/tmp}/odscan-demo.XXXXXX")
tree="$demo/sample-tree"
home="$demo/HCEXEC"
publisher="$demo/publisher"
console_dir="$demo/console"
mkdir -p "$tree/documents" "$publisher" "$demo/archive-work" "$console_dir"

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

pids=()
stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT

# Waits until the server started last has written its port file.
wait_for_port() {
  local name=$1 port_file=$2 log=$3
  local pid=${pids[-1]}
  for _ in $(seq 200); do
    [[ -s $port_file ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: $name did not start; its log is $log" >&2
      exit 2
    fi
    sleep 0.1
  done
  echo "demo: $name wrote no port within 20 s; its log is $log" >&2
  exit 2
}

echo "== Smart Scan Server on 127.0.0.1 with $publisher/smart-scan-pattern.ptn"
"$smartscan_server" --pattern "$publisher/smart-scan-pattern.ptn" \
  --public-key "$publisher/publisher.pub" --listen 127.0.0.1:0 \
  --port-file "$demo/server.port" --log-file "$demo/smartscan-server.log" &
pids+=($!)
wait_for_port smartscan-server "$demo/server.port" "$demo/smartscan-server.log"
server="http://127.0.0.1:$(cat "$demo/server.port")"
echo "demo: Smart Scan Server listening on $server"

echo "== Threat Mitigator in $console_dir"
config="$console_dir/console.json"
python3 - "$config" "$publisher/publisher.key" "$launcher" <<'PYTHON'
import json, sys
config = {
    "data_dir": "data",
    "publisher_key": sys.argv[2],
    "launcher_linux": sys.argv[3],
    "listen": "127.0.0.1:0",
    "port_file": "console.port",
    "log_file": "threat-mitigator.log",
}
with open(sys.argv[1], "w") as out:
    json.dump(config, out, indent=2)
PYTHON
admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(15))')
TM_ADMIN_PASSWORD=$admin_password "$threat_mitigator" create-admin --config "$config" \
  --username admin
"$threat_mitigator" publish --config "$config" --component agent-pattern \
  "$publisher/agent-pattern.ptn"
"$threat_mitigator" publish --config "$config" --component scanner-linux "$odscan"
targets=("$tree")
if [[ -d /usr/share/clamav-testfiles ]]; then
  targets+=(/usr/share/clamav-testfiles)
fi
targets_json=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${targets[@]}")
"$threat_mitigator" settings --config "$config" --group ondemand \
  --json "{\"targets\": $targets_json}" >/dev/null
"$threat_mitigator" settings --config "$config" --group smartscan \
  --json "{\"smart_scan_server_url\": \"$server\", \"allow_global_server\": false}" >/dev/null
"$threat_mitigator" serve --config "$config" >"$console_dir/serve.out" &
pids+=($!)
wait_for_port threat-mitigator "$console_dir/console.port" "$console_dir/threat-mitigator.log"
console="http://127.0.0.1:$(cat "$console_dir/console.port")/"
echo "demo: Threat Mitigator console: $console (user admin, password $admin_password)"
echo "demo: On-demand Scan link:      ${console}ondemand"

echo "== a guest downloads the launcher from ${console}ondemand and runs it"
curl -sSf -o "$demo/OnDemandScan" "${console}ondemand/OnDemandScan"
chmod 0700 "$demo/OnDemandScan"
status=0
"$demo/OnDemandScan" --home "$home" -- --json "$demo/report.json" || status=$?

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

echo "== the detections in the console's Threat Event Logs"
jar="$demo/cookies.txt"
logon_token=$(curl -sSf -c "$jar" "${console}logon" |
  sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
curl -sSf -b "$jar" -c "$jar" -H "X-CSRF-Token: $logon_token" \
  -H 'Content-Type: application/json' \
  -d "{\"username\": \"admin\", \"password\": \"$admin_password\"}" \
  "${console}api/v1/logon" >/dev/null
curl -sSf -b "$jar" "${console}api/v1/events?type=detection&limit=20" | python3 -c '
import json, sys
events = json.load(sys.stdin)["events"]
for event in events:
    print("  ".join([event["time"], event["host"], event["threat"], event["path"]]))
print(f"demo: {len(events)} detections (at most 20 shown)")'

session=$(find "$home/sessions" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
echo "demo: session folder $session"
ls -l "$session"
echo "demo: JSON report $demo/report.json"
echo "demo: logs: $demo/smartscan-server.log, $console_dir/threat-mitigator.log"
echo "demo: everything the demo made is in $demo (delete it when done)"
if $serve; then
  echo "demo: the servers keep running; open $console in a browser, Ctrl+C stops them"
  wait
else
  echo "demo: the servers stop now (scripts/demo.sh --serve keeps them running)"
fi
