/**
 * The report as a person sees it: the page the second run of the demo organization wrote (see
 * reportFixture.ts), opened from disk in headless Chromium. Each view is used with the mouse and
 * the keyboard and photographed into test-artifacts/report/. The page must load nothing, log no
 * error, and read well on a laptop, a phone and paper.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixFor } from '../../src/errors/errorFix.js';
import { artifactPath, browserAvailability, browserTestsRun, launchBrowser } from '../helpers/browser.js';
import type { LaunchedBrowser } from '../helpers/browser.js';
import { crawlFixture } from '../helpers/harness.js';
import { MARKUP_TAG, reportInventory } from '../helpers/reportFixture.js';
import type { ReportInventory } from '../helpers/reportFixture.js';

const availability = browserAvailability();
const run = browserTestsRun(availability);

let inv: ReportInventory;
let browser: LaunchedBrowser;
let page: Page;
let url: string;
const problems: string[] = [];
const requests: string[] = [];
const blocked: string[] = [];
/** The report files the tests open: the only URLs the pages may ask for. */
const allowed = new Set<string>();

async function shot(name: string, fullPage = false): Promise<void> {
  // A whole-page picture from the top, so that the sticky tab bar is drawn where it belongs.
  if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage });
}

/** Types a query and waits for its results (not the previous query's). */
async function search(text: string): Promise<void> {
  await page.fill('#search-input', text);
  await page.waitForSelector(`#search-results[data-query="${text.trim().toLowerCase().replace(/"/g, '\\"')}"]`);
}

async function showView(id: string): Promise<void> {
  await page.click(`#tab-${id}`);
  await page.waitForSelector(`#view-${id}:not([hidden])`);
}

interface FocusedItem {
  level: string | null;
  expanded: string | null;
  label: string;
  account: string | null;
  node: string | null;
}

/**
 * The focused tree item's level, state and accessible name. Code run in the page is given as
 * text: the tests' TypeScript has no DOM types.
 */
function focusedItem(): Promise<FocusedItem | null> {
  return page.evaluate(`(() => {
    const li = document.activeElement;
    if (!li || li.getAttribute('role') !== 'treeitem') return null;
    const label = document.getElementById(li.getAttribute('aria-labelledby'))?.textContent ?? '';
    return { level: li.getAttribute('aria-level'), expanded: li.getAttribute('aria-expanded'), label, account: li.getAttribute('data-account'), node: li.getAttribute('data-node') };
  })()`);
}

beforeAll(async () => {
  if (!run) return;
  inv = await reportInventory();
  browser = await launchBrowser();
  // Anything the page asks for besides its own file is refused and counted.
  url = pathToFileURL(inv.reportPath).href;
  allowed.add(url);
  await browser.context.route('**/*', (route) => {
    if (allowed.has(route.request().url())) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await inv?.close();
});

describe.skipIf(!run)(`the HTML report in Chromium${run ? '' : ` (skipped: ${availability.reason})`}`, () => {
  it('opens from disk without loading anything, under a policy that forbids every load', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(blocked).toEqual([]);
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    // Nothing in the page refers to another origin.
    const remote = await page.evaluate(`[...document.querySelectorAll('[src], [href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')).filter((v) => !v.startsWith('#'))`);
    expect(remote).toEqual([]);
    await shot('1-run');
  });

  it('the run view shows status, caller, counts per table and the run-by-run charts', async () => {
    const text = await page.textContent('#view-summary');
    expect(text).toContain(`Run ${inv.second.summary.runId}`);
    expect(text).toContain('partial');
    expect(text).toContain(inv.second.outcome.callerArn);
    expect(text).toContain('s3_buckets');
    const charts = await page.$$eval('#view-summary canvas', (canvases) => canvases.map((c) => Number(c.getAttribute('width'))));
    expect(charts).toHaveLength(2);
    for (const width of charts) expect(width).toBeGreaterThan(100);
  });

  it('the OU tree opens and closes by keyboard and by click', async () => {
    await showView('organization');
    await page.focus('#view-organization li[role="treeitem"][tabindex="0"]');
    expect(await focusedItem()).toMatchObject({ level: '1', expanded: 'true', node: expect.stringMatching(/^r-/) });
    await page.keyboard.press('ArrowDown');
    const ou = await focusedItem();
    expect(ou).toMatchObject({ level: '2', expanded: 'false', node: expect.stringMatching(/^ou-/) });
    await page.keyboard.press('ArrowRight');
    expect(await focusedItem()).toMatchObject({ node: ou?.node, expanded: 'true' });
    await page.keyboard.press('ArrowRight');
    expect(await focusedItem()).toMatchObject({ level: '3' });
    await page.keyboard.press('ArrowLeft');
    expect(await focusedItem()).toMatchObject({ node: ou?.node, expanded: 'true' });
    await page.keyboard.press('ArrowLeft');
    expect(await focusedItem()).toMatchObject({ node: ou?.node, expanded: 'false' });
    await page.keyboard.press('Enter');
    expect(await focusedItem()).toMatchObject({ node: ou?.node, expanded: 'true' });
    await page.keyboard.press('End');
    expect((await focusedItem())?.level).not.toBe('1');
    await page.keyboard.press('Home');
    expect(await focusedItem()).toMatchObject({ level: '1' });

    // By click: the second OU under the root opens, shows its accounts, and closes again.
    const second = page.locator('#view-organization li[aria-level="2"][data-node]').nth(1);
    const id = await second.getAttribute('data-node');
    await second.locator(':scope > .row').click();
    expect(await second.getAttribute('aria-expanded')).toBe('true');
    expect(await second.locator(':scope > ul[role="group"] > li').first().isVisible()).toBe(true);
    await second.locator(':scope > .row').click();
    expect(await page.getAttribute(`li[data-node="${id}"]`, 'aria-expanded')).toBe('false');

    await page.click('text=Expand all');
    const account = page.locator(`li[data-account="${inv.retagged.accountId}"]`);
    expect(await account.isVisible()).toBe(true);
    const row = await account.locator(':scope > .row').textContent();
    expect(row).toContain('crawled');
    expect(row).toMatch(/us-east-1: \d+ queues?, \d+ buckets?/);
    expect(await page.locator(`li[data-account="${inv.deniedAccount}"] > .row`).textContent()).toContain('denied');
    await shot('2-organization', true);
  });

  it('the change list shows each changed field with its old and new value, filtered by table and OU', async () => {
    await showView('changes');
    const row = page.locator('#change-list > tbody > tr', { hasText: inv.retagged.bucket.name });
    await expect(row.count()).resolves.toBe(1);
    const fields = await row.locator('.fields').textContent();
    expect(fields).toContain('tagsowner: (none) → report-test');
    const queueRow = page.locator('#change-list > tbody > tr', { hasText: inv.opened.queue.name }).filter({ hasText: 'modified' });
    const queueFields = await queueRow.locator('.fields').textContent();
    expect(queueFields).toContain(`visibility_timeout_seconds: ${inv.opened.visibilityBefore} → 45`);
    expect(queueFields).toMatch(/policybeforenullafter\{/);

    await page.selectOption('#view-changes select >> nth=0', 's3_buckets');
    const tables = await page.$$eval('#change-list > tbody > tr > td:nth-child(2)', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    expect(tables).toEqual(['s3_buckets']);
    const parent = inv.sim.org.parentOf(inv.retagged.accountId) ?? '';
    await page.selectOption('#view-changes select >> nth=1', parent);
    const shown = await page.$$eval('#change-list > tbody > tr > td:nth-child(3)', (cells) => cells.map((c) => c.textContent));
    expect(shown).toContain(inv.retagged.bucket.name);
    expect(shown).not.toContain(inv.deletedBucket.name);
    await page.selectOption('#view-changes select >> nth=1', 'all');
    await page.selectOption('#view-changes select >> nth=0', 'all');
    await page.selectOption('#view-changes select >> nth=2', 'modified');
    await shot('3-changes');
  });

  it('the errors are grouped by cause, each with the fix the command line prints', async () => {
    await showView('errors');
    const card = page.locator('#view-errors section.card', { hasText: 'AccessDenied on sts:AssumeRole' });
    expect(await card.locator('.fix').textContent()).toBe(`Fix: ${fixFor({ errorCode: 'AccessDenied', service: 'sts', operation: 'AssumeRole', step: 'member-role' })}`);
    await expect(page.locator('#view-errors section.card', { hasText: 'GetBucketEncryption' }).count()).resolves.toBe(1);
    await shot('4-errors');
  });

  it('the exposure view lists the queue open to anyone and the buckets without a public access block', async () => {
    await showView('exposure');
    const open = page.locator('#view-exposure section.card', { hasText: 'Queues whose policy allows any principal' });
    expect(await open.textContent()).toContain(inv.opened.queue.name);
    expect(await open.textContent()).toContain('AnyoneMaySend: sqs:SendMessage with no condition');
    expect(await page.locator('#view-exposure section.card', { hasText: 'Buckets with a public policy' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await shot('5-exposure');
  });

  it('search finds a bucket by name and shows its account in the tree', async () => {
    await showView('search');
    await search(inv.retagged.bucket.name.slice(4));
    const result = page.locator('#search-results section.card', { hasText: 'Buckets' }).locator('li', { hasText: inv.retagged.bucket.name });
    expect(await result.count()).toBe(1);
    await shot('6-search');
    await result.locator('button').click();
    await page.waitForSelector('#view-organization:not([hidden])');
    expect(await focusedItem()).toMatchObject({ account: inv.retagged.accountId });
    expect(await page.getAttribute(`li[data-account="${inv.retagged.accountId}"]`, 'class')).toContain('highlight');
    // A tag finds the bucket too.
    await showView('search');
    await search('owner=report-test');
    expect(await page.locator('#search-results li').allTextContents()).toEqual([expect.stringContaining(inv.retagged.bucket.name)]);
  });

  it('shows a tag holding markup as text: no element is made of it and no script of it runs', async () => {
    await showView('search');
    await search('onerror');
    const hit = page.locator('#search-results section.card', { hasText: 'Accounts (' }).locator('li', { hasText: 'onerror' });
    expect(await hit.count()).toBe(1);
    expect(await hit.textContent()).toContain(inv.markupAccount);
    expect(await hit.textContent()).toContain(`${MARKUP_TAG.Key}=${MARKUP_TAG.Value}`);
    expect(await page.title()).toMatch(/^Inventory report: run \d+/);
    expect(await page.locator('img, script[src]').count()).toBe(0);
    expect(await page.evaluate<number>('document.scripts.length')).toBe(3);
    await showView('organization');
    expect(await page.locator(`li[data-account="${inv.markupAccount}"] > .row`).textContent()).toContain(MARKUP_TAG.Value);
    expect(await page.title()).toMatch(/^Inventory report: run \d+/);
  });

  it('reads on a 390 × 844 phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of ['summary', 'organization', 'changes', 'errors', 'exposure', 'search']) {
      await showView(id);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width, `the ${id} view is ${width} px wide`).toBeLessThanOrEqual(390);
    }
    await showView('summary');
    await shot('7-phone-run');
    await showView('organization');
    await shot('8-phone-organization');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('prints every view, one after another, to PDF', async () => {
    await page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
    await page.emulateMedia({ media: 'print' });
    const visible = await page.evaluate(`[...document.querySelectorAll('[role="tabpanel"]')].map((p) => getComputedStyle(p).display !== 'none' && p.childElementCount > 0)`);
    expect(visible).toEqual([true, true, true, true, true, true]);
    expect(await page.isVisible('nav.tabs')).toBe(false);
    await page.screenshot({ path: artifactPath('9-print.png'), fullPage: false });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(artifactPath('report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThanOrEqual(6);
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(`window.dispatchEvent(new Event('afterprint'))`);
  });

  it('an inventory without Organizations: its account stands under "Accounts", with its queues', async () => {
    const fixture = await crawlFixture({ accounts: 1 }, { resources: ['sqs'], member_account_role_name: null, formats: ['sqlite', 'html'] });
    try {
      await fixture.run();
      const file = pathToFileURL(path.join(fixture.params.output_dir, 'report.html')).href;
      allowed.add(file);
      const other = await browser.context.newPage();
      other.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await other.goto(file);
      await other.waitForSelector('html[data-ready="true"]');
      await other.click('#tab-organization');
      const top = other.locator('#view-organization li[aria-level="1"]');
      expect(await top.count()).toBe(1);
      expect(await top.locator(':scope > .row').textContent()).toMatch(/^Accounts\s*1 account, [1-9]\d* resources/);
      const account = other.locator(`li[data-account="${fixture.sim.managementAccountId}"] > .row`);
      expect(await account.textContent()).toMatch(/us-east-1: [1-9]\d* queues?, 0 buckets/);
      await other.close();
    } finally {
      await fixture.close();
      rmSync(path.dirname(fixture.params.output_dir), { recursive: true, force: true });
    }
  }, 120_000);

  it('logged no error and asked for nothing, through every view and interaction', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(blocked).toEqual([]);
  });
});
