// The whole journey of the seed page, in a real browser, in English, French and Spanish (the
// browser's language chooses):
// log in → User settings → API credentials → generate a named and an unnamed key → reveal,
// copy → Done → use the key from outside → last use shown → rename inline → delete → 401.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, callApi, generateKey, keyRow, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr', 'es']) {
  const t = labels[language];

  describe(`API credentials panel (${language})`, () => {
    let stage;
    let server;
    let page;
    const user = {
      username: `rwalker_${language}`,
      password: 'correct horse battery',
      fullName: 'Rupert Walker',
      email: 'rwalker@example.com',
    };

    before(async () => {
      stage = await openStage({ locale: t.locale, person: user, role: 'admin', clipboard: true, home: false });
      ({ server, page } = stage);
      // The browser's own errors are echoed from the first load on.
      page.on('console', (message) => { if (message.type() === 'error') console.error('browser:', message.text()); });
      await page.goto(server.baseUrl);
    });

    after(() => closeStage(stage));

    test('a person manages their keys and a script uses them', async () => {
      await logIn(page, t, user);
      await openApiCredentials(page, t);
      const docs = page.getByRole('link', { name: /\/api-docs$/ });
      assert.equal(await docs.getAttribute('target'), '_blank');
      assert.equal(await docs.getAttribute('href'), `/api-docs?lang=${language}`);

      // A named key: masked until the eye is clicked, copied to the real clipboard.
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('ci-deploy');
      await button(page, t.generate).click();
      const masked = (await page.getByTestId('new-key-value').textContent()).trim();
      assert.match(masked, /^•+$/, 'the new key starts masked');
      await saveScreenshot(page, `new-key-${language}`);
      await button(page, t.showKey).click();
      const named = (await page.getByTestId('new-key-value').textContent()).trim();
      assert.match(named, /^sesame_[0-9A-Za-z]{49}$/);
      await button(page, t.copy).click();
      await page.getByText(t.copied).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), named);
      await button(page, t.done).click();

      // An unnamed key gets the random default name.
      const unnamed = await generateKey(page, t);
      const defaultName = unnamed.title.match(/api_key_[a-z0-9]{8}/)?.[0];
      assert.ok(defaultName, `default name in "${unnamed.title}"`);
      await button(page, t.done).click();

      // After Done, neither secret is anywhere on the page.
      const html = await page.content();
      assert.ok(!html.includes(named) && !html.includes(unnamed.secret), 'secret still in the page');
      await keyRow(page, defaultName).waitFor();
      assert.match(await keyRow(page, defaultName).textContent(), new RegExp(t.neverUsed));

      // A script uses the named key; after a reload the panel shows its last IP and time.
      const me = await callApi(server.baseUrl, named);
      assert.equal(me.status, 200);
      assert.equal(me.body.data.username, user.username);
      // Uses are written in batches every second: reload until it shows (a few seconds at most).
      const usedRow = keyRow(page, 'ci-deploy');
      const deadline = Date.now() + 10_000;
      for (;;) {
        // A reload keeps the screen: the panel is open again at its own address.
        await page.reload();
        assert.match(page.url(), /\/settings\/api-credentials$/);
        await usedRow.waitFor();
        if ((await usedRow.locator('.key-last-ip').textContent()).trim() !== '—') break;
        assert.ok(Date.now() < deadline, 'last use never shown');
        await page.waitForTimeout(300);
      }
      assert.equal((await usedRow.locator('.key-last-ip').textContent()).trim(), '127.0.0.1');
      assert.match(await usedRow.locator('.key-last-activity').textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

      // Rename inline: Enter saves.
      await button(page, t.rename('ci-deploy')).click();
      const editor = page.getByLabel(t.newName('ci-deploy'));
      await editor.fill('ci-production');
      await editor.press('Enter');
      await keyRow(page, 'ci-production').waitFor();
      await page.getByText(t.renamed).waitFor();

      // Escape cancels and keeps the old name.
      await button(page, t.rename('ci-production')).click();
      await page.getByLabel(t.newName('ci-production')).fill('something else');
      await page.getByLabel(t.newName('ci-production')).press('Escape');
      await keyRow(page, 'ci-production').waitFor();
      assert.equal(await page.getByText('something else').count(), 0);

      // An empty name and a clash get clear messages; nothing changes.
      await button(page, t.rename('ci-production')).click();
      const again = page.getByLabel(t.newName('ci-production'));
      await again.fill('   ');
      await again.press('Enter');
      await page.getByText(t.nameEmpty).waitFor();
      await again.fill(defaultName.toUpperCase());
      await again.press('Enter');
      await page.getByText(t.nameTaken).waitFor();
      await again.press('Escape');
      await keyRow(page, 'ci-production').waitFor();

      // A name with markup is shown as text.
      await button(page, t.rename(defaultName)).click();
      await page.getByLabel(t.newName(defaultName)).fill('<script>alert(1)</script>');
      await page.getByLabel(t.newName(defaultName)).press('Enter');
      await keyRow(page, '<script>alert(1)</script>').waitFor();

      await saveScreenshot(page, `panel-${language}`);

      // Delete through the dialog, with the keyboard first: focus starts on Cancel, Tab
      // stays inside the dialog, Escape closes it and gives focus back; nothing changed.
      const activeText = () => page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? document.activeElement.textContent.trim());
      await button(page, t.deleteKey('ci-production')).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      assert.match(await dialog.textContent(), /ci-production/);
      await saveScreenshot(page, `delete-dialog-${language}`);
      await page.waitForFunction((name) => document.activeElement?.textContent.trim() === name, t.cancel);
      await page.keyboard.press('Tab');
      assert.equal(await activeText(), t.del);
      await page.keyboard.press('Tab');
      assert.equal(await activeText(), t.cancel);
      await page.keyboard.press('Shift+Tab');
      assert.equal(await activeText(), t.del);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction(
        (label) => document.activeElement?.getAttribute('aria-label') === label,
        t.deleteKey('ci-production'),
      );
      assert.equal((await callApi(server.baseUrl, named)).status, 200);

      // Cancel by mouse changes nothing either.
      await button(page, t.deleteKey('ci-production')).click();
      await dialog.getByRole('button', { name: t.cancel, exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal((await callApi(server.baseUrl, named)).status, 200);

      await button(page, t.deleteKey('ci-production')).click();
      await page.getByRole('dialog').getByRole('button', { name: t.del, exact: true }).click();
      await page.getByText(t.deleted).waitFor();
      await keyRow(page, 'ci-production').waitFor({ state: 'detached' });

      const refused = await callApi(server.baseUrl, named);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.errors[0].code, 'invalid_credentials');
      // The other key still works.
      assert.equal((await callApi(server.baseUrl, unnamed.secret)).status, 200);
      // The whole journey ran under the Content-Security-Policy without a violation.
      const policy = (await fetch(server.baseUrl)).headers.get('content-security-policy');
      assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
      assert.ok(!policy.includes('unsafe-inline'), policy);
      assert.deepEqual(await cspViolations(page), []);
    });
  });
}
