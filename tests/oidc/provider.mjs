// A real OpenID Provider for the tests: the OpenID-certified `oidc-provider` package, on loopback.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG (written by tests/oidc/__init__.py):
//   issuers:  [{path: "/plain"}, {path: "/tenant-a/v2.0"}, {path: "/rogue"}]  one Provider each, mounted at path
//   aliases:  {"/organizations/v2.0": {from: "/tenant-a/v2.0", tenant_template: true},
//              "/wrong-keys": {from: "/plain", jwks_from: "/rogue"}}
//             a discovery document served at <alias>/.well-known/openid-configuration: `from`'s own, with its
//             issuer's tenant part replaced by {tenantid} (as Entra ID's `organizations` endpoint does), or
//             with the keys of another issuer (so tokens fail their signature check), or with keys at an
//             address nobody answers (`jwks_uri`)
//   clients:  [{client_id, client_secret, redirect_paths: ["/login/with/entra/callback", ...]}]
//   accounts: {"name": {sub, email, email_verified, name, tid, hd, ...}}  the claims each person has; they
//             sign in at the login form with their `sub` (any password)
//
// Prints {"base": "http://127.0.0.1:PORT"} on one line once it listens, and serves until killed.
// People sign in at the dev interactions (plain HTML forms: a login and password, any password).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

const sharedKey = signingKey('shared');
const server = http.createServer();
const mounted = new Map();   // path -> Provider
const aliases = config.aliases || {};

function claimsOf(id) {
  return Object.values(config.accounts || {}).find((claims) => claims.sub === id);
}

function allowedRedirect(clientConfig, value) {
  // Loopback callbacks on any port (the forum's test servers take a free one), on the registered paths only.
  let url;
  try { url = new URL(value); } catch { return false; }
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname)
    && !url.search && !url.hash && clientConfig.redirect_paths.includes(url.pathname);
}

function listen() {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const port = await listen();
const base = `http://127.0.0.1:${port}`;

for (const { path } of config.issuers) {
  // The rogue issuer's key has the same key id as everyone else's: a token from one fails the other's signature check.
  const key = path === '/rogue' ? signingKey('shared') : sharedKey;
  const provider = new Provider(base + path, {
    clients: config.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_paths.map((p) => `http://127.0.0.1${p}`),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [key] },
    cookies: { keys: ['test-cookie-key-one-two-three-four'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'upn', 'tid', 'hd', 'xms_edov'],
    },
    conformIdTokenClaims: false,  // the claims go in the ID token, as Entra ID and Google send them
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600,
    },
    async findAccount(_ctx, id) {
      const claims = claimsOf(id);
      if (!claims) return undefined;
      // The provider's `sub` is the account id, so people sign in with their subject as the login name.
      return { accountId: id, async claims() { return { ...claims, sub: id }; } };
    },
    async loadExistingGrant(ctx) {
      // The forum is a first-party client: consent is given without asking.
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    const clientConfig = config.clients.find((c) => c.client_id === this.clientId);
    return Boolean(clientConfig) && allowedRedirect(clientConfig, value);
  };
  mounted.set(path, provider);
}

async function discovery(path) {
  const response = await fetch(`${base}${path}/.well-known/openid-configuration`);
  return response.json();
}

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, base);
    for (const [alias, spec] of Object.entries(aliases)) {
      if (url.pathname === `${alias}/.well-known/openid-configuration`) {
        const document = await discovery(spec.from);
        if (spec.tenant_template) {
          // Entra ID's multi-tenant document: the issuer names no tenant; each token's iss names its own.
          const tenant = spec.from.split('/')[1];
          document.issuer = document.issuer.replace(`/${tenant}/`, '/{tenantid}/');
        }
        if (spec.jwks_from) document.jwks_uri = (await discovery(spec.jwks_from)).jwks_uri;
        if (spec.jwks_uri) document.jwks_uri = spec.jwks_uri;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(document));
        return;
      }
    }
    for (const [path, provider] of mounted) {
      if (url.pathname === path || url.pathname.startsWith(`${path}/`)) {
        req.originalUrl = req.url;
        req.url = req.url.slice(path.length) || '/';
        provider.callback()(req, res);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
  }
});

process.stdout.write(`${JSON.stringify({ base })}\n`);
