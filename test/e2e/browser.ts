// Headless Chromium for the dashboard's browser tests: Debian's /usr/bin/chromium (scripts/chromium.sh)
// driven by playwright-core, which downloads no browser. CRONFLEET_CHROMIUM points elsewhere;
// CRONFLEET_SCREENSHOTS=<dir> keeps the screenshots the specs take (`npm run docs:screenshots`).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './helpers';

const CHROMIUM = process.env.CRONFLEET_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.CRONFLEET_SCREENSHOTS ? join(repoRoot, process.env.CRONFLEET_SCREENSHOTS) : null;

export interface DashboardBrowser {
  browser: Browser;
  page: Page;
  /** The page's console errors and uncaught exceptions, as they happen. */
  consoleErrors: string[];
  /** Keeps a screenshot of the viewport as `<name>.png` when CRONFLEET_SCREENSHOTS is set. */
  shot(name: string): Promise<void>;
}

/** One page, 1360×860, 20 s per action, collecting console errors. */
export async function openDashboardBrowser(): Promise<DashboardBrowser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/chromium.sh (Debian's chromium package)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.setDefaultTimeout(20_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`browser console: ${m.text()}`));
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  const shot = async (name: string): Promise<void> => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  };
  return { browser, page, consoleErrors, shot };
}

/** Signs in on the login form with `token` and waits for the signed-in header. */
export async function signIn(page: Page, token: string, role: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('caller').filter({ hasText: `(${role})` }).waitFor();
}
