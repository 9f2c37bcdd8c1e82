#!/usr/bin/env bash
# Set up everything Zhengwu needs on a fresh Debian/Ubuntu machine that has python3 and make:
# Debian packages (when run as root), the virtualenv and the Python packages.
# Usage: scripts/bootstrap.sh [--browser]   (--browser also installs Chromium, and npm for
# axe-core, for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

debian_packages=(python3-venv python3-dev fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
[ "$want_browser" = 1 ] && debian_packages+=(chromium)
# npm fetches axe-core (make axe); a Node.js from elsewhere (NodeSource) brings its own.
[ "$want_browser" = 1 ] && ! command -v npm >/dev/null 2>&1 && debian_packages+=(npm)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! Missing Debian packages (run as root or install them): ${missing[*]}" >&2
  fi
fi

stamp=.venv/.zhengwu-installed
reqs_hash=$(cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$reqs_hash" ]; then
  echo "==> Installing Python packages"
  # Some machines' pip configuration names local mirrors that may be absent; pip says so on
  # every package. Those lines are noise, not errors (pip's own exit status is kept).
  quiet() { { "$@"; } 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; }
  quiet .venv/bin/python -m pip install -q --upgrade pip
  quiet .venv/bin/python -m pip install -q -r requirements/dev.txt -c requirements/constraints.txt
  quiet .venv/bin/python -m pip install -q --no-deps -e .
  echo "$reqs_hash" > "$stamp"
fi
