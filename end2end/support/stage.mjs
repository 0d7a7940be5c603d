// A journey's stage: a fresh server with one person on it, and a browser in that person's
// language on its home page. An error thrown by the page fails the test.
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

export async function openStage({ locale, person, role }) {
  const server = await startServer();
  server.createUser({ ...person, role });
  const browser = await launchBrowser({ locale });
  const page = await browser.newPage();
  page.on('pageerror', (error) => { throw error; });
  await page.goto(server.baseUrl);
  return { server, browser, page };
}

export async function closeStage(stage) {
  await stage?.browser?.close();
  await stage?.server?.stop();
}
