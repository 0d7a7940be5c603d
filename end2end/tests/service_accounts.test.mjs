// Keys that outlive a person (issue 29), as people do it in the console: an administrator
// makes a service account and generates its key, which works with the API; a person who
// manages the account moves their own key to it while a job keeps calling with it (no 401);
// the administrator disables that person through the preview of what it would break, moving
// their other key on the way to an account made in the dialog, and both keys keep working.
// Axe and a 320 px screen on the new pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { cspViolations, launchBrowser, saveScreenshot } from '../support/browser.mjs';
import { button, callApi, generateKey, keyRow, link, logIn, openApiCredentials } from '../support/console.mjs';
import { labels } from '../support/labels.mjs';
import { closeStage, openStage } from '../support/stage.mjs';

const password = 'correct horse battery';

/** Calls the API with `key` until stopped; how many calls, and the statuses that were not 200. */
function keepCalling(baseUrl, key) {
  const seen = { calls: 0, failures: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { status } = await callApi(baseUrl, key);
      seen.calls += 1;
      if (status !== 200) seen.failures.push(status);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return seen;
  };
}

for (const language of ['en', 'fr']) {
  const t = labels[language];
  const admin = { username: `ada_${language}`, password, fullName: 'Ada Admin', email: `ada_${language}@example.com` };
  const paul = { username: `paul_${language}`, password, fullName: 'Paul Plain', email: `paul_${language}@example.com`, role: 'user' };
  const account = `ci-deploy-${language}`;
  const nightly = `nightly-${language}`;

  describe(`service accounts (${language})`, () => {
    let stage;
    let server;
    let page;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: admin, role: 'admin', others: [paul] });
      ({ server, page } = stage);
    });

    after(() => closeStage(stage));

    test('create an account, generate its key, move a key to it, disable a person through the preview', async () => {
      // Paul's two keys, made by a provisioning script; both in use by jobs.
      const paulDeploy = server.createKey(paul.username, 'paul-deploy');
      const paulNightly = server.createKey(paul.username, 'paul-nightly');
      assert.equal((await callApi(server.baseUrl, paulNightly)).status, 200);

      // The administrator makes the account from the top bar's entry.
      await logIn(page, t, admin);
      await link(page, t.serviceAccounts).click();
      await page.getByRole('heading', { name: t.serviceAccounts, level: 1 }).waitFor();
      await button(page, t.createServiceAccount).click();
      await page.getByLabel(t.name, { exact: true }).fill(account);
      await page.getByLabel(t.description, { exact: true }).fill('Deploys from CI');
      await button(page, t.create).click();
      // Straight to its page, the administrator its first manager.
      await page.getByRole('heading', { name: account, level: 1 }).waitFor();
      await page.locator('.manager-list').getByText('Ada Admin').waitFor();

      // Its key, generated in the same panel as API credentials, works with the API.
      const { secret } = await generateKey(page, t, 'deploy');
      await button(page, t.done).click();
      const me = await callApi(server.baseUrl, secret);
      assert.equal(me.status, 200);
      assert.equal(me.body.data.username, account);
      await keyRow(page, 'deploy').waitFor();

      // Paul becomes a manager.
      await page.getByLabel(t.addManager).selectOption({ label: 'Paul Plain' });
      await button(page, t.add).click();
      await page.getByText(t.managerAdded('Paul Plain')).waitFor();
      await page.locator('.manager-list').getByText('Paul Plain').waitFor();
      await assertAccessible(page, `a service account's page (${language})`);
      await saveScreenshot(page, `service-account-${language}`);

      // Paul moves his key to the account while a job keeps calling with it.
      // His own browser: the administrator stays signed in in hers.
      const paulBrowser = await launchBrowser({ locale: t.locale });
      const paulPage = await paulBrowser.newPage();
      paulPage.on('pageerror', (error) => { throw error; });
      await paulPage.goto(server.baseUrl);
      await logIn(paulPage, t, paul);
      // A manager who is no administrator has the entry too (and no Users page).
      await link(paulPage, t.serviceAccounts).waitFor();
      assert.equal(await link(paulPage, t.users).count(), 0);
      await openApiCredentials(paulPage, t);
      const stopCalling = keepCalling(server.baseUrl, paulDeploy);
      let during;
      try {
        await button(paulPage, t.moveKey('paul-deploy')).click();
        await paulPage.getByRole('combobox', { name: t.moveTo }).selectOption({ label: account });
        await keyRow(paulPage, 'paul-deploy').getByRole('button', { name: t.moveAction, exact: true }).click();
        await paulPage.getByText(t.keyMoved('paul-deploy', account)).waitFor();
        await keyRow(paulPage, 'paul-deploy').waitFor({ state: 'detached' });
      } finally {
        during = await stopCalling();
      }
      assert.ok(during.calls > 0, 'the job called during the move');
      assert.deepEqual(during.failures, [], 'no call refused during the move');
      assert.deepEqual(await cspViolations(paulPage), []);
      await paulBrowser.close();

      // The administrator disables Paul: the preview lists his remaining key, moved on the way.
      await link(page, t.users).click();
      await button(page, t.disableUser('Paul Plain')).click();
      const dialog = page.getByRole('dialog');
      const fate = dialog.getByLabel(t.keyFate('paul-nightly'));
      await fate.waitFor();
      // A new account for it, made in place; it joins the key's choices.
      await dialog.getByLabel(t.newAccountInPlace).fill(nightly);
      await dialog.getByRole('button', { name: t.createServiceAccount, exact: true }).click();
      await page.getByText(t.serviceAccountCreated(nightly)).waitFor();
      await fate.selectOption({ label: t.moveToAccount(nightly) });
      await assertAccessible(page, `the offboarding preview (${language})`);
      await saveScreenshot(page, `offboarding-preview-${language}`);
      await dialog.getByRole('button', { name: t.disable, exact: true }).click();
      await page.getByText(t.userDisabled('Paul Plain')).waitFor();

      // Both keys keep working; Paul himself is refused.
      for (const key of [paulDeploy, paulNightly, secret]) {
        assert.equal((await callApi(server.baseUrl, key)).status, 200);
      }

      // Each account's page lists its keys and says what happened.
      await link(page, t.serviceAccounts).click();
      await link(page, nightly).click();
      await keyRow(page, 'paul-nightly').waitFor();
      await page.getByRole('navigation', { name: t.breadcrumb }).getByRole('link', { name: t.serviceAccounts }).click();
      await link(page, account).click();
      for (const name of ['deploy', 'paul-deploy']) {
        await keyRow(page, name).waitFor();
      }
      assert.equal(await keyRow(page, 'paul-nightly').count(), 0);
      await page.locator('.service-account-page .activity-row').filter({ hasText: t.eventKeyTransferred }).first().waitFor();
      assert.deepEqual(await cspViolations(page), []);
    });

    test('the new pages fit a 320 px screen and pass axe there', async () => {
      await page.setViewportSize({ width: 320, height: 700 });
      try {
        for (const target of [t.serviceAccounts, account]) {
          if (target === t.serviceAccounts) {
            await page.goto(`${server.baseUrl}/service-accounts`);
            await page.getByRole('heading', { name: t.serviceAccounts, level: 1 }).waitFor();
          } else {
            await link(page, account).click();
            await page.getByRole('heading', { name: account, level: 1 }).waitFor();
            await keyRow(page, 'deploy').waitFor();
          }
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `${target}: ${overflow} px of sideways scrolling at 320 px`);
          await assertAccessible(page, `${target} at 320 px (${language})`);
          await saveScreenshot(page, `${target === account ? 'service-account' : 'service-accounts'}-320-${language}`);
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });
  });
}
