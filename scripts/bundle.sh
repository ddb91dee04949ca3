#!/usr/bin/env bash
# make bundle: an offline installation bundle for closed networks (docs/install.md).
#   scripts/bundle.sh [OUT]   (default dist/kasane-bundle)
# Run on a machine that reaches PyPI and npm, with the same OS, CPU and Python version as the
# servers: the wheels are for this platform. The bundle holds Kasane's wheel and every runtime
# dependency, the npm packages as an npm cache, the layer files, install.sh and SHA256SUMS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist/kasane-bundle}
python=${PYTHON:-$root/.venv/bin/python}
rm -rf "$out"
mkdir -p "$out/wheels"
"$python" -m pip wheel --quiet --no-deps -w "$out/wheels" "$root"
rm -rf "$root/build"  # setuptools' scratch copy, left in the checkout
"$python" -m pip download --quiet -d "$out/wheels" "$out"/wheels/kasane-*.whl
cp -r "$root/layers" "$out/layers"
cp "$root/package.json" "$root/package-lock.json" "$root/scripts/bundle-install.sh" "$out/"
mv "$out/bundle-install.sh" "$out/install.sh"
# the npm packages, as a cache that `npm ci --offline` installs from
npm ci --prefix "$out" --cache "$out/npm-cache" --prefer-offline --ignore-scripts \
  --no-audit --no-fund --loglevel=error
rm -rf "$out/node_modules"
(cd "$out" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "bundle: $out ($(du -sh "$out" | cut -f1), $(ls "$out/wheels" | wc -l) wheels)"
