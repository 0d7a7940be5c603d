// Every screen and state of the console and the API docs, in every language and both themes
// (the system's preference, which the console's default theme follows), checked with
// axe-core's WCAG 2.2 A/AA rules and best practices: zero violations, the list printed when
// one appears.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, keyRow, link, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr', 'es']) for (const theme of ['light', 'dark']) {
  const t = labels[language];

  describe(`Accessibility (${language}, ${theme})`, () => {
    let stage;
    let server;
    let page;
    const admin = { username: `a11y_${language}`, password: 'correct horse battery', fullName: 'Alex Access', email: 'alex@example.com' };

    // Nobody yet: the first test checks the setup form, then creates the people.
    before(async () => {
      stage = await openStage({ locale: t.locale, colorScheme: theme, home: false });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('the setup form and the login page', async () => {
      await page.goto(server.baseUrl);
      await page.locator('form input').first().waitFor();
      const prefersDark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
      assert.equal(prefersDark, theme === 'dark', 'the page sees the system theme under test');
      await assertAccessible(page, 'setup');
      server.createUser({ ...admin, role: 'admin' });
      server.createUser({ username: `colleague_${language}`, password: 'correct horse battery', fullName: 'Cole League', email: 'cole@example.com' });
      await page.goto(server.baseUrl);
      await page.getByLabel(t.username, { exact: true }).waitFor();
      await assertAccessible(page, 'login');
      await page.getByLabel(t.username, { exact: true }).fill(admin.username);
      await page.getByLabel(t.password, { exact: true }).fill('wrong password');
      await button(page, t.logIn).click();
      await page.locator('.form-error, [role="alert"]').first().waitFor();
      await assertAccessible(page, 'login with an error');
    });

    test('home, the drawer and each of its sections', async () => {
      await logIn(page, t, admin);
      await assertAccessible(page, 'home');
      await button(page, t.userSettings).click();
      await button(page, t.apiCredentials).waitFor();
      await assertAccessible(page, 'drawer menu');
      for (const section of [t.accountInformation, t.security, t.activity, t.language, t.theme]) {
        await button(page, section).click();
        await button(page, t.back).waitFor();
        // Sections that load something show it (or say there is none) before the check.
        await page.waitForLoadState('networkidle');
        await assertAccessible(page, `drawer: ${section}`);
        await button(page, t.back).click();
      }
      await button(page, t.apiCredentials).click();
      await button(page, t.generateApiKey).waitFor();
      await assertAccessible(page, 'API credentials');
    });

    test('generating, renaming with an error, and the delete dialog', async () => {
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).waitFor();
      await assertAccessible(page, 'generate form');
      await page.getByLabel(t.nameField).fill('ci');
      await button(page, t.generate).click();
      await button(page, t.showKey).waitFor();
      await assertAccessible(page, 'generated key');
      await button(page, t.done).click();
      await button(page, t.rename('ci')).click();
      await page.getByLabel(t.newName('ci')).fill('');
      await page.getByLabel(t.newName('ci')).press('Enter');
      await page.getByText(t.nameEmpty).waitFor();
      await assertAccessible(page, 'rename editor with an error');
      await page.getByLabel(t.newName('ci')).press('Escape');
      await button(page, t.deleteKey('ci')).click();
      await page.getByRole('dialog').waitFor();
      await assertAccessible(page, 'delete dialog');
      await page.getByRole('dialog').getByRole('button', { name: t.cancel, exact: true }).click();
      await keyRow(page, 'ci').waitFor();
    });

    test('the Users page, its form and its dialog', async () => {
      await button(page, t.userSettings).click();
      await link(page, t.users).click();
      await button(page, t.createUser).waitFor();
      await assertAccessible(page, 'Users page');
      await button(page, t.createUser).click();
      await page.getByLabel(t.fullName).waitFor();
      await assertAccessible(page, 'create user form');
      await button(page, t.cancel).click();
      await button(page, t.disableUser('Cole League')).click();
      await page.getByRole('dialog').waitFor();
      await assertAccessible(page, 'disable dialog');
      await page.getByRole('dialog').getByRole('button', { name: t.cancel, exact: true }).click();
    });

    test('the API docs', async () => {
      await page.goto(`${server.baseUrl}/api-docs?lang=${language}`);
      await page.getByRole('heading', { name: t.docsTitle, level: 1 }).waitFor();
      await assertAccessible(page, 'API docs');
    });
  });
}
