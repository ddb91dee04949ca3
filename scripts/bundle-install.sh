#!/bin/sh
# Install Kasane from this bundle with no access to PyPI or npm (docs/install.md):
#   ./install.sh /opt/kasane [more pip install options, e.g. --no-compile]
# Needs python3 (with venv) and npm from the OS's own packages. Then set up an instance:
#   /opt/kasane/venv/bin/kasane init /srv/kasane --source "$(pwd)" --prefecture NN
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-/opt/kasane}
[ $# -gt 0 ] && shift
python=${PYTHON:-python3}
cd "$here"
sha256sum --check --quiet SHA256SUMS
"$python" -m venv "$target/venv"
"$target/venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" "$@" kasane
# npm reads the packages from the bundle's cache only (--offline: never the network)
npm ci --offline --cache "$here/npm-cache" --ignore-scripts --no-audit --no-fund --loglevel=error
echo "installed: $target/venv/bin/kasane ($("$target/venv/bin/kasane" --version))"
echo "next: $target/venv/bin/kasane init /srv/kasane --source $here --prefecture NN"
