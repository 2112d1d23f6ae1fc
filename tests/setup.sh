#!/usr/bin/env bash
# Everything the tests need on a fresh Debian/Ubuntu machine: the mail server the
# tests start on loopback (Dovecot, from Debian's packages), Chromium for the report
# tests, and the Python packages (in .venv, made by scripts/venv.sh).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # the package's own service is not used: the tests start their own instance
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    dovecot-imapd >/dev/null
fi

# the report tests open the page in a real headless Chromium (Debian's package)
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium >/dev/null
fi

# the workbook tests open every kind of file sheetsync writes in a real LibreOffice
if ! command -v soffice >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null
fi

# the Python packages, in .venv (pip may not install into the system Python: PEP 668)
bash scripts/venv.sh test
