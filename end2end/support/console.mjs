// What a person does in the console, step by step: finding, acting, checking.

export function button(page, name) {
  return page.getByRole('button', { name, exact: true });
}

export function link(page, name) {
  return page.getByRole('link', { name, exact: true });
}

/** The page's path and query, as the address bar shows them. */
export function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

export async function waitForPath(page, path) {
  await page.waitForURL((url) => url.pathname + url.search === path);
}

export async function logIn(page, t, { username, password }) {
  await page.getByLabel(t.username, { exact: true }).fill(username);
  await page.getByLabel(t.password, { exact: true }).fill(password);
  await button(page, t.logIn).click();
  await button(page, t.userSettings).waitFor();
}

export async function openApiCredentials(page, t) {
  await button(page, t.userSettings).click();
  await button(page, t.apiCredentials).click();
  await button(page, t.generateApiKey).waitFor();
}

/** Generates a key (named or not) and returns { name, secret } as the page showed them. */
export async function generateKey(page, t, name) {
  await button(page, t.generateApiKey).click();
  if (name !== undefined) {
    await page.getByLabel(t.nameField).fill(name);
  }
  await button(page, t.generate).click();
  await button(page, t.showKey).click();
  const secret = (await page.getByTestId('new-key-value').textContent()).trim();
  const title = await page.locator('.new-key-title').textContent();
  return { secret, title };
}

export function keyRow(page, name) {
  return page.locator('.key-row').filter({ has: page.getByText(name, { exact: true }) });
}

export async function callApi(baseUrl, key, path = '/api/v1/me') {
  const response = await fetch(`${baseUrl}${path}`, { headers: { 'MC-Api-Key': key } });
  return { status: response.status, body: await response.json() };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD`, `days` from today in the browser's (and this machine's) time zone. */
export function localDate(days) {
  const date = new Date(Date.now() + days * DAY_MS);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
