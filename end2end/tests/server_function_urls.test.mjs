// The console's server functions are called at the addresses the built app names, and the
// server answers at exactly those: every server function has a fixed name under /rpc, not a
// hash of the directory it was built in (an app built in one directory and a server built
// in another once answered 400 to every console call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer } from '../support/server.mjs';

const dist = process.env.SESAME_SITE_DIR ?? resolve(import.meta.dirname, '..', '..', 'dist');

// The server-function addresses written in the built module (a WASM file's strings are
// plain bytes).
function addressesInTheApp() {
  const wasm = readdirSync(dist).find((name) => name.endsWith('.wasm'));
  const bytes = readFileSync(join(dist, wasm)).toString('latin1');
  return [...new Set([...bytes.matchAll(/\/rpc\/[A-Za-z0-9_]+/g)].map((match) => match[0]))].sort();
}

test('every server function the built app calls answers at the address it calls', async () => {
  const addresses = addressesInTheApp();
  assert.ok(addresses.length >= 20, `only ${addresses.length} server-function addresses in the app: ${addresses}`);
  for (const address of addresses) {
    assert.match(address, /^\/rpc\/[a-z_]+$/, 'a fixed name, no hash');
  }
  const server = await startServer();
  try {
    for (const address of addresses) {
      // Signed out and with no arguments: each function answers its own refusal (or a
      // malformed call), never "no such function".
      const response = await fetch(`${server.baseUrl}${address}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'sec-fetch-site': 'same-origin' },
        body: '{}',
      });
      const body = await response.text();
      assert.ok(!/could not find a server function/i.test(body), `${address}: ${response.status} ${body}`);
      assert.notEqual(response.status, 404, `${address}: ${body}`);
    }
  } finally {
    await server.stop();
  }
});
