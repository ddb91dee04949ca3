#!/usr/bin/env bash
# Install (as root) or name (otherwise) the Debian/Ubuntu packages Kasane needs.
#   setup-system.sh demo   PostgreSQL + PostGIS (unless KASANE_DATABASE_URL is set), python3-venv, npm
#   setup-system.sh test   the above + Chromium (browser tests), CJK and Devanagari fonts (what the pages
#                          look like in screenshots) + GDAL tools (client tests) + nginx (the
#                          static edition of the hazard map under a real web server)
#   setup-system.sh bench  the above + wrk (the benchmarks' load generator)
set -euo pipefail
purpose=${1:-demo}
missing=()

have_python_venv() { python3 -c 'import venv, ensurepip' 2>/dev/null; }
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
have_postgis() {
  local v; v=$(basename "$(dirname "$(pg_bindir)")" 2>/dev/null) || return 1
  ls /usr/share/postgresql/"$v"/extension/postgis--3.*.sql >/dev/null 2>&1
}

have_python_venv || missing+=(python3-venv)
command -v npm >/dev/null || missing+=(npm)  # installs the browser libraries (package.json)
if [ -z "${KASANE_DATABASE_URL:-}" ] || [ "$purpose" != demo ]; then
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  have_postgis || missing+=(POSTGIS)
fi
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v ogrinfo >/dev/null || missing+=(gdal-bin)
  compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null || missing+=(fonts-noto-cjk)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
  # Devanagari (नेपाली) and the other scripts of the residents' languages (docs/languages.md)
  compgen -G "/usr/share/fonts/truetype/noto/NotoSansDevanagari-*" >/dev/null || missing+=(fonts-noto-core)
fi
if [ "$purpose" = bench ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

names() {  # POSTGIS stands for the PostGIS package matching the installed server
  local v; v=$(basename "$(dirname "$(pg_bindir)")" 2>/dev/null || true)
  for p in "${missing[@]}"; do
    if [ "$p" = POSTGIS ]; then echo "postgresql-${v:-15}-postgis-3"; else echo "$p"; fi
  done
}

if [ "$(id -u)" -ne 0 ]; then
  echo "kasane setup: missing system packages. Install them, then run make again:" >&2
  echo "  sudo apt-get install -y $(names | tr '\n' ' ')" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "kasane setup: no apt-get here; install: $(names | tr '\n' ' ')" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "kasane setup: installing $(names | tr '\n' ' ')" >&2
apt-get update -qq
# The server first, so that the PostGIS package can be matched to its version.
if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
apt-get install -y -qq --no-install-recommends $(names | grep -vx postgresql) >/dev/null
