// Starts a real `sesame serve` on an ephemeral port with a fresh SQLite database, and
// creates users through the real CLI. Nothing here assumes a server is already running.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const binary = process.env.SESAME_BIN ?? join(root, 'target', 'debug', 'sesame');
const siteDir = process.env.SESAME_SITE_DIR ?? join(root, 'dist');

/** `extraArgs`: more `sesame serve` options (e.g. `--allow-insecure-issuers`). */
export async function startServer({ extraArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-e2e-'));
  const databaseUrl = `sqlite://${join(dir, 'sesame.db')}`;
  const env = { ...process.env, SESAME_DATABASE_URL: databaseUrl, RUST_LOG: 'warn' };
  // The tests' own calls may name their client address (X-Forwarded-For) as a proxy would.
  const args = ['serve', '--addr', '127.0.0.1:0', '--site-dir', siteDir, '--trusted-proxies', '127.0.0.1', ...extraArgs];
  const child = spawn(binary, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The one-time setup token is printed for the operator on standard error; the rest of it
  // goes on to ours.
  let setupToken = null;
  let unread = '';
  child.stderr.on('data', (chunk) => {
    if (!setupToken) {
      unread += chunk;
      const match = unread.match(/Setup token[^:]*: ([0-9a-f]{32})/);
      if (match) {
        setupToken = match[1];
        unread = '';
      }
    }
    process.stderr.write(chunk);
  });
  const baseUrl = await new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });

  return {
    baseUrl,
    /** The setup token the server printed (while no user exists). */
    setupToken() {
      if (!setupToken) throw new Error('the server printed no setup token');
      return setupToken;
    },
    createUser({ username, password, fullName, email, role = 'user', organization = 'Acme Corporation' }) {
      const result = spawnSync(
        binary,
        ['user', 'create', '--username', username, '--email', email, '--role', role,
          '--full-name', fullName, '--organization', organization, '--password-stdin'],
        { env, input: `${password}\n`, encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`user create failed: ${result.stderr}`);
    },
    /** A key made with `sesame key create`, as a provisioning script would. */
    createKey(username, name) {
      const result = spawnSync(binary, ['key', 'create', '--username', username, '--name', name], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`key create failed: ${result.stderr}`);
      return result.stdout.trim();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
