// The REST API's document is a contract (docs/testing.md). `api/openapi.json` is the published
// document and must be the one the server generates; `api/versions/<version>.json` is the
// document as first published under each version. Optic (npm @useoptic/optic, with
// end2end/optic.yml: its breaking-changes rules and operationIds kept) compares them:
//   - within a version, nothing may break: the current document against its version's first;
//   - from one version to the next, every operation a breaking change touches is named in
//     CHANGELOG.md under the newer version's *Breaking* heading, and the major number grows;
//   - the document's info.version is CHANGELOG.md's newest version.
//
//   node end2end/api-contract/contract.mjs check   <generated.json>
//   node end2end/api-contract/contract.mjs publish <generated.json>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const end2end = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repositoryRoot = resolve(end2end, '..');

/** The operations ("PATCH /api/v1/api_keys/{id}") a breaking change touches, from `base` to
 * `revision` (two files), each with Optic's messages. Empty: nothing breaks. */
export function breakingChanges(base, revision) {
  const optic = join(end2end, 'node_modules', '.bin', 'optic');
  const run = spawnSync(optic, ['diff', resolve(base), resolve(revision), '--check'], {
    cwd: end2end, // where optic.yml is
    encoding: 'utf8',
    env: { ...process.env, OPTIC_TELEMETRY_LEVEL: 'off', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const output = `${run.stdout}${run.stderr}`;
  const changes = [];
  for (const line of output.split('\n')) {
    const operation = line.match(/^x ([A-Z]+ \/\S*):/);
    if (operation) {
      changes.push({ operation: operation[1], messages: [] });
    } else if (changes.length > 0 && /^\s+x \[/.test(line)) {
      changes.at(-1).messages.push(line.trim().slice(2));
    }
  }
  // Optic exits 1 when a check fails; anything else (a document it cannot read, say) is not
  // "no breaking change".
  if (run.status === 0 && changes.length === 0) return [];
  if (run.status === 1 && changes.length > 0) return changes;
  throw new Error(`optic diff ${base} ${revision} failed (exit ${run.status}):\n${output}`);
}

/** CHANGELOG.md's versions, newest first, each with the text of its *Breaking* heading. */
export function changelogVersions(text) {
  const versions = [];
  for (const section of text.split(/^## /m).slice(1)) {
    const version = section.match(/^(\d+\.\d+\.\d+)\b/)?.[1];
    if (!version) continue;
    const breaking = section.match(/^### Breaking\n([\s\S]*?)(?=^### |$(?![\s\S]))/m)?.[1] ?? '';
    versions.push({ version, breaking });
  }
  return versions;
}

const semver = (version) => version.split('.').map(Number);
function compareVersions(a, b) {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The versions published under `api/versions/`, oldest first. */
export function publishedVersions(root) {
  const folder = join(root, 'api', 'versions');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => name.match(/^(\d+\.\d+\.\d+)\.json$/)?.[1])
    .filter(Boolean)
    .sort(compareVersions);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** What breaks the contract, as sentences; none: it holds. `generated` is the file the server
 * generated from the code. */
export function contractProblems(root, generated) {
  const problems = [];
  const document = readJson(generated);
  const version = document.info?.version ?? '';
  const published = join(root, 'api', 'openapi.json');
  if (!existsSync(published) || !sameJson(readJson(published), document)) {
    problems.push('api/openapi.json is not the document the server generates: run scripts/api-contract.sh --publish and commit it');
  }
  const changelog = changelogVersions(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'));
  if (changelog[0]?.version !== version) {
    problems.push(`the document's info.version is ${version}, CHANGELOG.md's newest version ${changelog[0]?.version ?? 'none'}: they must be the same`);
  }
  const versions = publishedVersions(root);
  const versionFile = (v) => join(root, 'api', 'versions', `${v}.json`);
  if (!versions.includes(version)) {
    problems.push(`version ${version} has no api/versions/${version}.json: run scripts/api-contract.sh --publish`);
  } else {
    for (const change of breakingChanges(versionFile(version), generated)) {
      problems.push(`${change.operation} breaks version ${version} (${change.messages.join('; ')}): give it a new major version in CHANGELOG.md, under *Breaking*, and in info.version`);
    }
  }
  for (let i = 1; i < versions.length; i += 1) {
    const [older, newer] = [versions[i - 1], versions[i]];
    const changes = breakingChanges(versionFile(older), versionFile(newer));
    const entry = changelog.find((candidate) => candidate.version === newer);
    for (const change of changes) {
      if (!entry?.breaking.includes(`\`${change.operation}\``)) {
        problems.push(`${change.operation} breaks ${older} in ${newer} (${change.messages.join('; ')}), and CHANGELOG.md does not name it (\`${change.operation}\`) under ${newer}'s *Breaking*`);
      }
    }
    if (changes.length > 0 && semver(newer)[0] <= semver(older)[0]) {
      problems.push(`${newer} breaks ${older}: it needs a new major version`);
    }
  }
  return problems;
}

/** Makes `generated` the published document, and its version's first if it is new. */
export function publish(root, generated) {
  const text = `${JSON.stringify(readJson(generated), null, 2)}\n`;
  const version = readJson(generated).info.version;
  mkdirSync(join(root, 'api', 'versions'), { recursive: true });
  writeFileSync(join(root, 'api', 'openapi.json'), text);
  const first = join(root, 'api', 'versions', `${version}.json`);
  if (!existsSync(first)) writeFileSync(first, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, generated] = process.argv.slice(2);
  if (!['check', 'publish'].includes(command) || !generated) {
    console.error('usage: contract.mjs check|publish <generated.json>');
    process.exit(2);
  }
  if (command === 'publish') publish(repositoryRoot, generated);
  const problems = contractProblems(repositoryRoot, generated);
  for (const problem of problems) console.error(`api contract: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`api contract: the document is version ${readJson(generated).info.version}, nothing breaks it`);
}
