#!/usr/bin/env bash
# Create .venv in the repository and install sheetsync into it (editable), with the
# extras named as arguments (e.g. "test"). Works where pip refuses to install into the
# system Python (PEP 668, "externally-managed-environment"), as root or as a normal user:
#  - a Python without ensurepip (Debian/Ubuntu without python3-venv) gets a venv without
#    pip, and pip is bootstrapped into it from PyPI's own wheel (no other site is used);
#  - as root, python3-venv is installed from Debian's packages instead, when apt is there.
# Safe to run again: it reuses .venv and installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv
extras=$(IFS=,; echo "$*")
target=.
[ -n "$extras" ] && target=".[$extras]"

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends python3-venv >/dev/null
      "$PYTHON" -m venv "$VENV"
    else
      "$PYTHON" -m venv --without-pip "$VENV"
    fi
  fi
fi
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  # pip's wheel runs from its own zip: fetch it from PyPI and let it install itself
  "$VENV/bin/python" - <<'PY'
import json, os, subprocess, sys, tempfile, urllib.parse, urllib.request
index = "https://pypi.org/pypi/pip/json"
meta = json.load(urllib.request.urlopen(index, timeout=60))
wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
path = os.path.join(tempfile.mkdtemp(), wheel["filename"])
urllib.request.urlretrieve(urllib.parse.urljoin(index, wheel["url"]), path)
subprocess.run([sys.executable, f"{path}/pip", "install", "-q", path], check=True)
PY
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
"$VENV/bin/python" -m pip install -q -e "$target"
