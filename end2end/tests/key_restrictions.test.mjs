// Keys kept to some addresses and to a pace, in a real browser, in English and French: a
// key's allow-list is edited under its row (a typo is named and nothing is saved), a
// request from elsewhere is refused and its owner finds the address in the activity, the
// list is widened and the request goes through; its own limit makes the next request wait;
// the key's usage chart and sparkline show what it did.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, generateKey, keyRow, logIn, openApiCredentials } from '../support/console.mjs';

for (const language of ['en', 'fr']) {
  const t = labels[language];
  const save = language === 'en' ? 'Save' : 'Enregistrer';

  describe(`Key restrictions (${language})`, () => {
    let server;
    let page;
    let secret;
    const ada = { username: `restricted_${language}`, password: 'correct horse battery', fullName: 'Ada Fence', email: 'ada@example.com' };
    // The test's requests come from this machine.
    const me = () => fetch(`${server.baseUrl}/api/v1/me`, { headers: { 'MC-Api-Key': secret } });

    let stage;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: ada, role: 'user' });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('a typo in the allow-list is named and nothing is saved', async () => {
      await logIn(page, t, ada);
      await openApiCredentials(page, t);
      ({ secret } = await generateKey(page, t, 'runner'));
      await button(page, t.done).click();
      const row = keyRow(page, 'runner');
      assert.ok((await row.locator('.key-restrictions').textContent()).includes(t.anywhere));

      await button(row, t.changeRestrictions('runner')).click();
      await row.getByLabel(t.allowedAddresses).fill('198.51.100.0/24\n198.51.100.300');
      await button(row, save).click();
      await row.getByText(t.addressInvalid('198.51.100.300')).waitFor();
      assert.equal((await me()).status, 200, 'nothing was saved');
    });

    test('from elsewhere the key is refused, and its owner sees where from', async () => {
      const row = keyRow(page, 'runner');
      await row.getByLabel(t.allowedAddresses).fill('198.51.100.0/24');
      await saveScreenshot(page, `restrictions-editor-${language}`);
      await assertAccessible(page, 'the restrictions editor');
      await button(row, save).click();
      await page.getByText(t.restrictionsSaved).waitFor();
      assert.ok((await row.locator('.key-restrictions').textContent()).includes(t.onlyFrom('198.51.100.0/24')));
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-expanded') === 'false');

      const refused = await me();
      assert.equal(refused.status, 403);
      assert.equal((await refused.json()).errors[0].code, 'address_not_allowed');
      await button(page, t.back).click();
      await button(page, t.activity).click();
      const refusal = page.locator('.activity-row[data-event="key_address_not_allowed"]');
      await refusal.first().waitFor();
      const text = await refusal.first().textContent();
      assert.ok(text.includes(t.eventAddressNotAllowed) && text.includes('runner') && text.includes('127.0.0.1'), text);
      await saveScreenshot(page, `restrictions-activity-${language}`);
      await button(page, t.back).click();
      await button(page, t.apiCredentials).click();
    });

    test('widened, the key works; limited, it waits', async () => {
      const row = keyRow(page, 'runner');
      await button(row, t.changeRestrictions('runner')).click();
      await row.getByLabel(t.allowedAddresses).fill('198.51.100.0/24\n127.0.0.1');
      await row.getByRole('checkbox', { name: t.limitRequests }).check();
      await row.getByRole('spinbutton').fill('1');
      await row.locator('.rate-limit-fields select').selectOption('minute');
      await button(row, save).click();
      await page.getByText(t.restrictionsSaved).waitFor();
      await saveScreenshot(page, `restrictions-row-${language}`);
      assert.equal((await me()).status, 200);
      const throttled = await me();
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
      assert.deepEqual(await cspViolations(page), []);
    });

    test('its usage chart and sparkline show what it did', async () => {
      // Two accepted, one from elsewhere, one over its limit; written within a second.
      await page.waitForTimeout(1500);
      await button(page, t.back).click();
      await button(page, t.apiCredentials).click();
      const row = keyRow(page, 'runner');
      const sparkline = row.locator('svg.sparkline');
      assert.equal(await sparkline.getAttribute('aria-label'), t.usageWeek(4));
      await button(row, t.showUsage).click();
      const total = row.locator('.usage-total');
      await total.waitFor();
      assert.ok((await total.textContent()).endsWith('4'), await total.textContent());
      const legend = await row.locator('.usage-legend').textContent();
      assert.ok(legend.includes(`${t.usageAccepted} 2`), legend);
      assert.ok((await row.locator('svg.usage-bars rect').count()) >= 3, 'bars for three outcomes');
      await saveScreenshot(page, `usage-chart-${language}`);
      await button(row, t.usageAsTable).click();
      assert.equal(await row.locator('.usage-table tbody tr').count(), 24);
      await assertAccessible(page, 'the usage table');
      await saveScreenshot(page, `usage-table-${language}`);
    });

    test('on a 320 px screen, by keyboard alone: the editor and the chart', async () => {
      await page.setViewportSize({ width: 320, height: 700 });
      const row = keyRow(page, 'runner');
      const change = row.getByRole('button', { name: t.changeRestrictions('runner') });
      await change.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA', 'the list is next');
      await saveScreenshot(page, `restrictions-editor-320-${language}`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'nothing wider than the screen');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-expanded') === 'false');
      assert.equal(await row.locator('.restrictions-editor').count(), 0, 'Escape closed the editor');

      const week = row.getByRole('button', { name: language === 'en' ? '7 days' : '7 jours', exact: true });
      await week.focus();
      await page.keyboard.press('Enter');
      assert.equal(await week.getAttribute('aria-pressed'), 'true');
      await row.locator('svg.usage-bars, .usage-table').first().waitFor();
      await saveScreenshot(page, `usage-320-${language}`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'nothing wider than the screen');
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });
}
