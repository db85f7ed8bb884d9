# shellcheck shell=bash
# Sourced by test.sh and demo.sh: points ccache at a folder that outlives the
# build tree, so rebuilds after a fresh clone are fast. CCACHE_DIR wins when set.
if [[ -z ${CCACHE_DIR:-} ]]; then
  if mkdir -p /var/cache/odscan-ccache 2>/dev/null && [[ -w /var/cache/odscan-ccache ]]; then
    CCACHE_DIR=/var/cache/odscan-ccache
  else
    CCACHE_DIR="${HOME:-/tmp}/.cache/odscan-ccache"
  fi
fi
export CCACHE_DIR
mkdir -p "$CCACHE_DIR"

# Paths below the repository are hashed relative to it, and the build folder's
# path is left out of the hash of debug builds, so a fresh clone in another folder
# (as CI makes) finds the objects of earlier builds. The cost: debug information
# of a cached object may name the folder of the clone that compiled it first.
CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
export CCACHE_BASEDIR CCACHE_NOHASHDIR
