// Keys with a lifetime, in a real browser, in English and French: a key generated with an
// expiry shows when it expires; a custom date in the past is refused with the form kept;
// disabling a key refuses it to scripts at once and enabling brings it back; an expired key
// is marked as such; a rolled key answers to its old and new secrets until the overlap is
// ended, then only to the new one; a key's recent client addresses show under its row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, callApi, DAY_MS, generateKey, keyRow, localDate, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr']) {
  const t = labels[language];

  describe(`Keys with a lifetime (${language})`, () => {
    let server;
    let page;
    const user = { username: `lifetime_${language}`, password: 'correct horse battery', fullName: 'Lena Time', email: 'lena@example.com' };

    let stage;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: user, role: 'user' });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('a key rolled with an hour of overlap, then the overlap ended early', async () => {
      await logIn(page, t, user);
      await openApiCredentials(page, t);
      const { secret: old } = await generateKey(page, t, 'rotating');
      await button(page, t.done).click();

      await button(page, t.rollKey('rotating')).click();
      await page.getByLabel(t.rollGrace).selectOption({ label: t.graceHour });
      await saveScreenshot(page, `roll-editor-${language}`);
      await keyRow(page, 'rotating').getByRole('button', { name: t.roll, exact: true }).click();
      await page.locator('.new-key-title').getByText(t.rolledTitle('rotating')).waitFor();
      // Announced in the polite live region as well.
      await page.getByRole('status').getByText(t.rolledTitle('rotating')).waitFor();
      await button(page, t.showKey).click();
      const fresh = (await page.getByTestId('new-key-value').textContent()).trim();
      assert.match(fresh, /^sesame_[0-9A-Za-z]{49}$/);
      assert.notEqual(fresh, old);
      await button(page, t.done).click();

      // Both secrets work during the overlap, and the row says until when.
      const row = keyRow(page, 'rotating');
      await row.getByText(t.previousSecret).waitFor();
      await saveScreenshot(page, `key-overlap-${language}`);
      // *Stop it now*'s name holds what it shows (WCAG 2.5.3).
      await assertAccessible(page, 'a key in its overlap');
      assert.equal((await callApi(server.baseUrl, old)).status, 200);
      assert.equal((await callApi(server.baseUrl, fresh)).status, 200);

      // Ended now: only the new secret works.
      await button(page, t.endOverlap('rotating')).click();
      await page.getByText(t.overlapEnded).waitFor();
      assert.equal(await row.getByText(t.previousSecret).count(), 0);
      assert.equal((await callApi(server.baseUrl, old)).status, 401);
      assert.equal((await callApi(server.baseUrl, fresh)).status, 200);
    });

    test('the addresses a key was used from show under its row', async () => {
      // Signed in with the panel open, by the test above.
      const { secret } = await generateKey(page, t, 'watched');
      await button(page, t.done).click();
      for (const address of ['203.0.113.7', '203.0.113.8', '203.0.113.7']) {
        const response = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { 'MC-Api-Key': secret, 'X-Forwarded-For': address } });
        assert.equal(response.status, 200);
      }
      // Uses are written in batches every second: show again until both are there.
      const row = keyRow(page, 'watched');
      const toggle = row.getByRole('button', { name: t.showAddresses });
      for (let attempt = 0; ; attempt += 1) {
        await toggle.click();
        const table = row.getByRole('table');
        // Loaded: the table, or "not used yet" (not the "loading" line before either).
        await table.or(row.getByText(t.noAddresses)).first().waitFor();
        const text = (await table.count()) ? await table.textContent() : '';
        if (text.includes('203.0.113.7') && text.includes('203.0.113.8')) break;
        assert.ok(attempt < 20, `addresses never shown: ${text}`);
        await row.getByRole('button', { expanded: true }).click();
        await page.waitForTimeout(250);
      }
      assert.ok((await row.getByRole('columnheader').allTextContents()).includes(t.address));
      await saveScreenshot(page, `key-addresses-${language}`);
    });

    test('a key with an expiry, disabled and enabled again, then seen expired', async () => {
      // Signed in with the panel open, by the test above.

      // Seven days.
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('weekly');
      await page.getByLabel(t.expiry).selectOption({ label: t.expiryDays(7) });
      await saveScreenshot(page, `generate-with-expiry-${language}`);
      await button(page, t.generate).click();
      await button(page, t.showKey).click();
      const secret = (await page.getByTestId('new-key-value').textContent()).trim();
      await button(page, t.done).click();
      const weekly = keyRow(page, 'weekly');
      await weekly.waitFor();
      // Seven days minus the seconds since: "in 7 days" once rounded up.
      assert.ok((await weekly.textContent()).includes(t.expiresInDays(7)), await weekly.textContent());
      assert.equal((await callApi(server.baseUrl, secret)).status, 200);

      // Disabled: refused at once, marked in the list; enabled: accepted again.
      await button(page, t.disableKey('weekly')).click();
      await page.getByText(t.keyDisabled).waitFor();
      await weekly.getByText(t.keyStatusDisabled, { exact: true }).waitFor();
      assert.equal((await callApi(server.baseUrl, secret)).status, 401);
      await saveScreenshot(page, `key-disabled-${language}`);
      await button(page, t.enableKey('weekly')).click();
      await page.getByText(t.keyEnabled).waitFor();
      assert.equal(await weekly.getByText(t.keyStatusDisabled, { exact: true }).count(), 0);
      assert.equal((await callApi(server.baseUrl, secret)).status, 200);

      // A custom date: yesterday is refused and the form keeps what was typed; in ten days
      // works through that whole day.
      await button(page, t.generateApiKey).click();
      await page.getByLabel(t.nameField).fill('dated');
      await page.getByLabel(t.expiry).selectOption({ label: t.customDate });
      await page.getByLabel(t.expiryDate).fill(localDate(-1));
      await button(page, t.generate).click();
      await page.getByText(t.expiryInPast).waitFor();
      assert.equal(await page.getByLabel(t.nameField).inputValue(), 'dated');
      assert.equal(await keyRow(page, 'dated').count(), 0, 'nothing was made');
      await page.getByLabel(t.expiryDate).fill(localDate(10));
      await button(page, t.generate).click();
      await button(page, t.done).click();
      const dated = keyRow(page, 'dated');
      await dated.waitFor();
      // Ten days and the rest of today, rounded up.
      assert.ok((await dated.textContent()).includes(t.expiresInDays(11)), await dated.textContent());

      // Eight days on (in the browser), the weekly key reads as expired.
      await page.clock.setFixedTime(new Date(Date.now() + 8 * DAY_MS));
      await page.reload();
      await keyRow(page, 'weekly').getByText(t.keyStatusExpired, { exact: true }).waitFor();
      await saveScreenshot(page, `key-expired-${language}`);
    });
  });
}
