#!/usr/bin/env bash
# The API reference of the domain (the library other applications import), built from the
# docstrings by pdoc into var/docs (git-ignored). Fails on any warning pdoc prints — an
# annotation it cannot resolve, a module it cannot import — so the reference never silently
# loses a name. Usage: bash scripts/docs.sh [output dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-var/docs}
# Every module, not only the packages: a package's __all__ hides its modules from pdoc's walk,
# and the modules' docstrings are where the rules are written down.
modules=$(.venv/bin/python -c '
import pkgutil, adolf.domain
found = pkgutil.walk_packages(adolf.domain.__path__, "adolf.domain.")
print("adolf.domain", *(m.name for m in found if not m.name.rpartition(".")[2].startswith("_")))
')
warnings=$(mktemp)
trap 'rm -f "$warnings"' EXIT
rm -rf "$out"
# shellcheck disable=SC2086 # one word per module
.venv/bin/python -m pdoc $modules --docformat restructuredtext -o "$out" 2>"$warnings"
if [ -s "$warnings" ]; then
  echo "pdoc warned (the API reference must build clean):" >&2
  cat "$warnings" >&2
  exit 1
fi
echo "API reference: $out/adolf/domain.html ($(find "$out" -name '*.html' | wc -l) pages)"
