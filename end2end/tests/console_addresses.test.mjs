// Every screen of the console has its address, in English and in French: a link opened
// while signed out comes back to its screen after login, a reload keeps the screen, back and
// forward move between screens (and close the drawer), and an unknown address is a real 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, link, logIn, pathOf, waitForPath } from '../support/console.mjs';

const password = 'correct horse battery';
const ada = { username: 'ada', password, fullName: 'Ada Admin', email: 'ada@example.com' };
const paul = { username: 'paul', password, fullName: 'Paul Plain', email: 'paul@example.com' };

for (const language of ['en', 'fr']) {
  const t = labels[language];

  describe(`console addresses (${language})`, () => {
    let stage;
    let server;
    let page;

    // The first address is a deep link, opened signed out: no home page first.
    before(async () => {
      stage = await openStage({ locale: t.locale, person: ada, role: 'admin', others: [{ ...paul, role: 'user' }], home: false });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('a link opened while signed out comes back to its screen after login', async () => {
      await page.goto(`${server.baseUrl}/settings/api-credentials`);
      await waitForPath(page, '/login?next=/settings/api-credentials');
      await logIn(page, t, ada);
      await waitForPath(page, '/settings/api-credentials');
      await button(page, t.generateApiKey).waitFor();
      await saveScreenshot(page, `deep-link-${language}`);
    });

    test('a reload keeps the screen', async () => {
      await page.reload();
      await button(page, t.generateApiKey).waitFor();
      assert.equal(pathOf(page), '/settings/api-credentials');
    });

    test('back and forward move between screens and close the drawer', async () => {
      // Start from the console's home, drawer closed.
      await button(page, t.close).click();
      await waitForPath(page, '/');
      assert.equal(await page.locator('.drawer').count(), 0);

      await button(page, t.userSettings).click();
      await waitForPath(page, '/settings');
      await button(page, t.apiCredentials).click();
      await waitForPath(page, '/settings/api-credentials');
      await button(page, t.generateApiKey).waitFor();

      await page.goBack();
      await waitForPath(page, '/settings');
      await button(page, t.apiCredentials).waitFor();
      await page.goBack();
      await waitForPath(page, '/');
      await page.locator('.drawer').waitFor({ state: 'detached' });
      assert.equal(await button(page, t.userSettings).getAttribute('aria-expanded'), 'false');

      await page.goForward();
      await waitForPath(page, '/settings');
      await button(page, t.apiCredentials).waitFor();
      await page.goForward();
      await waitForPath(page, '/settings/api-credentials');
      await button(page, t.generateApiKey).waitFor();

      // Each section has its own address too.
      await button(page, t.back).click();
      await button(page, t.security).click();
      await waitForPath(page, '/settings/security');
      await button(page, t.back).click();
      await button(page, t.activity).click();
      await waitForPath(page, '/settings/activity');
      await page.goBack();
      await page.goBack();
      await waitForPath(page, '/settings/security');
      await page.getByRole('heading', { name: t.security }).waitFor();

      // The Users page is an address of its own.
      await link(page, t.users).click();
      await waitForPath(page, '/users');
      await page.locator('.users-table').waitFor();
      await page.reload();
      await page.locator('.users-table').waitFor();
      assert.deepEqual(await cspViolations(page), []);
    });

    test('an unknown address is a real 404, with a way back', async () => {
      for (const path of ['/nope', '/settings/nope', '/users/nope']) {
        const response = await page.goto(`${server.baseUrl}${path}`);
        assert.equal(response.status(), 404, path);
        await page.getByRole('heading', { name: t.notFound }).waitFor();
      }
      await saveScreenshot(page, `not-found-${language}`);
      // A known address is 200, whatever the screen.
      for (const path of ['/', '/login', '/settings', '/settings/activity', '/users']) {
        const response = await page.goto(`${server.baseUrl}${path}`);
        assert.equal(response.status(), 200, path);
      }
    });

    test("a user's /users is not a page for them", async () => {
      await button(page, t.userSettings).click();
      await button(page, t.logOut).click();
      await button(page, t.logIn).waitFor();
      await logIn(page, t, paul);
      await page.goto(`${server.baseUrl}/users`);
      await page.getByRole('heading', { name: t.notFound }).waitFor();
      assert.equal(await page.locator('.users-table').count(), 0);
    });
  });
}
