#!/usr/bin/env bash
# Fetch pinned front-end vendor files from the npm registry (via `npm pack`,
# no CDN) into src/ranan/static/vendor/, and write vendor/VERSIONS.md.
#
# Idempotent: each vendor sub-directory is wiped and re-populated on every run.
# To upgrade, bump the pinned versions below and re-run.
set -euo pipefail

TABLER_VERSION="1.6.1"   # @tabler/core, latest 1.x stable
HTMX_VERSION="2.0.11"    # htmx.org, latest 2.x
ECHARTS_VERSION="6.1.0"  # echarts, dashboards (issue 8)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="$REPO_ROOT/src/ranan/static/vendor"

command -v npm >/dev/null || { echo "error: npm not found on PATH" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch SPEC NAME -> unpacks the tarball into $TMP/NAME/package, prints nothing.
# npm pack verifies the tarball against the registry's integrity hash.
fetch() {
    local spec="$1" name="$2" tgz
    echo "==> npm pack $spec" >&2
    tgz="$(cd "$TMP" && npm pack --silent "$spec" 2>/dev/null | tail -n1)"
    [[ -f "$TMP/$tgz" ]] || { echo "error: npm pack $spec produced no tarball" >&2; exit 1; }
    mkdir -p "$TMP/$name"
    tar -xzf "$TMP/$tgz" -C "$TMP/$name"
}

# pkg_field DIR FIELD -> value of a top-level package.json field
pkg_field() {
    node -e 'const p=require(process.argv[1]+"/package.json");process.stdout.write(String(p[process.argv[2]]??""))' "$1" "$2"
}

fetch "@tabler/core@$TABLER_VERSION" tabler
fetch "htmx.org@$HTMX_VERSION" htmx
fetch "echarts@$ECHARTS_VERSION" echarts
ECHARTS_PKG="$TMP/echarts/package"
[[ "$(pkg_field "$ECHARTS_PKG" version)" == "$ECHARTS_VERSION" ]] || { echo "error: echarts version mismatch" >&2; exit 1; }
ECHARTS_LICENSE="$(pkg_field "$ECHARTS_PKG" license)"
TABLER_PKG="$TMP/tabler/package"
HTMX_PKG="$TMP/htmx/package"

# Sanity: the registry gave us exactly what we pinned.
[[ "$(pkg_field "$TABLER_PKG" version)" == "$TABLER_VERSION" ]] || { echo "error: tabler version mismatch" >&2; exit 1; }
[[ "$(pkg_field "$HTMX_PKG" version)" == "$HTMX_VERSION" ]] || { echo "error: htmx version mismatch" >&2; exit 1; }
TABLER_LICENSE="$(pkg_field "$TABLER_PKG" license)"
HTMX_LICENSE="$(pkg_field "$HTMX_PKG" license)"

# ---------------------------------------------------------------- tabler
rm -rf "$VENDOR_DIR/tabler"
mkdir -p "$VENDOR_DIR/tabler"
cp "$TABLER_PKG/dist/css/tabler.min.css" "$VENDOR_DIR/tabler/"
cp "$TABLER_PKG/dist/js/tabler.min.js" "$VENDOR_DIR/tabler/"

TABLER_LICENSE_NOTE=""
if [[ -f "$TABLER_PKG/LICENSE" ]]; then
    cp "$TABLER_PKG/LICENSE" "$VENDOR_DIR/tabler/LICENSE"
else
    # The @tabler/core npm tarball ships no LICENSE file. Build the standard
    # MIT text, taking the copyright lines from the package's own banner.
    [[ "$TABLER_LICENSE" == "MIT" ]] || { echo "error: tabler licence is '$TABLER_LICENSE', expected MIT" >&2; exit 1; }
    {
        echo "The MIT License (MIT)"
        echo
        grep -m2 -oE 'Copyright [0-9]{4}-[0-9]{4} .*' "$TABLER_PKG/dist/css/tabler.min.css" \
            | sed 's/^Copyright /Copyright (c) /'
        cat <<'EOF'

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF
    } > "$VENDOR_DIR/tabler/LICENSE"
    TABLER_LICENSE_NOTE="- \`tabler/LICENSE\`: the @tabler/core npm tarball contains no LICENSE file. This one is the standard MIT text (package.json \`\"license\": \"MIT\"\`, same text as upstream github.com/tabler/tabler/blob/master/LICENSE) with the copyright lines copied from the banner of \`tabler.min.css\`."
fi

# Offline check of tabler.min.css: remote @import is stripped, any other
# remote url() is only reported. (http://www.w3.org/2000/svg inside data: URIs
# is an XML namespace, not a fetch, so data: URIs are ignored.)
CSS="$VENDOR_DIR/tabler/tabler.min.css"
CSS_NOTES=()
REMOTE_IMPORT_RE='@import[[:space:]]*(url\()?[[:space:]]*["'\'']?(https?:)?//[^;]*;'
if grep -qE "$REMOTE_IMPORT_RE" "$CSS"; then
    while IFS= read -r imp; do
        CSS_NOTES+=("- Stripped remote \`$imp\` from \`tabler.min.css\` (script \`sed\`, so it works offline); nothing else in the file was changed.")
    done < <(grep -oE "$REMOTE_IMPORT_RE" "$CSS")
    sed -E -i "s#$REMOTE_IMPORT_RE##g" "$CSS"
fi
REMOTE_URLS="$(grep -oE 'url\([[:space:]]*["'\'']?(https?:)?//[^)]*\)' "$CSS" | sort -u || true)"
if [[ -n "$REMOTE_URLS" ]]; then
    while IFS= read -r u; do
        CSS_NOTES+=("- WARNING: \`tabler.min.css\` references remote \`$u\` at runtime; it will not load offline (left unchanged).")
    done <<< "$REMOTE_URLS"
fi
if [[ ${#CSS_NOTES[@]} -eq 0 ]]; then
    CSS_NOTES+=("- Offline check: \`tabler.min.css\` has no \`@import\` and no remote \`url(...)\` (fonts are a system-font stack); it is unmodified.")
fi

# sourceMappingURL comments point at .map files that are not vendored.
MAP_NOTE=""
MAP_FILES="$(grep -l 'sourceMappingURL=' "$VENDOR_DIR/tabler/tabler.min.css" "$VENDOR_DIR/tabler/tabler.min.js" 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ' || true)"
if [[ -n "$MAP_FILES" ]]; then
    MAP_NOTE="- \`${MAP_FILES% }\` end with a \`sourceMappingURL\` comment, but the \`.map\` files are not vendored. Browsers only fetch maps with devtools open (harmless 404), but Django's \`ManifestStaticFilesStorage\` rewrites these references and \`collectstatic\` fails on a missing map. If that storage is used, vendor the \`.map\` files too (\`dist/css/tabler.min.css.map\`, \`dist/js/tabler.min.js.map\`)."
fi

# ---------------------------------------------------------------- htmx
rm -rf "$VENDOR_DIR/htmx"
mkdir -p "$VENDOR_DIR/htmx"
cp "$HTMX_PKG/dist/htmx.min.js" "$VENDOR_DIR/htmx/"
cp "$HTMX_PKG/LICENSE" "$VENDOR_DIR/htmx/LICENSE"

# ---------------------------------------------------------------- echarts
rm -rf "$VENDOR_DIR/echarts"
mkdir -p "$VENDOR_DIR/echarts"
cp "$ECHARTS_PKG/dist/echarts.min.js" "$VENDOR_DIR/echarts/"
cp "$ECHARTS_PKG/LICENSE" "$VENDOR_DIR/echarts/LICENSE"
[[ -f "$ECHARTS_PKG/NOTICE" ]] && cp "$ECHARTS_PKG/NOTICE" "$VENDOR_DIR/echarts/NOTICE"

# ---------------------------------------------------------------- VERSIONS.md
{
    cat <<EOF
# Vendored front-end packages

Generated by \`scripts/fetch_vendor.sh\` from the npm registry (\`npm pack\`, no CDN).
Do not edit by hand; bump the pinned versions in the script and re-run it.

| Package | Version | Licence (SPDX) | Files copied |
|---|---|---|---|
| \`@tabler/core\` | $TABLER_VERSION | $TABLER_LICENSE | \`tabler/tabler.min.css\` (from \`dist/css/\`), \`tabler/tabler.min.js\` (from \`dist/js/\`), \`tabler/LICENSE\` |
| \`htmx.org\` | $HTMX_VERSION | $HTMX_LICENSE | \`htmx/htmx.min.js\` (from \`dist/\`), \`htmx/LICENSE\` |
| \`echarts\` | $ECHARTS_VERSION | $ECHARTS_LICENSE | \`echarts/echarts.min.js\` (from \`dist/\`), \`echarts/LICENSE\`, \`echarts/NOTICE\` |

## Notes

EOF
    printf '%s\n' "${CSS_NOTES[@]}"
    [[ -n "$TABLER_LICENSE_NOTE" ]] && echo "$TABLER_LICENSE_NOTE"
    [[ -n "$MAP_NOTE" ]] && echo "$MAP_NOTE"
    echo "- \`tabler.min.js\` is a self-contained UMD bundle (Bootstrap JS and Popper included); it needs no other script."
} > "$VENDOR_DIR/VERSIONS.md"

echo "==> vendored into $VENDOR_DIR" >&2
(cd "$VENDOR_DIR" && ls -l tabler htmx echarts VERSIONS.md) >&2
