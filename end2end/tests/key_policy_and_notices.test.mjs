// The organization's key policy and what asks for a person's attention, in a real browser,
// in English and French: an administrator sets a maximum lifetime on the Users page and
// the longer key is shortened; the panel then offers only expiries that fit, and refuses a
// date beyond with the latest allowed; a key about to expire is marked on its row and
// counted on the User settings button, as is a key reported as leaked, whose notice tops
// the panel; and a row turns expired while the page stays open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, DAY_MS, keyRow, link, localDate, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr']) {
  const t = labels[language];

  describe(`Key policy and notices (${language})`, () => {
    let stage;
    let server;
    let page;
    const admin = { username: `policy_${language}`, password: 'correct horse battery', fullName: 'Polly Cy', email: 'polly@example.com' };

    before(async () => {
      stage = await openStage({ locale: t.locale, person: admin, role: 'admin' });
      ({ server, page } = stage);
      server.createKey(admin.username, 'forever');
    });

    after(() => closeStage(stage));

    test('an administrator sets a maximum lifetime and keys are made within it', async () => {
      await logIn(page, t, admin);
      await link(page, t.users).click();
      await page.getByLabel(t.maxKeyLifetime).selectOption({ label: t.expiryDays(30) });
      await button(page, t.save).click();
      await page.getByText(t.policySaved(1)).waitFor();
      await saveScreenshot(page, `key-policy-${language}`);

      await openApiCredentials(page, t);
      // The key that never expired now ends with the policy.
      const forever = keyRow(page, 'forever');
      await forever.waitFor();
      assert.ok((await forever.textContent()).includes(t.expiresInDays(30)), await forever.textContent());

      // The menu offers what fits, the maximum first.
      await button(page, t.generateApiKey).click();
      const menu = page.getByLabel(t.expiry);
      const offered = await menu.locator('option').allTextContents();
      assert.ok(!offered.includes(t.noExpiration), offered.join(', '));
      assert.ok(!offered.includes(t.expiryDays(60)) && !offered.includes(t.oneYear), offered.join(', '));
      assert.ok(offered.includes(t.expiryDays(7)) && offered.includes(t.expiryDays(30)), offered.join(', '));
      assert.equal(await menu.evaluate((select) => select.options[select.selectedIndex].text), t.expiryDays(30));

      // A date beyond the maximum: refused with the latest allowed, and nothing is lost.
      await page.getByLabel(t.nameField).fill('too-long');
      await menu.selectOption({ label: t.customDate });
      assert.equal(await page.getByLabel(t.expiryDate).getAttribute('max'), localDate(29));
      await page.getByLabel(t.expiryDate).fill(localDate(45));
      await button(page, t.generate).click();
      await page.getByText(t.expiryBeyondPolicy(30)).waitFor();
      await saveScreenshot(page, `expiry-beyond-policy-${language}`);
      assert.equal(await page.getByLabel(t.nameField).inputValue(), 'too-long');
      assert.equal(await keyRow(page, 'too-long').count(), 0, 'nothing was made');

      // Within it: made.
      await menu.selectOption({ label: t.expiryDays(30) });
      await button(page, t.generate).click();
      await button(page, t.done).click();
      const made = keyRow(page, 'too-long');
      await made.waitFor();
      assert.ok((await made.textContent()).includes(t.expiresInDays(30)), await made.textContent());
    });

    test('a key about to expire and a leaked key ask for attention', async () => {
      // Signed in with the panel open, by the test above.
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('ending');
      await page.getByLabel(t.expiry).selectOption({ label: t.customDate });
      await page.getByLabel(t.expiryDate).fill(localDate(2));
      await button(page, t.generate).click();
      await button(page, t.done).click();
      const ending = keyRow(page, 'ending');
      await ending.getByText(t.expiringSoon, { exact: true }).waitFor();
      assert.match(await ending.getAttribute('class'), /key-row-soon/);

      // A key reported as leaked by someone else (a secret scanner, say).
      const leaked = server.createKey(admin.username, 'pasted-in-chat');
      const report = await fetch(`${server.baseUrl}/api/v1/api_keys/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keys: [leaked] }),
      });
      assert.equal(report.status, 200);

      await page.reload();
      const settings = button(page, t.userSettings);
      await settings.waitFor();
      // The count is drawn by the style sheet; the button's description says it.
      await page.locator('.notice-badge[data-count="2"]').waitFor();
      assert.equal(await page.locator(`#${await settings.getAttribute('aria-describedby')}`).textContent(), t.settingsNotices(2));
      // The reload kept the address, so the panel is open again.
      await button(page, t.generateApiKey).waitFor();
      await saveScreenshot(page, `notice-badge-${language}`);
      // The badge keeps the button's name what it shows (WCAG 2.5.3; axe checked it).
      await assertAccessible(page, 'the panel with notices and the badge');
      const notice = page.getByRole('status').filter({ hasText: t.leakedNotice('pasted-in-chat') });
      await notice.waitFor();
      assert.ok((await notice.textContent()).includes('127.0.0.1'), await notice.textContent());
      await keyRow(page, 'ending').getByText(t.expiringSoon, { exact: true }).waitFor();
      await saveScreenshot(page, `key-notices-${language}`);
    });

    test('a row turns expired while the page stays open', async () => {
      // The browser's clock, taken over before the page loads, then moved on: no reload.
      await page.clock.install();
      await page.reload();
      const ending = keyRow(page, 'ending');
      await ending.getByText(t.expiringSoon, { exact: true }).waitFor();
      await page.clock.fastForward(4 * DAY_MS);
      await ending.getByText(t.keyStatusExpired, { exact: true }).waitFor();
      assert.equal(await ending.getByText(t.expiringSoon, { exact: true }).count(), 0);
    });
  });
}
