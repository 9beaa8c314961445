import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/crawl/progress.js';
import { Scheduler } from '../../src/crawl/scheduler.js';
import { collectLogs } from '../helpers/harness.js';

describe('progress without a terminal', () => {
  it('logs JSON progress lines with accounts, requests, errors and an ETA, at most once per interval', () => {
    const logs = collectLogs('info');
    const reporter = progressReporter(logs.logger, { isTTY: false, intervalMs: 60_000 });
    const scheduler = new Scheduler({ concurrency: 1, maxAttempts: 1 });
    scheduler.stats.requests = 42;
    const progress = { startedAt: Date.now() - 10_000, accountsTotal: 10, accountsDone: 5, errors: 1, rows: 100 };
    reporter.update(progress, scheduler);
    reporter.update({ ...progress, accountsDone: 6 }, scheduler);
    reporter.stop();
    expect(logs.lines).toHaveLength(1);
    const line = JSON.parse(logs.lines[0] ?? '{}') as { msg: string; progress: Record<string, unknown> };
    expect(line.msg).toBe('progress');
    expect(line.progress).toMatchObject({ accounts_done: 5, accounts_total: 10, requests: 42, errors: 1, rows: 100, elapsed_seconds: 10, eta: '10s' });
  });
});
