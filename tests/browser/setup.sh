#!/bin/sh
# Installs what the browser tests need; `make test` runs it. Idempotent and quick when all is there.
# Debian's Chromium (never a browser download of Playwright's own), a Japanese font, Java for the Nu HTML checker, and
# the npm tools pinned in package-lock.json. The Python side (playwright) comes from requirements-dev.txt.
set -eu
cd "$(dirname "$0")/../.."

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "tests/browser/setup.sh: $* missing; install it as root: apt-get install -y $*" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

[ -x /usr/bin/chromium ] || apt_install chromium
# A Japanese font named in kiji.css: without one, screenshots show boxes and text metrics are wrong.
fc-list :lang=ja 2>/dev/null | grep -q . || apt_install fonts-noto-cjk
command -v java >/dev/null || apt_install default-jre-headless
command -v npm >/dev/null || apt_install nodejs npm

# npm ci only when the lock file changed since the last install. --ignore-scripts: vnu-jar's
# postinstall would try to download a Java runtime; the jar itself ships in the package.
if [ ! -f node_modules/.kiji-installed ] || [ package-lock.json -nt node_modules/.kiji-installed ]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch node_modules/.kiji-installed
fi
