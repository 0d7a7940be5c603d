// Keyless CI in the console (issue 25), as a person does it, in English and French: on a
// service account's page, *Trust a CI provider…* with the GitHub Actions preset (pointed at
// a real OpenID provider standing in for a GitHub Enterprise Server); a rule without an
// immutable id is refused with the reason and nothing typed is lost; "Test a token" names
// the condition a job from another branch fails and says a job from main would get a key;
// a script trades that very token for a key, whose use shows in the account's key list
// ("minted by rule …") and its usage chart; deleting the rule ends the key at once. Axe in
// light and dark and at 320 px on the new screens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { assertAccessible } from '../support/axe.mjs';
import { cspViolations, saveScreenshot } from '../support/browser.mjs';
import { button, callApi, logIn } from '../support/console.mjs';
import { labels } from '../support/labels.mjs';
import { exchange, startIssuer } from '../support/oidc_issuer.mjs';
import { closeStage, openStage } from '../support/stage.mjs';

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

for (const language of ['en', 'fr']) {
  const t = labels[language];
  const admin = { username: `grace_${language}`, password: 'correct horse battery', fullName: 'Grace Hopper', email: `grace_${language}@example.com` };
  const accountName = `deploy-bot-${language}`;

  describe(`keyless CI in the console (${language})`, () => {
    let stage;
    let server;
    let page;
    let issuer;
    let account;
    let rulePath;
    let mintedKey;
    let adminKey;

    before(async () => {
      stage = await openStage({ locale: t.locale, person: admin, role: 'admin', serverArgs: ['--allow-insecure-issuers'] });
      ({ server, page } = stage);
      // The account is made by a provisioning script; the journey starts on its page.
      adminKey = server.createKey(admin.username, 'provisioning');
      const me = (await callApi(server.baseUrl, adminKey)).body.data;
      const made = await fetch(`${server.baseUrl}/api/v1/service_accounts`, {
        method: 'POST',
        headers: { 'MC-Api-Key': adminKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: accountName, role: 'user', managers: [me.id] }),
      });
      assert.equal(made.status, 201);
      account = (await made.json()).data.id;
      issuer = await startIssuer({ audience: server.baseUrl });
    });

    after(async () => {
      await issuer?.close();
      await closeStage(stage);
    });

    test('trust GitHub Actions for the account; a rule without an immutable id is refused, nothing lost', async () => {
      await logIn(page, t, admin);
      await page.goto(`${server.baseUrl}/service-accounts/${account}`);
      await page.getByRole('heading', { name: accountName, level: 1 }).waitFor();
      await button(page, t.trustCiProvider).click();

      // The GitHub preset: GitHub's issuer, and its claims, immutable ids first.
      const form = page.locator('.trust-rule-form');
      assert.equal(await form.getByLabel(t.provider).inputValue(), 'github_actions');
      assert.equal(await form.getByLabel(t.issuer, { exact: true }).inputValue(), GITHUB_ISSUER);
      const claims = await form.getByRole('textbox', { name: t.claim, exact: true }).evaluateAll((inputs) => inputs.map((input) => input.value));
      assert.deepEqual(claims.slice(0, 3), ['repository_id', 'repository_owner_id', 'ref']);

      // Only the branch: anyone on the issuer could use that rule.
      await form.getByLabel(t.conditionValue('ref')).fill('refs/heads/main');
      await button(page, t.trust).click();
      await form.getByRole('alert').filter({ hasText: t.immutableConditionNeeded }).waitFor();
      assert.equal(await form.getByLabel(t.conditionValue('ref')).inputValue(), 'refs/heads/main', 'nothing typed is lost');
      await assertAccessible(page, `the trust form with its error (${language})`);
      await saveScreenshot(page, `trust-rule-form-${language}`);

      // A GitHub Enterprise Server's issuer (our test provider), pinned to one repository.
      await form.getByLabel(t.issuer, { exact: true }).fill(issuer.url);
      await form.getByLabel(t.conditionValue('repository_id')).fill('123456');
      await button(page, t.trust).click();
      await page.getByRole('heading', { name: t.trustRuleHeading(t.providerGithub), level: 1 }).waitFor();
      await page.getByText(t.trustRuleCreated(t.providerGithub)).waitFor();
      rulePath = new URL(page.url()).pathname;
      assert.match(rulePath, new RegExp(`^/service-accounts/${account}/trust-rules/[0-9a-f-]{36}$`));
      // The audience left empty is this console's address.
      await page.locator('.trust-rule-facts').getByText(server.baseUrl, { exact: true }).waitFor();
    });

    test('"Test a token" names the failing condition, then a job from main would get a key', async () => {
      // Not a token at all: why, in the reader's language.
      await page.getByLabel(t.token, { exact: true }).fill('not.a.token');
      await button(page, t.test).click();
      await page.getByText(t.tokenMalformed).waitFor();

      const fromDev = await issuer.token({ ref: 'refs/heads/dev' });
      await page.getByLabel(t.token, { exact: true }).fill(fromDev);
      await button(page, t.test).click();
      await page.getByText(t.tokenConditionFailed).waitFor();
      const failing = page.locator('.condition-table tbody tr').filter({ hasText: t.notMatched });
      assert.equal(await failing.count(), 1);
      const cells = await failing.locator('td').allTextContents();
      assert.deepEqual(cells.slice(0, 3), ['ref', 'refs/heads/main', 'refs/heads/dev']);
      assert.match(await page.locator('.token-claims').textContent(), /"repository_id": "123456"/);
      await assertAccessible(page, `a tested token (${language})`);
      await saveScreenshot(page, `trust-rule-tested-${language}`);

      // Dark, and a phone's width: still readable, nothing sideways.
      await page.emulateMedia({ colorScheme: 'dark' });
      await assertAccessible(page, `a tested token, dark (${language})`);
      await saveScreenshot(page, `trust-rule-tested-dark-${language}`);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 320, height: 700 });
      try {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${overflow} px of sideways scrolling at 320 px`);
        await assertAccessible(page, `the rule's page at 320 px (${language})`);
        await saveScreenshot(page, `trust-rule-320-${language}`);
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }

      const fromMain = await issuer.token();
      await page.getByLabel(t.token, { exact: true }).fill(fromMain);
      await button(page, t.test).click();
      await page.getByText(t.tokenWouldMint).waitFor();
      assert.equal(await page.locator('.condition-table tbody tr').filter({ hasText: t.notMatched }).count(), 0);

      // The test spent nothing: a script trades that very token for a key.
      const answer = await exchange(server.baseUrl, fromMain);
      assert.equal(answer.status, 200);
      mintedKey = (await answer.json()).access_token;
      for (let call = 0; call < 3; call += 1) {
        const me = await callApi(server.baseUrl, mintedKey);
        assert.equal(me.status, 200);
        assert.equal(me.body.data.username, accountName);
      }
      assert.deepEqual(await cspViolations(page), []);
    });

    test('the minted key is listed under the account with its rule, and its use is in its usage chart', async () => {
      // Uses are written within a second or so: the chart is read once they are.
      const listed = await fetch(`${server.baseUrl}/api/v1/api_keys?ownerId=${account}`, { headers: { 'MC-Api-Key': adminKey } });
      const mintedId = (await listed.json()).data.find((key) => key.minted?.subject === 'ci-runner').id;
      let accepted = 0;
      for (let tries = 0; tries < 50 && accepted < 3; tries += 1) {
        const usage = await fetch(`${server.baseUrl}/api/v1/api_keys/${mintedId}/usage`, { headers: { 'MC-Api-Key': adminKey } });
        accepted = (await usage.json()).data.totals.accepted;
        if (accepted < 3) await page.waitForTimeout(200);
      }
      assert.equal(accepted, 3);
      await page.getByRole('navigation', { name: t.breadcrumb }).getByRole('link', { name: accountName }).click();
      await page.getByRole('heading', { name: accountName, level: 1 }).waitFor();
      const row = page.locator('.key-row').filter({ has: page.locator('.key-minted') });
      const minted = row.locator('.key-minted');
      await minted.waitFor();
      assert.match(await minted.textContent(), new RegExp(`^${t.mintedByRule} [0-9a-f]{8} .+ ci-runner$`));
      assert.equal(await minted.getByRole('link').getAttribute('href'), rulePath);
      await button(row, t.showUsage).click();
      const legend = row.locator('.usage-legend');
      await legend.waitFor();
      assert.ok((await legend.textContent()).includes(`${t.usageAccepted} 3`), await legend.textContent());
      // The rule is listed on the account's page too.
      await page.locator('.trust-rule-row').getByRole('link', { name: t.providerGithub }).waitFor();
      await assertAccessible(page, `the account's page with a trust rule and a minted key (${language})`);
      await saveScreenshot(page, `service-account-keyless-${language}`);
    });

    test('deleting the rule ends the key it minted at once', async () => {
      await page.locator('.trust-rule-row').getByRole('link', { name: t.providerGithub }).click();
      await page.getByRole('heading', { name: t.trustRuleHeading(t.providerGithub), level: 1 }).waitFor();
      await page.locator('.page-heading').getByRole('button', { name: t.del, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: t.deleteTrustRuleTitle });
      await dialog.getByRole('button', { name: t.del, exact: true }).click();
      await page.getByText(t.trustRuleDeleted).waitFor();
      await page.getByRole('heading', { name: accountName, level: 1 }).waitFor();
      assert.equal((await callApi(server.baseUrl, mintedKey)).status, 401);
      await page.getByText(t.noTrustRules).waitFor();
      assert.equal(await page.locator('.trust-rule-row').count(), 0);
      assert.equal(await page.locator('.key-minted').count(), 0, 'the minted key is gone from the list');
    });
  });
}
