// A journey's stage: a fresh server with its people on it, and a browser in the journey's
// language on its home page. An error thrown by the page fails the test.
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

export async function openStage({
  // The browser's language, which the console follows.
  locale,
  // The one person the journey signs in as, with their role; none leaves a fresh database
  // (the first-run setup form).
  person, role,
  // More people on the server (each with its own `role`), for journeys that switch accounts.
  others = [],
  // The system's light or dark preference, which the console's default theme follows.
  colorScheme,
  // A screen other than the browser's 1280×800 (a phone, say), set before the first page.
  viewport,
  // Copying a key to the real clipboard and reading it back needs both permissions.
  clipboard = false,
  // False leaves the page blank, for journeys whose first address is not the home page.
  home = true,
  // More of the server's command-line options (`--allow-insecure-issuers`, say).
  serverArgs = [],
}) {
  const server = await startServer({ extraArgs: serverArgs });
  let browser;
  try {
    if (person) server.createUser({ ...person, role });
    for (const other of others) server.createUser(other);
    browser = await launchBrowser({ locale, colorScheme });
    if (clipboard) await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    const page = await browser.newPage();
    page.on('pageerror', (error) => { throw error; });
    if (viewport) await page.setViewportSize(viewport);
    if (home) await page.goto(server.baseUrl);
    return { server, browser, page };
  } catch (error) {
    // A stage half set up is not left running: the journey's after() never sees it.
    await closeStage({ server, browser });
    throw error;
  }
}

export async function closeStage(stage) {
  await stage?.browser?.close();
  await stage?.server?.stop();
}
