#!/usr/bin/env bash
# Everything the tests need on a fresh Debian/Ubuntu machine, as root or with sudo:
# the real servers and clients the tests start or open on loopback, from Debian's
# packages, and the Python packages (in .venv, made by scripts/venv.sh).
#  - dovecot-imapd: IMAP drafts, the digest and mail sync against a real Dovecot
#  - chromium: the report opened in a real headless browser
#  - libreoffice-calc-nogui: every workbook sheetsync writes opened by LibreOffice
#  - zsh, fish: the generated completion scripts loaded in real shells (bash is there)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have dovecot || missing+=(dovecot-imapd)
have chromium || missing+=(chromium)
have soffice || missing+=(libreoffice-calc-nogui)
have zsh || missing+=(zsh)
have fish || missing+=(fish)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # the packages' own services are not used: the tests start their own instances
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# the Python packages, in .venv (pip may not install into the system Python: PEP 668)
bash scripts/venv.sh test
