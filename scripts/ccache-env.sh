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
