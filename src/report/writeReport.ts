/**
 * Writes `report.html` from an inventory: collect the data through the reader, render the page,
 * write it beside its target and rename it over (a reader of the old report never sees half of
 * the new one, and a failed write leaves the old one as it was).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { storageError } from '../sinks/sqlite/storageError.js';
import { collectReport } from './collect.js';
import type { CollectOptions } from './collect.js';
import type { ReportReader } from './reader.js';
import { renderReport } from './template.js';

export const REPORT_FILE = 'report.html';

export interface WrittenReport {
  path: string;
  bytes: number;
  runId: number;
}

export async function writeReport(reader: ReportReader, target: string, options: CollectOptions): Promise<WrittenReport> {
  const data = await collectReport(reader, options);
  const html = renderReport(data);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, html, 'utf8');
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw storageError(error, target, 'write the report');
  }
  return { path: target, bytes: Buffer.byteLength(html, 'utf8'), runId: data.run.id };
}
