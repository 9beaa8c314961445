/**
 * One benchmark crawl in a process of its own: reads a parameter file (argv[2]), runs the real
 * `runInventory`, and prints one JSON line with its figures, CPU time and peak RSS.
 */
import { runInventory } from '../src/crawl/run.js';
import { createLogger } from '../src/log/logger.js';
import { loadParameters } from '../src/parameters/load.js';

const params = loadParameters({ file: process.argv[2] ?? '' });
const logger = createLogger({ level: 'warn', format: 'json' });
const cpuBefore = process.cpuUsage();
const result = await runInventory({ params, logger, progress: 'none' });
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    wallSeconds: result.wallSeconds,
    exitCode: result.exitCode,
    errors: result.summary.errorCount,
    rows: result.summary.rows,
    requests: result.requests,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
