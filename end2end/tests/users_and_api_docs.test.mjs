// An administrator manages the organization's users in the console, and the change reaches
// a user's existing key at once; the panel's API docs link opens the documentation in a new
// tab, where the curl example works as shown once a fresh key is put in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, callApi, generateKey, link, logIn, openApiCredentials } from '../support/console.mjs';

const password = 'correct horse battery';
const admin = { username: 'admin', password, fullName: 'Ada Admin', email: 'ada@example.com' };
const plain = { username: 'plain', password, fullName: 'Paul Plain', email: 'paul@example.com' };

describe('the Users page (en)', () => {
  const t = labels.en;
  let stage;
  let server;
  let browser;
  let page;

  before(async () => {
    stage = await openStage({ locale: t.locale, person: admin, role: 'admin', others: [{ ...plain, role: 'user' }] });
    ({ server, browser, page } = stage);
  });

  after(() => closeStage(stage));

  test('an administrator creates a user, changes the role, disables and enables', async () => {
    await logIn(page, t, admin);
    await link(page, t.users).click();
    const table = page.locator('.users-table');
    await table.getByText('Paul Plain').waitFor();

    // A bad email gets a clear message, and nothing typed is lost.
    await button(page, t.createUser).click();
    await page.getByLabel(t.fullName).fill('Erin Example');
    await page.getByLabel(t.username, { exact: true }).fill('erin');
    await page.getByLabel(t.email).fill('not-an-email');
    await page.getByLabel(t.initialPassword).fill(password);
    // The browser's own check would stop an invalid email first; the server's is tested too.
    await page.locator('.new-user-form').evaluate((form) => { form.noValidate = true; });
    await button(page, t.create).click();
    await page.getByText(t.badEmail).waitFor();
    assert.equal(await page.getByLabel(t.fullName).inputValue(), 'Erin Example');
    await page.getByLabel(t.email).fill('erin@example.com');
    await button(page, t.create).click();
    await page.getByText(t.userCreated('erin')).waitFor();
    await table.getByText('Erin Example').waitFor();

    // Erin's key, made by a provisioning script, acts as a user.
    const erinKey = server.createKey('erin', 'erin-ci');
    assert.equal((await callApi(server.baseUrl, erinKey)).body.data.role, 'user');

    await page.getByLabel(t.roleOf('Erin Example')).selectOption('admin');
    await page.getByText(t.roleChanged('Erin Example')).waitFor();
    assert.equal((await callApi(server.baseUrl, erinKey)).body.data.role, 'admin');
    await saveScreenshot(page, 'users-en');

    // Disabling asks first, then Erin's key is refused at once; enabling brings it back.
    await button(page, t.disableUser('Erin Example')).click();
    const dialog = page.getByRole('dialog');
    assert.match(await dialog.textContent(), /Erin Example/);
    await dialog.getByRole('button', { name: t.disable, exact: true }).click();
    await page.getByText(t.userDisabled('Erin Example')).waitFor();
    const refused = await callApi(server.baseUrl, erinKey);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errors[0].code, 'invalid_credentials');
    await button(page, t.enableUser('Erin Example')).click();
    await page.getByText(t.userEnabled('Erin Example')).waitFor();
    assert.equal((await callApi(server.baseUrl, erinKey)).status, 200);

    // One's own row offers no role change and no disable.
    assert.equal(await page.getByLabel(t.roleOf('Ada Admin')).count(), 0);
    assert.equal(await button(page, t.disableUser('Ada Admin')).count(), 0);
    assert.deepEqual(await cspViolations(page), []);
  });

  test('a plain user has no Users page', async () => {
    const other = await browser.newPage();
    await other.context().clearCookies();
    await other.goto(server.baseUrl);
    await logIn(other, t, plain);
    assert.equal(await link(other, t.users).count(), 0);
    await other.close();
  });
});

for (const language of ['en', 'fr', 'es']) {
  const t = labels[language];

  describe(`the API docs link (${language})`, () => {
    let stage;
    let server;
    let browser;
    let page;
    const user = { username: `docs_${language}`, password, fullName: 'Dora Docs', email: 'dora@example.com' };

    before(async () => {
      stage = await openStage({ locale: t.locale, person: user });
      ({ server, browser, page } = stage);
    });

    after(() => closeStage(stage));

    test('opens the docs in a new tab, whose curl example works with a fresh key', async () => {
      await logIn(page, t, user);
      await openApiCredentials(page, t);
      const { secret } = await generateKey(page, t, 'docs-example');
      await button(page, t.done).click();

      const [docs] = await Promise.all([
        browser.waitForEvent('page'),
        page.getByRole('link', { name: /\/api-docs$/ }).click(),
      ]);
      await docs.waitForLoadState();
      await docs.getByRole('heading', { name: t.docsTitle, level: 1 }).waitFor();
      assert.equal(await docs.evaluate(() => document.documentElement.lang), language);
      await saveScreenshot(docs, `api-docs-${language}`);

      const example = (await docs.locator('pre[data-operation="getMe"]').textContent()).trim();
      assert.ok(example.includes(`${server.baseUrl}/api/v1/me`), example);
      assert.ok(example.includes('{api-key}'), example);
      const output = execFileSync('bash', ['-c', `${example.replace('{api-key}', secret)} --silent --show-error`], { encoding: 'utf8' });
      assert.equal(JSON.parse(output).data.username, user.username);
      assert.deepEqual(await cspViolations(docs), []);
      assert.deepEqual(await cspViolations(page), []);
    });
  });
}
