// The API document's contract check (end2end/api-contract/contract.mjs) refuses what breaks
// a published version and accepts what CHANGELOG.md names under a new major version: run on
// copies of the published document, changed as a developer would change the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractProblems, publish, repositoryRoot } from '../api-contract/contract.mjs';

const published = JSON.parse(readFileSync(join(repositoryRoot, 'api', 'openapi.json'), 'utf8'));
const version = published.info.version;
const [major, minor] = version.split('.').map(Number);
const UPDATE = 'PATCH /api/v1/api_keys/{id}';

/** A copy of the repository's contract files, and a document the code would generate. */
function workspace(change) {
  const root = mkdtempSync(join(tmpdir(), 'sesame-contract-'));
  cpSync(join(repositoryRoot, 'api'), join(root, 'api'), { recursive: true });
  cpSync(join(repositoryRoot, 'CHANGELOG.md'), join(root, 'CHANGELOG.md'));
  const document = structuredClone(published);
  change(document);
  const generated = join(root, 'generated.json');
  writeFileSync(generated, JSON.stringify(document));
  return { root, generated, done: () => rmSync(root, { recursive: true, force: true }) };
}

const renameUpdate = (document) => {
  document.paths['/api/v1/api_keys/{id}'].patch.operationId = 'changeApiKey';
};

function addChangelogVersion(root, newVersion, breaking) {
  const file = join(root, 'CHANGELOG.md');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('\n## ');
  const entry = `\n## ${newVersion} — 2027-01-01\n\n### Breaking\n\n${breaking}\n`;
  writeFileSync(file, text.slice(0, at) + entry + text.slice(at));
}

test('the published document is what the server generates, and nothing breaks it', () => {
  const { root, generated, done } = workspace(() => {});
  try {
    assert.deepEqual(contractProblems(root, generated), []);
  } finally {
    done();
  }
});

test('a renamed operationId under the same version is refused, published or not', () => {
  const { root, generated, done } = workspace(renameUpdate);
  try {
    publish(root, generated);
    const problems = contractProblems(root, generated);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], new RegExp(`^${UPDATE.replace(/[{}]/g, '\\$&')} breaks version ${version} .*operationId updateApiKey became changeApiKey`));
  } finally {
    done();
  }
});

test('an addition needs no new version, but must be published', () => {
  const { root, generated, done } = workspace((document) => {
    document.paths['/api/v1/api_keys/{id}'].patch.description += ' More.';
  });
  try {
    assert.match(contractProblems(root, generated).join('\n'), /api\/openapi.json is not the document the server generates/);
    publish(root, generated);
    assert.deepEqual(contractProblems(root, generated), []);
  } finally {
    done();
  }
});

test('a breaking change passes under a new major version whose changelog names it', () => {
  const next = `${major + 1}.0.0`;
  const { root, generated, done } = workspace((document) => {
    renameUpdate(document);
    document.info.version = next;
  });
  try {
    addChangelogVersion(root, next, `- \`${UPDATE}\`: its operationId is changeApiKey.`);
    publish(root, generated);
    assert.deepEqual(contractProblems(root, generated), []);
  } finally {
    done();
  }
});

test('a breaking change under a minor version that the changelog does not name is refused twice', () => {
  // The next minor version after the published one.
  const next = `${major}.${minor + 1}.0`;
  const { root, generated, done } = workspace((document) => {
    renameUpdate(document);
    document.info.version = next;
  });
  try {
    addChangelogVersion(root, next, '- Nothing, it says.');
    publish(root, generated);
    const problems = contractProblems(root, generated).join('\n');
    assert.match(problems, /CHANGELOG.md does not name it/);
    assert.match(problems, /needs a new major version/);
  } finally {
    done();
  }
});
