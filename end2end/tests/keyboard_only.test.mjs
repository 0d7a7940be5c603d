// The whole seed procedure with the keyboard alone — no mouse call at all: log in, open
// User settings → API credentials, generate a named key, copy it, rename it, delete it
// through the dialog, log out. Every Tab stop must show a focus ring, and each result is
// announced in the polite live region.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { closeStage, openStage } from '../support/stage.mjs';
import { labels } from '../support/labels.mjs';

const MAX_TABS = 40;

/** What the focused element is called (aria-label, else its text), and whether a focus
 * ring shows around it. */
async function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    const style = element ? getComputedStyle(element) : null;
    const ring = style !== null && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const label = element?.labels?.[0]?.querySelector('span')?.textContent ?? element?.labels?.[0]?.textContent;
    const name = (element?.getAttribute('aria-label') ?? label ?? element?.textContent ?? '').trim();
    return { tag: element?.tagName.toLowerCase(), name, ring };
  });
}

/** Presses Tab (Shift+Tab backwards) until the control named `name` has the focus,
 * checking the focus ring at every stop on the way. */
async function tabTo(page, name, { backwards = false } = {}) {
  const stops = [];
  for (let presses = 0; presses < MAX_TABS; presses += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    // Past the last control the focus leaves the page for the browser's own: no stop.
    if (now.tag === 'body') continue;
    stops.push(now.name);
    assert.ok(now.ring, `no visible focus ring on <${now.tag}> "${now.name}"`);
    if (now.name === name) return;
  }
  assert.fail(`"${name}" never took the focus; stops: ${stops.join(' | ')}`);
}

async function drawerTitleFocused(page) {
  await page.waitForFunction(() => document.activeElement?.id === 'drawer-title');
}

/** Waits until the control named `name` has the focus (moved there by the app). */
async function focusedOn(page, name) {
  await page.waitForFunction(
    (name) => {
      const element = document.activeElement;
      return (element?.getAttribute('aria-label') ?? element?.textContent?.trim()) === name;
    },
    name,
  );
}

async function inputFocused(page) {
  await page.waitForFunction(() => document.activeElement?.tagName === 'INPUT');
}

async function announced(page, text) {
  await page.locator('.feedback-region').getByText(text, { exact: true }).waitFor();
}

for (const language of ['en', 'fr', 'es']) {
  const t = labels[language];

  describe(`Keyboard only (${language})`, () => {
    let stage;
    let page;
    const user = { username: `keys_${language}`, password: 'correct horse battery', fullName: 'Kay Board', email: 'kay@example.com' };

    before(async () => {
      stage = await openStage({ locale: t.locale, person: user, role: 'user', clipboard: true });
      ({ page } = stage);
    });

    after(() => closeStage(stage));

    test('log in, generate, copy, rename, delete, log out', async () => {
      await page.getByLabel(t.username, { exact: true }).waitFor();
      await tabTo(page, t.username);
      await page.keyboard.type(user.username);
      await page.keyboard.press('Tab');
      await page.keyboard.type(user.password);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: t.userSettings, exact: true }).waitFor();

      await tabTo(page, t.userSettings);
      await page.keyboard.press('Enter');
      // The drawer takes the focus (its title), on opening and on each section.
      await drawerTitleFocused(page);
      await tabTo(page, t.apiCredentials);
      await page.keyboard.press('Enter');
      await drawerTitleFocused(page);
      await tabTo(page, t.generateApiKey);
      await page.keyboard.press('Enter');
      // The name field takes the focus. Escape from anywhere in the form (here the expiry
      // menu) cancels the form, not the drawer.
      await inputFocused(page);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Escape');
      await focusedOn(page, t.generateApiKey);
      assert.equal(await page.locator('.drawer').count(), 1, 'the drawer stays open');
      await page.keyboard.press('Enter');
      await inputFocused(page);
      await page.keyboard.type('keyboard');
      await page.keyboard.press('Enter');
      await announced(page, t.generatedTitle('keyboard'));
      // While the new secret shows, Escape does not close the drawer (it would lose it).
      await page.keyboard.press('Escape');
      await page.waitForTimeout(200);
      assert.equal(await page.locator('.new-key').count(), 1, 'the secret is still shown');

      await tabTo(page, t.copy);
      await page.keyboard.press('Enter');
      await announced(page, t.copied);
      assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^sesame_[0-9A-Za-z]{49}$/);
      await tabTo(page, t.done);
      await page.keyboard.press('Enter');
      // The focus goes back to Generate API key once the box closes.
      await focusedOn(page, t.generateApiKey);

      await tabTo(page, t.rename('keyboard'));
      await page.keyboard.press('Enter');
      // The editor's field takes the focus.
      const field = page.getByLabel(t.newName('keyboard'));
      await focusedOn(page, t.newName('keyboard'));
      await page.keyboard.press('Control+A');
      await page.keyboard.type('typed');
      assert.equal(await field.inputValue(), 'typed');
      await page.keyboard.press('Enter');
      await announced(page, t.renamed);
      assert.equal(await field.count(), 0, 'the editor closed');
      // The focus goes back to the row's rename button.
      await focusedOn(page, t.rename('typed'));

      await tabTo(page, t.deleteKey('typed'));
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      // The dialog takes the focus, on Cancel.
      await focusedOn(page, t.cancel);
      await tabTo(page, t.del);
      await page.keyboard.press('Enter');
      await announced(page, t.deleted);
      assert.equal(await page.locator('.key-row').count(), 0);
      await focusedOn(page, t.generateApiKey);

      await tabTo(page, t.back, { backwards: true });
      await page.keyboard.press('Enter');
      await drawerTitleFocused(page);
      await tabTo(page, t.logOut);
      await page.keyboard.press('Enter');
      await page.getByLabel(t.username, { exact: true }).waitFor();
    });
  });
}
