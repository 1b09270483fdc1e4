#!/usr/bin/env bash
# Installs what tests/picture/render.rs needs to check the Mermaid pictures with the real
# Mermaid library in a headless browser: Debian's chromium, and the npm packages `mermaid`
# and `puppeteer-core` (which never downloads a browser of its own) at pinned versions in
# target/mermaid-render/. Idempotent: does nothing when everything is already there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${MERMAID_RENDER_DIR:-$here/target/mermaid-render}"
mermaid_version="11.12.0"
puppeteer_version="24.10.0"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    echo "install-render-deps: installing chromium (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install-render-deps: installing nodejs and npm (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

want_mermaid() {
    [ -f "$dir/node_modules/mermaid/package.json" ] &&
        grep -q "\"version\": \"$mermaid_version\"" "$dir/node_modules/mermaid/package.json" &&
        [ -f "$dir/node_modules/puppeteer-core/package.json" ] &&
        grep -q "\"version\": \"$puppeteer_version\"" "$dir/node_modules/puppeteer-core/package.json"
}

if ! want_mermaid; then
    echo "install-render-deps: npm install mermaid@$mermaid_version puppeteer-core@$puppeteer_version into $dir"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"name":"mermaid-render","private":true}' >"$dir/package.json"
    # PUPPETEER_SKIP_DOWNLOAD: puppeteer-core downloads nothing, but be explicit.
    PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$dir" --no-audit --no-fund --silent \
        "mermaid@$mermaid_version" "puppeteer-core@$puppeteer_version"
fi
echo "install-render-deps: chromium and mermaid@$mermaid_version ready ($dir)"
