// Debian's Chromium driven by playwright-core (Playwright's own browser downloads are not
// reachable here). The flags keep Chromium off the network it cannot reach anyway.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const artifactsDir = resolve(import.meta.dirname, '..', 'artifacts');

// `colorScheme` is what the system prefers ('light' unless told): the console's *System*
// theme follows it.
export async function launchBrowser({ locale, colorScheme = 'light' }) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sesame-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    locale,
    colorScheme,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  // Every Content-Security-Policy violation the pages report is kept, for the tests to
  // assert there is none: the app must run under the server's policy as it is.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return context;
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? []);
}

export async function saveScreenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`) });
}
