// Keys with less power than their owner, in a real browser, in English and French: a key
// generated *Read only* reads through the API and is refused a write, which its owner then
// finds in the activity; its row says what it may do, and its permissions are changed in
// place, after which the write goes through.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, keyRow, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr']) {
  const t = labels[language];

  describe(`Key permissions (${language})`, () => {
    let server;
    let page;
    let secret;
    const ada = { username: `scopes_${language}`, password: 'correct horse battery', fullName: 'Ada Scope', email: 'ada@example.com' };

    const write = () => fetch(`${server.baseUrl}/api/v1/api_keys`, {
      method: 'POST',
      headers: { 'MC-Api-Key': secret, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `made-by-monitor-${Date.now()}` }),
    });

    let stage;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: ada, role: 'admin' });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('a read-only key reads, and is refused a write', async () => {
      await logIn(page, t, ada);
      await openApiCredentials(page, t);
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('monitor');
      const picker = page.locator('.generate-form select.scopes-choice');
      assert.equal(await picker.evaluate((select) => select.options[select.selectedIndex].text), t.scopesFull, 'full access by default');
      await picker.selectOption({ label: t.scopesReadOnly });
      await saveScreenshot(page, `scopes-generate-${language}`);
      await button(page, t.generate).click();
      await button(page, t.showKey).click();
      secret = (await page.getByTestId('new-key-value').textContent()).trim();
      await button(page, t.done).click();

      const me = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { 'MC-Api-Key': secret } });
      assert.equal(me.status, 200);
      const refused = await write();
      assert.equal(refused.status, 403);
      assert.equal((await refused.json()).errors[0].code, 'insufficient_scope');
      const row = keyRow(page, 'monitor');
      assert.ok((await row.locator('.key-scopes').textContent()).includes(t.scopesReadOnly));
    });

    test('the refusal is in the activity', async () => {
      await button(page, t.back).click();
      await button(page, t.activity).click();
      const refusal = page.locator('.activity-row[data-event="key_out_of_scope"]');
      await refusal.first().waitFor();
      const text = await refusal.first().textContent();
      assert.ok(text.includes(t.eventOutOfScope) && text.includes('monitor') && text.includes('api_keys:write'), text);
      await saveScreenshot(page, `scopes-activity-${language}`);
      await button(page, t.back).click();
      await button(page, t.apiCredentials).click();
    });

    test('its permissions are changed in place, and the write goes through', async () => {
      const row = keyRow(page, 'monitor');
      await button(row, t.changePermissions('monitor')).click();
      await row.locator('select.scopes-choice').selectOption({ label: t.scopesCustom });
      await row.getByRole('checkbox', { name: new RegExp(t.permissionApiKeysWrite) }).check();
      await saveScreenshot(page, `scopes-editor-${language}`);
      await assertAccessible(page, 'the permissions editor');
      await button(row, language === 'en' ? 'Save' : 'Enregistrer').click();
      await page.getByText(t.scopesSaved).waitFor();
      assert.ok((await row.locator('.key-scopes').textContent()).includes(t.permissionApiKeysWrite));
      // Focus back on the button that opened the editor.
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-expanded') === 'false');
      assert.equal((await write()).status, 201);
      assert.deepEqual(await cspViolations(page), []);
    });
  });
}
