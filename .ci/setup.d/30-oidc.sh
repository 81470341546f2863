# oidc-provider (panva), an OpenID Certified authorization server, and jose,
# for the OAuth tests against an independent server (testdata/oidc). Pinned
# by package-lock.json; the tests skip when node or these modules are missing.
if command -v npm >/dev/null 2>&1; then
  echo "== npm ci in testdata/oidc"
  (cd testdata/oidc && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the oidc-provider tests will skip"
else
  echo "npm is not installed: the oidc-provider tests will skip"
fi
