// A fresh database: the console offers the one-time setup form, which creates the first
// administrator and signs them in. Then the Language section switches and remembers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button } from '../support/console.mjs';

describe('first run', () => {
  let stage;
  let server;
  let page;

  // Nobody on the server: its first page is the setup form, which the test opens.
  before(async () => {
    stage = await openStage({ locale: 'en-US', home: false });
    ({ server, page } = stage);
  });

  after(() => closeStage(stage));

  test('the setup form creates the first administrator, once', async () => {
    const t = labels.en;
    await page.goto(server.baseUrl);
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await saveScreenshot(page, 'setup-en');

    // Without the setup token the server printed, nothing is created.
    await page.getByLabel('Setup token').fill('0123456789abcdef0123456789abcdef');
    await page.getByLabel('Organization name').fill('Acme Corporation');
    await page.getByLabel('Full name').fill('Rupert Walker');
    await page.getByLabel('Username').fill('rwalker');
    await page.getByLabel('Email').fill('rwalker@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await button(page, 'Create administrator').click();
    await page.getByText('The setup token is not correct.').waitFor();
    // The operator's token, as the server printed it; then a password too short: a clear
    // message, and nothing typed is lost.
    await page.getByLabel('Setup token').fill(server.setupToken());
    await page.getByLabel('Password').fill('short');
    await button(page, 'Create administrator').click();
    await page.getByText('The password must have at least 8 characters.').waitFor();
    assert.equal(await page.getByLabel('Username').inputValue(), 'rwalker');
    await page.getByLabel('Password').fill('correct horse battery');
    await button(page, 'Create administrator').click();

    await button(page, t.userSettings).click();
    const drawer = page.locator('.drawer');
    await drawer.getByText('rwalker@example.com').waitFor();
    assert.match(await drawer.textContent(), /Acme Corporation/);
    assert.match(await drawer.textContent(), /Administrator/);
    await saveScreenshot(page, 'drawer-en');

    // The setup form is gone for good: a reload shows the console, not the form.
    await page.reload();
    await button(page, t.userSettings).waitFor();
    assert.equal(await page.getByText('Create the first administrator').count(), 0);
  });

  test('the language is switched in the drawer and remembered', async () => {
    // From the console's home (the reload above kept the drawer open at /settings).
    await page.goto(server.baseUrl);
    await button(page, labels.en.userSettings).click();
    await button(page, labels.en.language).click();
    // The browser's language (English here) is followed, not kept: nothing is written
    // before the person chooses.
    assert.deepEqual((await page.context().cookies()).filter((cookie) => cookie.name === 'sesame_language'), []);
    await button(page, 'Français').click();
    await button(page, labels.fr.userSettings).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    // The reload keeps the screen (the Language section) and the language.
    await page.reload();
    await page.getByRole('heading', { name: labels.fr.language }).waitFor();
    await button(page, labels.fr.back).click();
    await button(page, labels.fr.apiCredentials).waitFor();

    // Log out brings back the login form, in French.
    await button(page, labels.fr.logOut).click();
    await button(page, labels.fr.logIn).waitFor();
    await saveScreenshot(page, 'login-fr');

    // The login page offers every language too: Spanish, kept over a reload.
    await button(page, 'Español').click();
    await button(page, labels.es.logIn).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    // Kept for the whole site and for a year, like the theme.
    const cookies = (await page.context().cookies()).filter((cookie) => cookie.name === 'sesame_language');
    assert.deepEqual(cookies.map((cookie) => [cookie.value, cookie.path]), [['es', '/']]);
    assert.ok(cookies[0].expires > Date.now() / 1000 + 300 * 24 * 3600, `expires ${cookies[0].expires}`);
    await page.reload();
    await button(page, labels.es.logIn).waitFor();
    assert.equal(await button(page, 'Español').getAttribute('aria-pressed'), 'true');
    await saveScreenshot(page, 'login-es');
  });
});
