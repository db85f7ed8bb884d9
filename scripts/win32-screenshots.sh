#!/usr/bin/env bash
# Takes the screenshots of the scanner's window that docs/window.md shows: the
# welcome, scanning, results and finish steps, as window-*.png at 800x600.
#
# The script builds nothing. It needs a Win32 odscan.exe and the Linux programs
# odscan-pattern and smartscan-server, and it runs the window under wine in a
# virtual 800x600 desktop on a private Xvfb display, in a wine prefix of its own.
# The scan covers a small tree in wine's C: drive:
#  - EICAR, assembled here from a reversed string so that no file in the
#    repository contains it, as a file and inside a zip;
#  - clam.exe from /usr/share/clamav-testfiles, which a scan query to a Smart
#    Scan Server on 127.0.0.1 decides;
#  - clean files, and a large sparse file that keeps the scan busy long enough for
#    the scanning screenshot (it takes no disk space).
# xdotool presses the window's keys as a user would: Enter starts the scan,
# Alt+Q quarantines the ticked files, Alt+N goes to the finish step, Alt+L closes.
#
# Usage: scripts/win32-screenshots.sh ODSCAN_EXE [LINUX_BUILD_DIR [OUTPUT_DIR]]
#   ODSCAN_EXE       the Win32 odscan.exe, for example build/win32/src/tools/odscan/odscan.exe
#   LINUX_BUILD_DIR  a Linux build with odscan-pattern and smartscan-server
#                    (default: build/release, which scripts/demo.sh builds)
#   OUTPUT_DIR       where the PNG files go (default: docs/images)
# Environment: ODSCAN_SCREENSHOT_SPARSE_SIZE is the size of the sparse file, in
# the form truncate(1) takes (default 3G). Raise it when the scan ends before the
# scanning screenshot on a fast machine.
#
# Needs the packages wine, wine32:i386, xvfb, imagemagick and xdotool.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || $# -gt 3 ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
fi
odscan_exe=$(realpath "$1")
linux_build=$(realpath "${2:-build/release}")
output=$(realpath -m "${3:-docs/images}")
odscan_pattern=$linux_build/src/tools/odscan-pattern/odscan-pattern
smartscan_server=$linux_build/src/tools/smartscan-server/smartscan-server
sparse_size=${ODSCAN_SCREENSHOT_SPARSE_SIZE:-3G}

fail() {
  echo "win32-screenshots: $*" >&2
  exit 2
}

for file in "$odscan_exe" "$odscan_pattern" "$smartscan_server"; do
  [[ -x $file || -f $file ]] || fail "'$file' not found; build it first (see docs/windows-build.md)"
done
for tool in wine wineserver Xvfb import convert xdotool python3 zip; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing; run scripts/install-deps.sh"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/odscan-screenshots.XXXXXX")
export WINEPREFIX=$work/wineprefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
xvfb_pid=
server_pid=
window_pid=

# Stops everything this script started, in reverse order. The work folder stays
# when the script failed, so its logs can be read.
cleanup() {
  local status=$?
  [[ -n $window_pid ]] && kill "$window_pid" 2>/dev/null
  [[ -d $WINEPREFIX ]] && wineserver -k 2>/dev/null
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  if [[ $status -eq 0 ]]; then
    rm -rf "$work"
  else
    echo "win32-screenshots: failed; logs and files are in $work" >&2
  fi
}
trap cleanup EXIT

# Waits up to $1 seconds for the command in the remaining arguments to succeed.
wait_for() {
  local seconds=$1
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

echo "== Xvfb, 800x600"
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
wait_for 10 test -s "$work/display" || fail "Xvfb did not start; see $work/xvfb.log"
export DISPLAY=":$(cat "$work/display")"

echo "== wine prefix in $WINEPREFIX"
# wineserver -w waits until the prefix is complete and wine has stopped again.
wine wineboot --init >"$work/wine-init.log" 2>&1
wineserver -w
# odscan.exe keeps HCEXEC in the wine user's %TEMP%, which wine 8 puts at
# C:\users\NAME\Temp; winepath gives its Linux path.
temp_folder=$(winepath -u "$(wine cmd /c 'echo %TEMP%' 2>/dev/null | tr -d '\r')")
[[ -n $temp_folder ]] || fail "cannot find wine's %TEMP% folder"
home=$temp_folder/HCEXEC
mkdir -p "$temp_folder"

echo "== publisher key, patterns and Smart Scan Server on 127.0.0.1"
publisher=$work/publisher
mkdir -p "$publisher"
"$odscan_pattern" keygen --private "$publisher/publisher.key" --public "$publisher/publisher.pub"
"$odscan_pattern" build --key "$publisher/publisher.key" --output-dir "$publisher" \
  --agent-exact patterns/sample/agent-exact.hdb \
  patterns/sample/sample.hdb patterns/sample/extra.sha256 >"$work/pattern-build.log"
"$smartscan_server" --pattern "$publisher/smart-scan-pattern.ptn" \
  --public-key "$publisher/publisher.pub" --listen 127.0.0.1:0 \
  --port-file "$work/server.port" --log-file "$work/smartscan-server.log" &
server_pid=$!
wait_for 20 test -s "$work/server.port" || fail "smartscan-server did not start"
server_url="http://127.0.0.1:$(cat "$work/server.port")"

echo "== sample tree in C:\\odscan-sample"
tree=$WINEPREFIX/drive_c/odscan-sample
mkdir -p "$tree/Documents" "$tree/Downloads" "$work/zip"
# The EICAR test file, reversed here so that the repository never contains it.
reversed_eicar='*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE$}7)CC7)^P(45XZP\4[PA@%P!O5X'
printf '%s' "$reversed_eicar" | rev | tr -d '\n' >"$tree/Downloads/eicar.com"
[[ $(md5sum <"$tree/Downloads/eicar.com" | cut -d' ' -f1) == 44d88612fea8a8f36de82e1278abb02f ]] ||
  fail "the EICAR file came out wrong"
cp "$tree/Downloads/eicar.com" "$work/zip/readme.com"
(cd "$work/zip" && zip -q "$tree/Downloads/tools.zip" readme.com)
if [[ -f /usr/share/clamav-testfiles/clam.exe ]]; then
  cp /usr/share/clamav-testfiles/clam.exe "$tree/Downloads/setup.exe"
fi
echo "Minutes of the planning meeting" >"$tree/Documents/minutes.txt"
head -c 200000 /dev/urandom >"$tree/Documents/photo.jpg"
truncate -s "$sparse_size" "$tree/Documents/disk-image.vhd"

echo "== components into wine's %TEMP%\\HCEXEC"
wine "$odscan_exe" components install --pattern "$publisher/agent-pattern.ptn" \
  --public-key "$publisher/publisher.pub" >"$work/components.log" 2>&1 ||
  fail "odscan.exe components install failed; see $work/components.log"

# Returns true once the screen shows more than the empty desktop's few colours.
window_drawn() {
  import -window root "$work/probe.png" 2>/dev/null &&
    [[ $(convert "$work/probe.png" -format %k info:) -gt 8 ]]
}

newest_session() {
  find "$home/sessions" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort | tail -n 1
}

# Returns true once the session folder that the scan opened has a report.
scan_report_written() {
  local session
  session=$(newest_session)
  [[ -n $session && -f $session/report.json ]]
}

scan_started() {
  [[ -n $(newest_session) ]]
}

files_quarantined() {
  [[ $(find "$home/quarantine" -name '*.odq' 2>/dev/null | wc -l) -ge 1 ]]
}

shoot() {
  import -window root -strip "$output/window-$1.png"
  echo "   $output/window-$1.png ($(stat -c %s "$output/window-$1.png") bytes)"
}

echo "== window: odscan.exe window --server $server_url C:\\odscan-sample"
mkdir -p "$output"
wine explorer /desktop=odscan,800x600 "$odscan_exe" window --server "$server_url" \
  'C:\odscan-sample' >"$work/window.log" 2>&1 &
window_pid=$!
wait_for 60 window_drawn || fail "the window did not appear; see $work/window.log"
sleep 1
shoot welcome

xdotool key Return
wait_for 20 scan_started || fail "the scan did not start"
sleep 2
scan_report_written && fail "the scan ended before the scanning screenshot; raise ODSCAN_SCREENSHOT_SPARSE_SIZE"
shoot scanning

wait_for 300 scan_report_written || fail "the scan did not end within 5 minutes"
sleep 1.5
shoot results

xdotool key alt+q
wait_for 30 files_quarantined || fail "nothing was quarantined"
sleep 1
xdotool key alt+n
sleep 1.5
shoot finish

xdotool key alt+l
wait_for 30 bash -c "! kill -0 $window_pid 2>/dev/null" || fail "the window did not close"
window_pid=
echo "win32-screenshots: done"
