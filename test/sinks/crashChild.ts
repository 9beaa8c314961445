/**
 * Run by crashRecovery.test.ts in a child process: begins a run and writes rows without end,
 * printing the number of committed rows after each batch, until it is killed.
 */
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { queueRow, queues, runStart } from '../helpers/tableDeclarations.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crashChild <database>');
const store = openSqliteStore(path, { batchSize: 1_000 });
store.beginRun(runStart([queues]));
for (let i = 0; ; i++) {
  store.upsert(queues, queueRow('222222222222', 'us-east-1', `q${i}`, { policy: `{"n":${i}}` }));
  if ((i + 1) % 1_000 === 0) process.stdout.write(`${i + 1}\n`);
}
