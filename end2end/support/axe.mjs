// axe-core (from npm, pinned in package-lock.json) run in the page: the WCAG 2.2 A/AA rules
// and axe's best practices. Injected through the DevTools protocol, which the page's
// Content-Security-Policy does not govern, so the app runs under its policy as it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const RULE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/** The page's violations as it stands: rule, impact, what it asks, and where. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    RULE_TAGS,
  );
  return results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => node.target.join(' ')),
  }));
}

/** Fails with the list of violations, if any, saying where they were found. */
export async function assertAccessible(page, where) {
  const violations = await axeViolations(page);
  const listed = violations
    .map((violation) => `- ${violation.rule} (${violation.impact}): ${violation.help}\n    ${violation.nodes.join('\n    ')}`)
    .join('\n');
  assert.equal(violations.length, 0, `${where}: ${violations.length} axe violation(s)\n${listed}`);
}
