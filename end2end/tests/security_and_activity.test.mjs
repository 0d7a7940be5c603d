// The Security section (sessions, password change) and the Activity list, as a person uses
// them: two devices signed in, one signs the other out, the password changes, and the
// activity shows what happened.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cspViolations, launchBrowser, saveScreenshot } from '../support/browser.mjs';
import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';
import { button, generateKey, logIn, openApiCredentials } from '../support/console.mjs';

const t = labels.en;
const password = 'correct horse battery';
const newPassword = 'a much longer passphrase';
const user = { username: 'sam', password, fullName: 'Sam Secure', email: 'sam@example.com' };

describe('Security and Activity (en)', () => {
  let stage;
  let server;
  let page;
  // A second device of the same person: a browser of its own, with its own session.
  let phone;

  // The laptop's page stays blank until the phone has signed in.
  before(async () => {
    stage = await openStage({ locale: t.locale, person: user, home: false });
    ({ server, page } = stage);
    phone = await launchBrowser({ locale: t.locale });
  });

  after(async () => {
    await phone?.close();
    await closeStage(stage);
  });

  test('sign another device out, change the password, read the activity', async () => {
    const phonePage = await phone.newPage();
    await phonePage.goto(server.baseUrl);
    await logIn(phonePage, t, user);

    await page.goto(server.baseUrl);
    await logIn(page, t, user);
    await openApiCredentials(page, t);
    await generateKey(page, t, 'ci-deploy');
    await button(page, t.done).click();
    await button(page, t.back).click();

    // Two sessions: this one marked, the phone's with a sign-out button.
    await button(page, t.security).click();
    await page.locator('.session-row').nth(1).waitFor();
    assert.equal(await page.locator('.session-row').count(), 2);
    assert.equal(await page.getByText(t.thisDevice, { exact: true }).count(), 1);
    await button(page, t.signOutSession('127.0.0.1')).click();
    await page.getByText(t.sessionEnded).waitFor();
    await page.locator('.session-row').nth(1).waitFor({ state: 'detached' });
    await phonePage.reload();
    await phonePage.getByLabel(t.username, { exact: true }).waitFor();

    // A wrong current password is refused with a message; what was typed stays.
    await page.getByLabel(t.currentPassword).fill('not my password');
    await page.getByLabel(t.newPassword).fill(newPassword);
    await button(page, t.changePassword).click();
    await page.getByText(t.wrongCurrentPassword).waitFor();
    assert.equal(await page.getByLabel(t.newPassword).inputValue(), newPassword);
    await page.getByLabel(t.currentPassword).fill(password);
    await button(page, t.changePassword).click();
    await page.getByText(t.passwordChanged).waitFor();
    await saveScreenshot(page, 'security-en');

    // The activity, newest first: the password change on top, the key, the logins.
    await button(page, t.back).click();
    await button(page, t.activity).click();
    const rows = page.locator('.activity-row');
    await rows.first().waitFor();
    assert.equal(await rows.first().getAttribute('data-event'), 'password_changed');
    const keyRow = page.locator('.activity-row[data-event="key_created"]');
    assert.match(await keyRow.textContent(), /API key created · ci-deploy/);
    assert.match(await keyRow.textContent(), /sam · 127\.0\.0\.1/);
    assert.equal(await page.locator('.activity-row[data-event="login_succeeded"]').count(), 2);
    await saveScreenshot(page, 'activity-en');
    assert.deepEqual(await cspViolations(page), []);

    // The new password is the one that works now.
    await phonePage.getByLabel(t.username, { exact: true }).fill(user.username);
    await phonePage.getByLabel(t.password, { exact: true }).fill(newPassword);
    await button(phonePage, t.logIn).click();
    await button(phonePage, t.userSettings).waitFor();
  });
});
