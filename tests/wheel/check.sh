#!/usr/bin/env bash
# The wheel installs like any Python application: build it, install it into a fresh
# venv, and from an unrelated folder import a sample, suggest, export and open the
# window offscreen. Run by `make wheel-check` (and CI). Uses pip's cache, not the network
# when the dependencies were installed once already.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d)
# setuptools leaves build/ (and an egg-info) in the tree: remove what this run made.
had_build=$([ -e build ] && echo 1 || echo 0)
cleanup() { rm -rf "$work"; [ "$had_build" = 1 ] || rm -rf "$root/build"; }
trap cleanup EXIT
python=${PYTHON:-python3}
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" . >/dev/null
wheel=$(ls "$work"/dist/annotator-*.whl)
"$python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
sys.exit(0 if 'annotator/resources/labels.toml' in names else 'wheel-check: no resources')" "$wheel"
"$python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
sys.exit(0 if 'annotator/resources/models/checkworthy/checkworthy/config.cfg' in names \
else 'wheel-check: no shipped claim model')" "$wheel"
# the window installs inside the product's namespace: nothing but annotator at the top
"$python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
tops = {n.split('/')[0] for n in names if not n.split('/')[0].endswith('.dist-info')}; \
sys.exit(0 if tops == {'annotator'} and 'annotator/gui/app.py' in names \
else f'wheel-check: top-level names {sorted(tops)}')" "$wheel"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
"$work/venv/bin/python" -m pip install --quiet "$wheel"
site=$("$work/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
if [ -e "$site/ui" ]; then echo "wheel-check: a top-level ui/ in $site"; exit 1; fi
mkdir "$work/elsewhere"
cd "$work/elsewhere"   # not the source tree: nothing may be read from it
# the window keeps its settings (annotator name, recent projects) per user: not in ours
export QT_QPA_PLATFORM=offscreen ANNOTATOR_DB="$work/elsewhere/p.db" PYTHONSAFEPATH=1 \
  XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
bin="$work/venv/bin"
sample=$("$bin/python" -c "from annotator.paths import resource; print(resource('samples/shafaq-isis-2024-08-13.txt'))")
case "$sample" in "$root"*) echo "wheel-check: resources read from the source tree ($sample)"; exit 1;; esac
"$bin/annotator" import "$sample"
"$bin/annotator" suggest | tee suggest.txt
grep -q "claims scored by .*claimbuster" suggest.txt  # the shipped claim model, installed
"$bin/annotator" export --status any --out out.jsonl
test -s out.jsonl
"$bin/annotator" --help | grep -q " gui "
"$bin/annotator" gui --help | grep -q -- "--read-only"  # the entry point into annotator.gui
"$bin/python" - <<'PY'
from pathlib import Path
from PySide6.QtWidgets import QApplication
from annotator.gui.app import build_window
from annotator.samples import seed_if_empty
from annotator.store import Store

app = QApplication([])
with Store(Path("seeded.db")) as store:
    assert seed_if_empty(store) >= 5, "samples missing from the wheel"
window = build_window(Path("p.db"), "wheel-check", auto_suggest=False)
window.show()
app.processEvents()
assert window.doc is not None and window.spans, "the window shows no document or spans"
assert not window.grab().isNull()
window.close()
window.store.close()
print(f"wheel-check: window opened on document {window.doc.id} with {len(window.spans)} spans")
PY
echo "wheel-check: ok ($(basename "$wheel"))"
