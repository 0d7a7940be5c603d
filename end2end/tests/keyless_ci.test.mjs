// Keyless CI against a real OpenID provider (oidc-provider, support/oidc_issuer.mjs): an
// administrator trusts the provider for a service account through the REST API; a job's
// script trades the provider's signed token for a key of the account and calls the API with
// it; the same token is refused the second time, a token signed with another key (jose) is
// refused and the account's activity says why, "Test a token" names the failing condition,
// and the key's use is counted in its usage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { SignJWT, generateKeyPair } from 'jose';

import { startServer } from '../support/server.mjs';
import { exchange, startIssuer } from '../support/oidc_issuer.mjs';

let server;
let issuer;
let adminKey;
let account;

const api = (path, { key = adminKey, method = 'GET', body } = {}) =>
  fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'MC-Api-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

before(async () => {
  server = await startServer({ extraArgs: ['--allow-insecure-issuers'] });
  server.createUser({ username: 'ci_admin', password: 'correct horse battery', fullName: 'CI Admin', email: 'ci@example.com', role: 'admin' });
  adminKey = server.createKey('ci_admin', 'provisioning');
  const me = await (await api('/me')).json();
  const made = await api('/service_accounts', { method: 'POST', body: { name: 'ci-deploy', role: 'user', managers: [me.data.id] } });
  assert.equal(made.status, 201);
  account = (await made.json()).data.id;
  issuer = await startIssuer({ audience: server.baseUrl });
});

after(async () => {
  await issuer?.close();
  await server?.stop();
});

async function trust(conditions) {
  const made = await api(`/service_accounts/${account}/trust_rules`, { method: 'POST', body: { issuer: issuer.url, conditions, scopes: ['me:read', 'api_keys:read'] } });
  assert.equal(made.status, 201, await made.clone().text());
  return (await made.json()).data;
}

test('a job trades the provider’s token for a key of the service account, once', async () => {
  await trust({ sub: 'ci-runner', repository_id: '123456', ref: 'refs/heads/main' });
  const token = await issuer.token();
  const answer = await exchange(server.baseUrl, token);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  const { access_token: key, token_type: type, expires_in: expiresIn, scope } = await answer.json();
  assert.equal(type, 'Bearer');
  assert.equal(scope, 'me:read api_keys:read');
  assert.ok(expiresIn > 0 && expiresIn <= 300, `never past the token's own expiry: ${expiresIn}`);

  const me = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal((await me.json()).data.username, 'ci-deploy');
  assert.equal((await api('/users', { key })).status, 403, 'narrowed by the rule');

  const again = await exchange(server.baseUrl, token);
  assert.equal(again.status, 400);
  assert.deepEqual(await again.json(), { error: 'invalid_grant' });

  // The minted key is listed under the account, and its use is counted like any key's.
  const listed = (await (await api(`/api_keys?ownerId=${account}`)).json()).data;
  const minted = listed.find((row) => row.minted?.subject === 'ci-runner');
  assert.ok(minted, JSON.stringify(listed));
  let accepted = 0;
  for (let tries = 0; tries < 50 && accepted === 0; tries += 1) {
    accepted = (await (await api(`/api_keys/${minted.id}/usage`)).json()).data.totals.accepted;
    if (accepted === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(accepted >= 1, 'the key’s requests are in its usage');
});

test('a token signed with another key is refused, and the account’s activity says why', async () => {
  const genuine = await issuer.token();
  const [, payload] = genuine.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const { privateKey } = await generateKeyPair('RS256');
  const forged = await new SignJWT({ ...claims, jti: `forged-${Date.now()}` }).setProtectedHeader({ alg: 'RS256', kid: 'ci-1' }).sign(privateKey);
  const answer = await exchange(server.baseUrl, forged);
  assert.deepEqual(await answer.json(), { error: 'invalid_grant' });
  const events = (await (await api('/activity?pageSize=100')).json()).data;
  const refused = events.filter((event) => event.event === 'token_exchange_refused').map((event) => event.detail);
  assert.ok(refused.some((detail) => detail.endsWith(': bad signature')), JSON.stringify(refused));
});

test('"Test a token" shows the claims and the condition that failed', async () => {
  const rule = await trust({ sub: 'ci-runner', ref: 'refs/heads/release' });
  const tested = await api(`/service_accounts/${account}/trust_rules/${rule.id}/test`, { method: 'POST', body: { token: await issuer.token() } });
  const { data } = await tested.json();
  assert.equal(data.wouldMint, false);
  assert.equal(data.refused, null);
  assert.equal(data.claims.repository_id, '123456');
  const failed = data.conditions.filter((condition) => !condition.matched);
  assert.deepEqual(failed, [{ claim: 'ref', expected: 'refs/heads/release', got: 'refs/heads/main', matched: false }]);
});
