#!/usr/bin/env bash
# Copy the front-end packages that `npm ci` installed into safeguarding/static/vendor/, where Django's
# staticfiles serves them (nothing is loaded from a CDN). Run by `make static` and by the Dockerfile.
#
# The precompiled CSS refers to its fonts and images as url(/assets/...); those are rewritten to where the
# files end up under STATIC_URL. Source maps are copied too: the CSS and JS name them, and production's
# ManifestStaticFilesStorage refuses to collect a file that names a file which does not exist.
set -euo pipefail

cd "$(dirname "$0")/../.."

modules=node_modules
dest=safeguarding/static/vendor
govuk=$modules/govuk-frontend/dist/govuk
moj=$modules/@ministryofjustice/frontend/moj
htmx=$modules/htmx.org/dist
cytoscape=$modules/cytoscape/dist

for required in "$govuk/govuk-frontend.min.css" "$govuk/govuk-frontend.min.js" "$govuk/assets" \
    "$moj/moj-frontend.min.css" "$moj/moj-frontend.min.js" "$moj/assets" "$htmx/htmx.min.js" \
    "$cytoscape/cytoscape.esm.min.mjs"; do
    if [[ ! -e $required ]]; then
        echo "copy_static.sh: $required is missing; run 'npm ci' first (make static does)." >&2
        exit 1
    fi
done

# Build beside the destination and swap it in, so an interrupted copy never leaves half a vendor directory.
mkdir -p "$(dirname "$dest")"
staging=$(mktemp -d "$dest.tmp.XXXXXX")
chmod 755 "$staging"  # mktemp makes it private; the web server may run as another user
trap 'rm -rf "$staging"' EXIT

# Rewrite url(/assets/...) with or without quotes to url(/static/vendor/<package>/assets/...).
rewrite_asset_urls() {  # package source destination
    sed -E "s#url\\(([\"']?)/assets/#url(\\1/static/vendor/$1/assets/#g" "$2" >"$3"
}

mkdir -p "$staging/govuk" "$staging/moj" "$staging/htmx" "$staging/cytoscape"

rewrite_asset_urls govuk "$govuk/govuk-frontend.min.css" "$staging/govuk/govuk-frontend.min.css"
cp "$govuk/govuk-frontend.min.css.map" "$govuk/govuk-frontend.min.js" "$govuk/govuk-frontend.min.js.map" \
    "$staging/govuk/"
cp -R "$govuk/assets" "$staging/govuk/assets"  # fonts, images, manifest.json (and rebrand/ where a release has it)

rewrite_asset_urls moj "$moj/moj-frontend.min.css" "$staging/moj/moj-frontend.min.css"
cp "$moj/moj-frontend.min.css.map" "$moj/moj-frontend.min.js" "$moj/moj-frontend.min.js.map" "$staging/moj/"
cp -R "$moj/assets" "$staging/moj/assets"

cp "$htmx/htmx.min.js" "$staging/htmx/"

# The network graph (cases/networks): the ES module build, imported by static/js/network-graph.mjs.
cp "$cytoscape/cytoscape.esm.min.mjs" "$staging/cytoscape/"

# Every rewritten url() must name a file that was copied.
missing=0
while read -r url; do
    if [[ ! -e $staging/${url#/static/vendor/} ]]; then
        echo "copy_static.sh: CSS refers to $url, which was not copied" >&2
        missing=1
    fi
done < <(grep -ohE "url\\([\"']?/static/vendor/[^\"')?#]+" "$staging"/*/*.min.css | sed -E "s#url\\([\"']?##" | sort -u)
if ((missing)); then
    exit 1
fi
if grep -qE "url\\([\"']?/assets/" "$staging"/*/*.min.css; then
    echo "copy_static.sh: a url(/assets/...) was left unrewritten" >&2
    exit 1
fi

rm -rf "$dest"
mv "$staging" "$dest"
trap - EXIT
echo "Front-end assets copied to $dest/"
