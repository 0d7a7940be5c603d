// A real OpenID provider for the keyless CI tests: `oidc-provider` (the certified Node
// implementation) on an ephemeral port, with one client-credentials client whose JWT access
// tokens carry GitHub-like claims — what a CI platform signs for a job. Its signing key and
// the client's secret are made fresh for each run, never stored.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const JOB_CLAIMS = { repository_id: '123456', repository_owner_id: '42', ref: 'refs/heads/main', repository: 'acme/deploy' };

/** Starts the provider; `audience` is what its tokens are for (Sésame's public URL). */
export async function startIssuer({ audience, claims = JOB_CLAIMS }) {
  const server = createServer();
  let nextClaims = {};
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), kid: 'ci-1', alg: 'RS256', use: 'sig' };
  const client = { client_id: 'ci-runner', client_secret: randomBytes(24).toString('hex') };
  const provider = new Provider(issuer, {
    clients: [{ ...client, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_post' }],
    jwks: { keys: [signing] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'deploy', audience, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    // The job a token is for: `token({ ref })` signs one from another branch, say.
    extraTokenClaims: () => ({ ...claims, ...nextClaims }),
    ttl: { ClientCredentials: 300 },
  });
  server.on('request', provider.callback());
  return {
    url: issuer,
    /** A job's token: a signed JWT access token from the provider's token endpoint, with
     * `overrides` of the job's claims. */
    async token(overrides = {}) {
      nextClaims = overrides;
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'deploy', ...client }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`the issuer refused: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Trades `token` for a key at Sésame's token endpoint, as a CI job's script does. */
export function exchange(baseUrl, token, scope) {
  const form = {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: token,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    ...(scope ? { scope } : {}),
  };
  return fetch(`${baseUrl}/api/v1/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
}
