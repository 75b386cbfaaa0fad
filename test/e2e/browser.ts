// Headless Chromium for the dashboard's browser tests: Debian's /usr/bin/chromium (scripts/chromium.sh)
// driven by playwright-core, which downloads no browser. CRONFLEET_CHROMIUM points elsewhere;
// CRONFLEET_SCREENSHOTS=<dir> keeps the screenshots the specs take, each at three widths
// (`npm run docs:screenshots`); at every screenshot the page is checked not to scroll sideways.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './helpers';

const CHROMIUM = process.env.CRONFLEET_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.CRONFLEET_SCREENSHOTS ? join(repoRoot, process.env.CRONFLEET_SCREENSHOTS) : null;

/** The widths each screenshot is taken at, as `<name>-<width>.png`: a wide screen, a small laptop, a phone. */
export const SHOT_WIDTHS = [1400, 1024, 390] as const;
/** The widths at which no page may scroll sideways as a whole (a wide table scrolls inside its card). */
export const NARROW_WIDTHS = [1024, 390] as const;
const WIDE = { width: 1400, height: 860 };
const viewportAt = (width: number) => ({ width, height: width < 600 ? 844 : WIDE.height });

export interface DashboardBrowser {
  browser: Browser;
  page: Page;
  /** The page's console errors, uncaught exceptions and Content-Security-Policy violations, as they happen. */
  consoleErrors: string[];
  /**
   * The page at each of {@link SHOT_WIDTHS}, back at 1400 px after: kept as `<name>-<width>.png` when
   * CRONFLEET_SCREENSHOTS is set, and checked at the narrow widths not to scroll sideways.
   */
  shot(name: string): Promise<void>;
}

/** One page, 1400×860, 20 s per action, collecting console errors. */
export async function openDashboardBrowser(): Promise<DashboardBrowser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/chromium.sh (Debian's chromium package)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: WIDE });
  page.setDefaultTimeout(20_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`browser console: ${m.text()}`));
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  // A breach of the page's Content-Security-Policy is an error too, also one the page's code caught
  // (the browser reports it as an event, not on the console).
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`));",
  });
  const shot = (name: string): Promise<void> =>
    atWidths(page, SHOT_WIDTHS, async (width) => {
      await keepScreenshot(page, `${name}-${width}`);
      if ((NARROW_WIDTHS as readonly number[]).includes(width)) await assertNoSidewaysScroll(page, `${name} at ${width} px`);
    });
  return { browser, page, consoleErrors, shot };
}

/** Keeps a screenshot of the viewport as `<name>.png` when CRONFLEET_SCREENSHOTS is set. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Runs `check` with the page at each width in turn (its layout settled), then puts it back at 1400 px. */
export async function atWidths(page: Page, widths: readonly number[], check: (width: number) => Promise<void>): Promise<void> {
  try {
    for (const width of widths) {
      await page.setViewportSize(viewportAt(width));
      await settled(page);
      await check(width);
    }
  } finally {
    await page.setViewportSize(WIDE);
    await settled(page);
  }
}

/** Two animation frames: the resize's layout and any re-render it caused are done. */
const settled = (page: Page): Promise<unknown> => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

/** The document is no wider than the window; if it is, the message names what sticks out. */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const r = await page.evaluate(`(() => {
    const doc = document.scrollingElement;
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
      .slice(-5)
      .map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/ +/g, '.') : '') + ' to ' + Math.round(e.getBoundingClientRect().right) + ' px');
    return { scrollWidth: doc.scrollWidth, innerWidth, out };
  })()`) as { scrollWidth: number; innerWidth: number; out: string[] };
  assert.ok(r.scrollWidth <= r.innerWidth, `${what}: the page scrolls sideways (${r.scrollWidth} px wide in a ${r.innerWidth} px window); sticking out: ${r.out.join(', ')}`);
}

/**
 * The element can be seen without scrolling the page sideways: inside the window, or inside the
 * card that scrolls it (its nearest ancestor that scrolls sideways), which is itself inside the window.
 */
export async function assertReachable(page: Page, selector: string, what: string): Promise<void> {
  const r = await page.locator(selector).first().evaluate((el) => {
    const w = globalThis as unknown as { innerWidth: number; getComputedStyle(e: unknown): { overflowX: string } };
    type Box = { left: number; right: number };
    type Node = { getBoundingClientRect(): Box; parentElement: Node | null; scrollWidth: number; scrollLeft: number };
    const node = el as unknown as Node;
    const box = node.getBoundingClientRect();
    let scroller: Node | null = node.parentElement;
    while (scroller && !['auto', 'scroll'].includes(w.getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
    if (!scroller) return { ok: box.left >= 0 && box.right <= w.innerWidth + 0.5, where: `window 0-${w.innerWidth}`, box };
    const s = scroller.getBoundingClientRect();
    const inContent = box.left - s.left + scroller.scrollLeft >= 0 && box.right - s.left + scroller.scrollLeft <= scroller.scrollWidth + 0.5;
    return { ok: inContent && s.left >= 0 && s.right <= w.innerWidth + 0.5, where: `a scrolling card ${Math.round(s.left)}-${Math.round(s.right)} px, ${scroller.scrollWidth} px of content`, box };
  });
  assert.ok(r.ok, `${what} is out of reach: at ${Math.round(r.box.left)}-${Math.round(r.box.right)} px, in ${r.where}`);
}

/** Signs in on the login form with `token` and waits for the signed-in header. */
export async function signIn(page: Page, token: string, role: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('caller').filter({ hasText: `(${role})` }).waitFor();
}
