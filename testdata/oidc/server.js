// An independent authorization server for keyhole's tests: oidc-provider
// (OpenID Certified) with its issuer under a tenant path, beside a resource
// server that checks the audience, scope and DPoP binding of the tokens it
// gets, as real APIs do. The Go tests start it on a free loopback port and
// read the first line it prints ("listening http://127.0.0.1:PORT").
//
// Environment: CLIENT_JWK, the public JWK (JSON) of the private_key_jwt client.
import crypto from 'node:crypto';
import http from 'node:http';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const tenant = '/tenant-a';
const issuer = origin + tenant;

// Resources: each path is a resource server whose identifier is its URL.
const resources = {
  '/api/aud': { ttl: 300, dpop: false },       // checks aud and scope
  '/api/short': { ttl: 5, dpop: false },       // 5-second tokens
  '/api/dpop': { ttl: 300, dpop: true },       // DPoP-bound tokens only, with a nonce
  '/mcp': { ttl: 300, dpop: false },           // an MCP-style server: register first
};
const DEFAULT_AUDIENCE = 'urn:keyhole:default'; // what a token asked without resource= is for

const signing = await jose.generateKeyPair('ES256', { extractable: true });
const privateJWK = { ...(await jose.exportJWK(signing.privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const rsa = await jose.generateKeyPair('RS256', { extractable: true });
const rsaJWK = { ...(await jose.exportJWK(rsa.privateKey)), kid: 'k2', alg: 'RS256', use: 'sig' };
const publicJWKS = jose.createLocalJWKSet({
  keys: [{ ...(await jose.exportJWK(signing.publicKey)), kid: 'k1', alg: 'ES256' }],
});

const native = {
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1/callback'], // any port (RFC 8252 §7.3)
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  scope: 'openid offline_access read write',
};
const machine = (id, method) => ({
  client_id: id,
  client_secret: 's3cret/with+chars=',
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'read write',
});
const clients = [
  machine('cc-basic', 'client_secret_basic'),
  machine('cc-post', 'client_secret_post'),
  machine('cc-short', 'client_secret_basic'),
  { ...machine('cc-dpop', 'client_secret_basic'), dpop_bound_access_tokens: true },
  { ...native, client_id: 'app' },
  { ...native, client_id: 'par-app', require_pushed_authorization_requests: true },
  { ...native, client_id: 'app-short' },
];
if (process.env.CLIENT_JWK) {
  const { client_secret, ...m } = machine('cc-jwt', 'private_key_jwt');
  clients.push({ ...m, jwks: { keys: [JSON.parse(process.env.CLIENT_JWK)] } });
}

function resourceServer(indicator) {
  let u;
  try { u = new URL(indicator); } catch { return undefined; }
  if (u.origin !== origin || !resources[u.pathname]) return undefined;
  return resources[u.pathname];
}

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [privateJWK, rsaJWK] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'read', 'write'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL || 300,
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || 300,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    registration: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf || DEFAULT_AUDIENCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator, client) => {
        const rs = resourceServer(indicator);
        if (!rs && indicator !== DEFAULT_AUDIENCE) throw new errors.InvalidTarget();
        return {
          scope: 'read write',
          audience: indicator,
          accessTokenTTL: client.clientId.endsWith('-short') ? 5 : (rs?.ttl ?? 300),
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});

// --- the resource server -------------------------------------------------

const dpopNonces = new Set();
function newNonce() {
  const n = crypto.randomBytes(16).toString('base64url');
  dpopNonces.add(n);
  return n;
}

function deny(res, status, scheme, params, extraHeaders = {}) {
  const p = Object.entries(params).map(([k, v]) => `${k}="${String(v).replace(/["\\]/g, '')}"`).join(', ');
  res.writeHead(status, { 'WWW-Authenticate': p ? `${scheme} ${p}` : scheme, 'Content-Type': 'application/json', ...extraHeaders });
  res.end(JSON.stringify({ error: params.error || 'unauthorized' }));
}

async function checkDPoP(req, url, token, payload) {
  const proof = req.headers.dpop;
  if (!proof) throw new Error('no DPoP proof');
  const { payload: p, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  if (p.htm !== req.method) throw new Error('htm does not match the method');
  if (p.htu !== origin + url.pathname) throw new Error('htu does not match the URL');
  const ath = crypto.createHash('sha256').update(token).digest('base64url');
  if (p.ath !== ath) throw new Error('ath does not match the access token');
  if (Math.abs(Date.now() / 1000 - p.iat) > 60) throw new Error('iat too far from now');
  const jkt = await jose.calculateJwkThumbprint(protectedHeader.jwk, 'sha256');
  if (payload.cnf?.jkt !== jkt) throw new Error('Invalid DPoP key binding');
  if (!p.nonce || !dpopNonces.has(p.nonce)) return 'nonce';
  return '';
}

async function resource(req, res, url) {
  const rs = resources[url.pathname];
  const id = origin + url.pathname;
  const meta = `${origin}/.well-known/oauth-protected-resource${url.pathname}`;
  const scheme = rs.dpop ? 'DPoP' : 'Bearer';
  const base = rs.dpop ? { algs: 'ES256' } : { resource_metadata: meta };
  const auth = req.headers.authorization || '';
  const [given, token] = auth.split(' ');
  if (!token || given.toLowerCase() !== scheme.toLowerCase()) {
    return deny(res, 401, scheme, base);
  }
  let payload;
  try {
    ({ payload } = await jose.jwtVerify(token, publicJWKS, { issuer, audience: id, typ: 'at+jwt' }));
  } catch (e) {
    return deny(res, 401, scheme, { ...base, error: 'invalid_token', error_description: e.message });
  }
  if (rs.dpop) {
    let need;
    try {
      need = await checkDPoP(req, url, token, payload);
    } catch (e) {
      return deny(res, 401, scheme, { ...base, error: 'invalid_token', error_description: e.message });
    }
    if (need === 'nonce') {
      return deny(res, 401, scheme, { ...base, error: 'use_dpop_nonce', error_description: 'Resource server requires nonce in DPoP proof' }, { 'DPoP-Nonce': newNonce() });
    }
  }
  if (!String(payload.scope || '').split(' ').includes('read')) {
    return deny(res, 403, scheme, { ...base, error: 'insufficient_scope', scope: 'read' });
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ ok: true, resource: id, client_id: payload.client_id, scope: payload.scope }));
}

function protectedResourceMetadata(res, path) {
  const rs = resources[path];
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({
    resource: origin + path,
    authorization_servers: [issuer],
    scopes_supported: ['read', 'write'],
    bearer_methods_supported: ['header'],
    dpop_bound_access_tokens_required: rs.dpop,
  }));
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const url = new URL(req.url, origin);
  if (url.pathname === tenant || url.pathname.startsWith(tenant + '/')) {
    req.originalUrl = req.url;
    req.url = req.url.slice(tenant.length) || '/';
    return callback(req, res);
  }
  const prm = url.pathname.match(/^\/\.well-known\/oauth-protected-resource(\/.*)$/);
  if (prm && resources[prm[1]]) return protectedResourceMetadata(res, prm[1]);
  if (resources[url.pathname]) {
    return resource(req, res, url).catch((e) => { res.writeHead(500); res.end(String(e)); });
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});

console.log(`listening ${origin}`);
process.stdin.on('end', () => process.exit(0)); // the test closed our stdin: it is over
process.stdin.resume();
