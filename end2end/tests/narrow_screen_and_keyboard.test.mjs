// A phone-sized screen (320 px) and a keyboard alone, in English, French and Spanish (longer
// words reflow differently): every page keeps to the screen's width with User settings in
// view and no axe-core violation; at 200 % zoom too (English); and the drawer takes the focus
// however it was opened, so Escape closes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { assertAccessible } from '../support/axe.mjs';
import { button, logIn, waitForPath } from '../support/console.mjs';

const ada = { username: 'ada', password: 'correct horse battery', fullName: 'Ada Admin', email: 'ada@example.com' };

for (const language of ['en', 'fr', 'es']) {
  const t = labels[language];

  describe(`a 320 px screen and the keyboard (${language})`, () => {
    let stage;
    let server;
    let page;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: ada, role: 'admin', viewport: { width: 320, height: 640 } });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('no page is wider than the screen, and User settings stays in view', async () => {
      // Enough activity to fill more than a screen, fewer events than a page of it (whose
      // "Show older" button would be something to Tab to): the drawer must scroll by keyboard.
      const key = server.createKey(ada.username, 'provisioning');
      for (let i = 0; i < 14; i += 1) {
        const made = await fetch(`${server.baseUrl}/api/v1/api_keys`, {
          method: 'POST',
          headers: { 'MC-Api-Key': key, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `ci-runner-${i}` }),
        });
        assert.equal(made.status, 201);
      }
      await page.goto(`${server.baseUrl}/login`);
      await logIn(page, t, ada);
      await checkEveryPage(320);
      await page.goto(`${server.baseUrl}/users`);
      await page.getByRole('table').waitFor();
      await saveScreenshot(page, `users-320-${language}`);
      await page.goto(`${server.baseUrl}/settings/activity`);
      await page.locator('.activity-list').waitFor();
      await saveScreenshot(page, `activity-320-${language}`);
    });

    // Zoom and the keyboard behave alike in every language: English only.
    if (language === 'en') test('at 200 % zoom (640 CSS px on a 1280 px screen) every page reflows too', async () => {
      await page.setViewportSize({ width: 640, height: 400 });
      await checkEveryPage(640);
      await page.goto(`${server.baseUrl}/settings/api-credentials`);
      await button(page, t.generateApiKey).waitFor();
      await saveScreenshot(page, 'panel-640-en');
      await page.setViewportSize({ width: 320, height: 640 });
    });

    /** Every console page at `width` CSS px: no sideways scrolling, User settings in view, no
     * axe-core violation. */
    async function checkEveryPage(width) {
      const sections = ['account', 'api-credentials', 'security', 'activity', 'language', 'theme'].map((slug) => `/settings/${slug}`);
      for (const path of ['/', '/users', '/settings', ...sections]) {
        await page.goto(`${server.baseUrl}${path}`);
        await button(page, t.userSettings).waitFor();
        await page.waitForLoadState('networkidle');
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.equal(scrollWidth, width, `${path} is ${scrollWidth} px wide`);
        const settings = await button(page, t.userSettings).boundingBox();
        assert.ok(settings.x >= 0 && settings.x + settings.width <= width, `${path}: User settings at x=${settings.x}`);
        // What reflows must stay readable and reachable too.
        await assertAccessible(page, `${path} at ${width} px`);
      }
    }

    test('at 320 px the panel’s states and the dialogs fit the screen and pass axe', async () => {
      await page.setViewportSize({ width: 320, height: 640 });
      const fits = async (where) => {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.equal(scrollWidth, 320, `${where} is ${scrollWidth} px wide`);
        await assertAccessible(page, `${where} at 320 px`);
      };
      await page.goto(`${server.baseUrl}/settings/api-credentials`);
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('phone-key-with-a-rather-long-name');
      await button(page, t.generate).click();
      await button(page, t.showKey).click();
      await fits('a generated key, shown');
      await saveScreenshot(page, `generated-key-320-${language}`);
      await button(page, t.done).click();
      await button(page, t.rename('phone-key-with-a-rather-long-name')).click();
      await page.getByLabel(t.newName('phone-key-with-a-rather-long-name')).fill('');
      await page.getByLabel(t.newName('phone-key-with-a-rather-long-name')).press('Enter');
      await page.getByText(t.nameEmpty).waitFor();
      await fits('the rename editor with an error');
      await page.getByLabel(t.newName('phone-key-with-a-rather-long-name')).press('Escape');
      await button(page, t.deleteKey('phone-key-with-a-rather-long-name')).click();
      await page.getByRole('dialog').waitFor();
      await fits('the delete dialog');
      await saveScreenshot(page, `delete-dialog-320-${language}`);
      await page.getByRole('dialog').getByRole('button', { name: t.cancel, exact: true }).click();
      await page.goto(`${server.baseUrl}/users`);
      await button(page, t.createUser).click();
      await page.getByLabel(t.fullName).waitFor();
      await fits('the create user form');
      await button(page, t.cancel).click();
      server.createUser({ username: 'bo', password: ada.password, fullName: 'Bo Colleague', email: 'bo@example.com' });
      await page.reload();
      await button(page, t.disableUser('Bo Colleague')).click();
      await page.getByRole('dialog').waitFor();
      await fits('the disable dialog');
      await saveScreenshot(page, `disable-dialog-320-${language}`);
      await page.getByRole('dialog').getByRole('button', { name: t.cancel, exact: true }).click();
    });

    if (language === 'en') test('a drawer opened by its address closes with Escape, wherever the focus is', async () => {
      await page.goto(`${server.baseUrl}/settings/security`);
      await page.locator('.drawer').waitFor();
      // As when Escape comes before the focus has moved into the drawer (a busy machine).
      await page.waitForFunction(() => document.activeElement?.id === 'drawer-title');
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('Escape');
      await waitForPath(page, '/');
      await page.locator('.drawer').waitFor({ state: 'detached' });
      // The focus goes back to the button that opens the drawer.
      await page.waitForFunction(() => document.activeElement?.classList.contains('avatar-button'));
    });
  });
}
