/**
 * The HTML report's figures for the benchmark: how long `report` takes to write report.html from
 * an inventory, how big the page is, and how long headless Chromium takes to open it (from the
 * start of navigation to the page script's `report-ready` mark: HTML parsed, Chart.js and the
 * data evaluated, the first view drawn). Targets: under 5 MB and under 2 s for 2,000 accounts.
 *
 * The browser is Debian's chromium driven by playwright-core (a development dependency: the
 * benchmark runs from a checkout), with the flags the browser tests use.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPORT_TARGETS = { bytes: 5 * 1024 * 1024, openSeconds: 2 };
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Opens of the page; the first is a cold start of the browser's caches, so the median is reported. */
const OPENS = 5;

export interface ReportFigures {
  generateSeconds: number;
  bytes: number;
  accounts: number;
  /** Seconds to `report-ready`, one per open; null when no browser could be started. */
  openSeconds: number[] | null;
  browserProblem: string | null;
}

function runReportCommand(cliMain: string, outputDir: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, 'report', '--output-dir', outputDir, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(Number(process.hrtime.bigint() - started) / 1e9);
      else reject(new Error(`report exited with ${code}`));
    });
  });
}

async function openTimes(file: string): Promise<number[]> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'aoi-bench-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    try {
      const times: number[] = [];
      for (let i = 0; i < OPENS; i++) {
        const page = await context.newPage();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
        const ms = await page.evaluate<number>("performance.getEntriesByName('report-ready')[0].startTime");
        times.push(ms / 1000);
        await page.close();
      }
      return times;
    } finally {
      await context.close();
    }
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** Writes report.html into `outputDir` with the built CLI, then measures it. */
export async function measureReport(cliMain: string, outputDir: string, accounts: number): Promise<ReportFigures> {
  const generateSeconds = await runReportCommand(cliMain, outputDir);
  const file = path.join(outputDir, 'report.html');
  const bytes = statSync(file).size;
  try {
    return { generateSeconds, bytes, accounts, openSeconds: await openTimes(file), browserProblem: null };
  } catch (error) {
    return { generateSeconds, bytes, accounts, openSeconds: null, browserProblem: error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error) };
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function reportLines(f: ReportFigures): string[] {
  const mb = f.bytes / 1024 / 1024;
  const lines = [
    `report.html          ${mb.toFixed(2)} MB for ${f.accounts} accounts, written by \`report\` in ${f.generateSeconds.toFixed(2)} s   (target < ${REPORT_TARGETS.bytes / 1024 / 1024} MB: ${f.bytes < REPORT_TARGETS.bytes ? 'met' : 'MISSED'})`,
  ];
  if (f.openSeconds === null) {
    lines.push(`report open time     not measured: ${f.browserProblem ?? 'no browser'} (apt-get install -y chromium)`);
  } else {
    const m = median(f.openSeconds);
    lines.push(
      `report open time     ${m.toFixed(2)} s median of ${f.openSeconds.length} opens in headless Chromium (${f.openSeconds.map((s) => s.toFixed(2)).join(', ')} s)   (target < ${REPORT_TARGETS.openSeconds} s: ${m < REPORT_TARGETS.openSeconds ? 'met' : 'MISSED'})`,
    );
  }
  return lines;
}
