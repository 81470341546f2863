// An independent authorization server for keyhole's tests: oidc-provider
// (OpenID Certified) with its issuer under a tenant path, beside a resource
// server that checks the audience, scope and DPoP binding of the tokens it
// gets, as real APIs do. The Go tests start it on a free loopback port and
// read the first line it prints ("listening http://127.0.0.1:PORT").
//
// Environment: CLIENT_JWK, the public JWK (JSON) of the private_key_jwt client.
// TLS_CERT, TLS_KEY, TLS_CA (PEM files): also listen with TLS, asking every
// client for a certificate signed by TLS_CA (mutual TLS, RFC 8705); the first
// line then says "listening http://127.0.0.1:P https://127.0.0.1:Q".
// NO_CIMD=1: no client ID metadata documents (registration only).
// NODE_EXTRA_CA_CERTS: the CA of the https servers that host client ID
// metadata documents, read by Node itself.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
let tlsServer;
let tlsOrigin;
if (process.env.TLS_CERT) {
  tlsServer = https.createServer({
    cert: fs.readFileSync(process.env.TLS_CERT),
    key: fs.readFileSync(process.env.TLS_KEY),
    ca: fs.readFileSync(process.env.TLS_CA),
    requestCert: true,          // ask every client for its certificate...
    rejectUnauthorized: false,  // ...and let the token endpoint say what is wrong with a missing one
  });
  await new Promise((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsOrigin = `https://127.0.0.1:${tlsServer.address().port}`;
}
const tenant = '/tenant-a';
const issuer = origin + tenant;

// Resources: each path is a resource server whose identifier is its URL.
const resources = {
  '/api/aud': { ttl: 300, dpop: false },       // checks aud and scope
  '/api/short': { ttl: 5, dpop: false },       // 5-second tokens
  '/api/dpop': { ttl: 300, dpop: true },       // DPoP-bound tokens only, with a nonce
  '/mcp': { ttl: 300, dpop: false },           // an MCP-style server: register first
  '/api/mtls': { ttl: 300, dpop: false, mtls: true }, // certificate-bound tokens only (RFC 8705 §3), on the TLS origin
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
if (tlsOrigin) {
  // tls_client_auth (RFC 8705 §2.1): the client is whoever holds a
  // certificate from TLS_CA with this subject; its tokens are bound to it.
  const { client_secret, ...m } = machine('cc-mtls', 'tls_client_auth');
  clients.push({ ...m, tls_client_auth_subject_dn: 'CN=keyhole-client', tls_client_certificate_bound_access_tokens: true });
}
if (process.env.CLIENT_JWK) {
  const { client_secret, ...m } = machine('cc-jwt', 'private_key_jwt');
  clients.push({ ...m, jwks: { keys: [JSON.parse(process.env.CLIENT_JWK)] } });
}

function resourceServer(indicator) {
  let u;
  try { u = new URL(indicator); } catch { return undefined; }
  if (![origin, tlsOrigin].includes(u.origin) || !resources[u.pathname]) return undefined;
  return resources[u.pathname];
}

// The peer certificate of a request that came over the TLS listener.
function peerCertificate(req) {
  const peer = req.socket.getPeerCertificate?.();
  return peer?.raw ? new crypto.X509Certificate(peer.raw) : undefined;
}

// Client ID Metadata Documents live on loopback in the tests; oidc-provider's
// fetch refuses special-use addresses (its SSRF guard, right for a real
// server), so loopback URLs are fetched without that guard.
function fetchDocuments(url, options) {
  const { hostname } = new URL(url);
  if (hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost') {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  }
  return globalThis.fetch(url, options);
}

const provider = new Provider(issuer, {
  fetch: fetchDocuments,
  discovery: tlsOrigin ? { mtls_endpoint_aliases: { token_endpoint: `${tlsOrigin}${tenant}/token` } } : {},
  clients,
  jwks: { keys: [privateJWK, rsaJWK] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'read', 'write'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', ...(tlsOrigin ? ['tls_client_auth'] : [])],
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
    // draft-ietf-oauth-client-id-metadata-document, experimental in oidc-provider 9.
    // NO_CIMD=1 turns it off, for a server that offers registration alone.
    clientIdMetadataDocument: { enabled: !process.env.NO_CIMD, ack: 'draft-02' },
    mTLS: {
      enabled: !!tlsOrigin,
      tlsClientAuth: true,
      certificateBoundAccessTokens: true,
      getCertificate: (ctx) => peerCertificate(ctx.req),
      certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
      certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn'
        && peerCertificate(ctx.req)?.subject === expected,
    },
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

async function checkDPoP(req, url, token, payload, base) {
  const proof = req.headers.dpop;
  if (!proof) throw new Error('no DPoP proof');
  const { payload: p, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  if (p.htm !== req.method) throw new Error('htm does not match the method');
  if (p.htu !== base + url.pathname) throw new Error('htu does not match the URL');
  const ath = crypto.createHash('sha256').update(token).digest('base64url');
  if (p.ath !== ath) throw new Error('ath does not match the access token');
  if (Math.abs(Date.now() / 1000 - p.iat) > 60) throw new Error('iat too far from now');
  const jkt = await jose.calculateJwkThumbprint(protectedHeader.jwk, 'sha256');
  if (payload.cnf?.jkt !== jkt) throw new Error('Invalid DPoP key binding');
  if (!p.nonce || !dpopNonces.has(p.nonce)) return 'nonce';
  return '';
}

async function resource(req, res, url, at) {
  const rs = resources[url.pathname];
  const id = at + url.pathname;
  const meta = `${at}/.well-known/oauth-protected-resource${url.pathname}`;
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
      need = await checkDPoP(req, url, token, payload, at);
    } catch (e) {
      return deny(res, 401, scheme, { ...base, error: 'invalid_token', error_description: e.message });
    }
    if (need === 'nonce') {
      return deny(res, 401, scheme, { ...base, error: 'use_dpop_nonce', error_description: 'Resource server requires nonce in DPoP proof' }, { 'DPoP-Nonce': newNonce() });
    }
  }
  if (rs.mtls) {
    // RFC 8705 §3: the token is bound to the certificate it was issued to.
    const cert = peerCertificate(req);
    const x5t = cert && crypto.hash('sha256', cert.raw, 'base64url');
    if (!payload.cnf?.['x5t#S256'] || payload.cnf['x5t#S256'] !== x5t) {
      return deny(res, 401, scheme, { ...base, error: 'invalid_token', error_description: 'the token is not bound to the client certificate of this connection' });
    }
  }
  if (!String(payload.scope || '').split(' ').includes('read')) {
    return deny(res, 403, scheme, { ...base, error: 'insufficient_scope', scope: 'read' });
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ ok: true, resource: id, client_id: payload.client_id, scope: payload.scope }));
}

function protectedResourceMetadata(res, path, base) {
  const rs = resources[path];
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({
    resource: base + path,
    authorization_servers: [issuer],
    scopes_supported: ['read', 'write'],
    bearer_methods_supported: ['header'],
    dpop_bound_access_tokens_required: rs.dpop,
    tls_client_certificate_bound_access_tokens: !!rs.mtls,
  }));
}

const callback = provider.callback();
const handle = (base) => (req, res) => {
  const url = new URL(req.url, base);
  if (url.pathname === tenant || url.pathname.startsWith(tenant + '/')) {
    req.originalUrl = req.url;
    req.url = req.url.slice(tenant.length) || '/';
    return callback(req, res);
  }
  const prm = url.pathname.match(/^\/\.well-known\/oauth-protected-resource(\/.*)$/);
  if (prm && resources[prm[1]]) return protectedResourceMetadata(res, prm[1], base);
  if (resources[url.pathname]) {
    return resource(req, res, url, base).catch((e) => { res.writeHead(500); res.end(String(e)); });
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
};
server.on('request', handle(origin));
tlsServer?.on('request', handle(tlsOrigin));

console.log(tlsOrigin ? `listening ${origin} ${tlsOrigin}` : `listening ${origin}`);
process.stdin.on('end', () => process.exit(0)); // the test closed our stdin: it is over
process.stdin.resume();
