/**
 * Progress of a run: on a terminal, a bar on stderr (accounts done/total, requests, errors,
 * elapsed, ETA) with log lines printed above it; without a terminal, a JSON progress line every
 * `intervalMs` through the logger. `--quiet` (progress `none`) shows neither.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../log/logger.js';
import { setLogInterceptor } from '../log/logger.js';
import type { CrawlProgress } from './engine.js';
import type { Scheduler } from './scheduler.js';

export interface ProgressReporter {
  update(progress: CrawlProgress, scheduler: Scheduler): void;
  stop(): void;
}

export function progressReporter(logger: Logger, options: { isTTY?: boolean; intervalMs?: number } = {}): ProgressReporter {
  const isTTY = options.isTTY ?? process.stderr.isTTY === true;
  return isTTY ? terminalReporter() : jsonReporter(logger, options.intervalMs ?? 10_000);
}

function eta(progress: CrawlProgress): string {
  const elapsed = (Date.now() - progress.startedAt) / 1000;
  if (progress.accountsDone === 0 || progress.accountsTotal === 0) return '?';
  const remaining = (elapsed / progress.accountsDone) * (progress.accountsTotal - progress.accountsDone);
  return formatSeconds(remaining);
}

function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function terminalReporter(): ProgressReporter {
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: 'accounts {bar} {value}/{total} | {requests} requests | {errors} errors | {elapsed} elapsed | ETA {eta}',
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(0, 0, { requests: 0, errors: 0, elapsed: '0s', eta: '?' });
  setLogInterceptor((line) => bars.log(line.endsWith('\n') ? line : `${line}\n`));
  return {
    update(progress, scheduler) {
      bar.setTotal(progress.accountsTotal);
      bar.update(progress.accountsDone, {
        requests: scheduler.stats.requests,
        errors: progress.errors,
        elapsed: formatSeconds((Date.now() - progress.startedAt) / 1000),
        eta: eta(progress),
      });
    },
    stop() {
      bars.stop();
      setLogInterceptor(null);
    },
  };
}

function jsonReporter(logger: Logger, intervalMs: number): ProgressReporter {
  let last = 0;
  return {
    update(progress, scheduler) {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      logger.info(
        {
          progress: {
            accounts_done: progress.accountsDone,
            accounts_total: progress.accountsTotal,
            rows: progress.rows,
            requests: scheduler.stats.requests,
            in_flight: scheduler.inFlightTotal(),
            retries: scheduler.stats.retries,
            errors: progress.errors,
            elapsed_seconds: Math.round((now - progress.startedAt) / 1000),
            eta: eta(progress),
          },
        },
        'progress',
      );
    },
    stop() {},
  };
}
