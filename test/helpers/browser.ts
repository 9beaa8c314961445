/**
 * Headless Chromium for the tests that look at the HTML report as a person would: Debian's
 * `chromium` package driven by playwright-core (which downloads nothing). Without the browser the
 * tests are skipped with the reason; under CI=true they fail instead (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ROOT } from './builtCli.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Nothing but the page: no first-run work, no update or sync traffic, no QUIC, no GPU. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots and PDFs of the report (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts', 'report');

export interface BrowserAvailability {
  available: boolean;
  reason: string;
}

export function browserAvailability(): BrowserAvailability {
  if (!existsSync(CHROMIUM_PATH)) return { available: false, reason: `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)` };
  return { available: true, reason: '' };
}

/** Run the browser tests: the browser is there, or CI requires them (and they fail without it). */
export function browserTestsRun(availability: BrowserAvailability): boolean {
  return availability.available || (process.env.CI ?? '').toLowerCase() === 'true';
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser with a user-data directory of its own, removed on close. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<LaunchedBrowser> {
  const availability = browserAvailability();
  if (!availability.available) {
    throw new Error(`The report's browser tests need Chromium and CI=true is set: ${availability.reason}. .ci/run installs it with apt-get when it is missing.`);
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'aoi-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
