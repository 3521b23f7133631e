import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's `chromium` package, driven by playwright-core: nothing downloads a browser of its own
 * here. Without the background-networking flags Chromium keeps dialling Google's hosts, which this
 * machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Where tests keep what a person may want to look at afterwards (git-ignored). */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** A full-page screenshot in test-artifacts/, its path printed for whoever reads the log. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot of ${name}: ${path}`);
  return path;
}
