// How long the API credentials panel takes to show a user's many keys, and to filter them,
// in Chromium. Run by the benchmark (crates/sesame-bench) against a server it started:
//   node bench/panel_10k.mjs <base URL> <username> <password> <a key name to filter for>
// Prints one JSON line: {"keys": N, "panelMs": …, "filterMs": …}.
import { launchBrowser } from '../support/browser.mjs';
import { labels } from '../support/labels.mjs';
import { button, logIn } from '../support/console.mjs';

const [baseUrl, username, password, needle] = process.argv.slice(2);
const t = labels.en;
const browser = await launchBrowser({ locale: t.locale });
try {
  const page = await browser.newPage();
  await page.goto(baseUrl);
  await logIn(page, t, { username, password });
  await button(page, t.userSettings).click();

  // From the click on "API credentials" to the list on screen and the filter usable.
  const started = Date.now();
  await button(page, t.apiCredentials).click();
  await page.locator('.key-row').first().waitFor();
  const filter = page.getByLabel('Filter keys by name');
  await filter.waitFor();
  const panelMs = Date.now() - started;
  const shown = await page.locator('.key-row').count();

  // From typing a name to that key alone in the list.
  const typed = Date.now();
  await filter.fill(needle);
  await page.waitForFunction((name) => {
    const rows = document.querySelectorAll('.key-row');
    return rows.length === 1 && rows[0].textContent.includes(name);
  }, needle);
  const filterMs = Date.now() - typed;
  console.log(JSON.stringify({ shown, panelMs, filterMs }));
} finally {
  await browser.close();
}
