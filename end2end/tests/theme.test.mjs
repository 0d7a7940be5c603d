// Light, dark, or as the system is set: the choice under User settings → Theme changes the
// console's colours at once, survives a reload and a new login, and the API docs follow it;
// with System the page follows the system's preference as it changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, generateKey, logIn } from '../support/console.mjs';

const t = labels.en;
const dana = { username: 'dana', password: 'correct horse battery', fullName: 'Dana Dark', email: 'dana@example.com' };
// The page's background in each theme (public/style.css, --bg).
const LIGHT_BG = 'rgb(244, 245, 247)';
const DARK_BG = 'rgb(20, 23, 26)';

/** Waits (a few seconds at most) for the page's background to become `color`, then checks it. */
async function expectBackground(page, color, message) {
  const current = () => getComputedStyle(document.body).backgroundColor;
  await page.waitForFunction((wanted) => getComputedStyle(document.body).backgroundColor === wanted, color, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(current), color, message);
}

async function pressed(page, name) {
  return button(page, name).getAttribute('aria-pressed');
}

describe('Theme', () => {
  let stage;
  let server;
  let page;

  // A light system to begin with; the first address is the login page, opened by the test.
  before(async () => {
    stage = await openStage({ locale: t.locale, person: dana, role: 'admin', colorScheme: 'light', home: false });
    ({ server, page } = stage);
  });

  after(() => closeStage(stage));

  test('System is the default and follows the system as it changes', async () => {
    await page.goto(`${server.baseUrl}/login`);
    await logIn(page, t, dana);
    await expectBackground(page, LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectBackground(page, DARK_BG);
    await button(page, t.userSettings).click();
    await button(page, t.theme).click();
    assert.equal(await pressed(page, t.themeSystem), 'true');
    assert.equal(await pressed(page, t.themeDark), 'false');
    await page.emulateMedia({ colorScheme: 'light' });
    await expectBackground(page, LIGHT_BG);
  });

  test('Dark turns the console dark at once, and is kept over a reload and a new login', async () => {
    await button(page, t.themeDark).click();
    assert.equal(await pressed(page, t.themeDark), 'true');
    assert.equal(await pressed(page, t.themeSystem), 'false');
    await expectBackground(page, DARK_BG);
    await saveScreenshot(page, 'theme-dark-drawer');
    await page.reload();
    await button(page, t.themeDark).waitFor();
    assert.equal(await pressed(page, t.themeDark), 'true');
    await expectBackground(page, DARK_BG);
    await button(page, t.back).click();
    await button(page, t.logOut).click();
    await page.getByLabel(t.username, { exact: true }).waitFor();
    await expectBackground(page, DARK_BG, 'the login page keeps the theme');
    await logIn(page, t, dana);
    await page.goto(`${server.baseUrl}/settings/api-credentials`);
    await button(page, t.generateApiKey).waitFor();
    await generateKey(page, t, 'night-job');
    await saveScreenshot(page, 'theme-dark-api-credentials');
    await button(page, t.done).click();
    await button(page, t.deleteKey('night-job')).click();
    await page.getByRole('dialog').waitFor();
    await saveScreenshot(page, 'theme-dark-delete-dialog');
    await page.getByRole('dialog').getByRole('button', { name: t.cancel, exact: true }).click();
    await expectBackground(page, DARK_BG);
  });

  test('the API docs follow the choice', async () => {
    await page.goto(`${server.baseUrl}/api-docs?lang=en`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await expectBackground(page, 'rgb(30, 34, 38)');
    await saveScreenshot(page, 'theme-dark-api-docs');
  });

  test('Light stays light on a dark system; System follows it again', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.baseUrl}/settings/theme`);
    await button(page, t.themeLight).click();
    await expectBackground(page, LIGHT_BG);
    await page.goto(`${server.baseUrl}/api-docs?lang=en`);
    await expectBackground(page, 'rgb(255, 255, 255)');
    await page.goto(`${server.baseUrl}/settings/theme`);
    await button(page, t.themeSystem).click();
    await expectBackground(page, DARK_BG);
    await page.goto(`${server.baseUrl}/api-docs?lang=en`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
    await expectBackground(page, 'rgb(30, 34, 38)');
    assert.deepEqual(await cspViolations(page), []);
  });
});
