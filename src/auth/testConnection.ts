/**
 * `test-connection`: run the chain hop by hop and check each permission the crawl needs,
 * like a connector's "Test Connection" button.
 */
import { InventoryError } from '../errors/inventoryError.js';
import type { ExitCodeValue } from '../errors/inventoryError.js';
import type { Parameters } from '../parameters/schema.js';
import type { Logger } from '../log/logger.js';

export interface ConnectionCheck {
  step: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
  errorCode?: string;
  hint?: string;
}

export interface ConnectionReport {
  checks: ConnectionCheck[];
  exitCode: ExitCodeValue;
}

export async function testConnection(_params: Parameters, _logger: Logger): Promise<ConnectionReport> {
  throw new InventoryError('internal', 'test-connection is not built yet.');
}

export function formatConnectionReport(report: ConnectionReport): string {
  return report.checks.map((c) => `${c.status.padEnd(4)} ${c.step}: ${c.detail}${c.hint ? ` (${c.hint})` : ''}`).join('\n');
}
