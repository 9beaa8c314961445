/**
 * The simulated organization in a process of its own, so that the benchmark measures the
 * connector's CPU and memory, not the simulator's. Options come as JSON in argv[2]; the process
 * prints one JSON line with the endpoint and the facts a parameter file needs, then serves until
 * it is sent SIGTERM. Started with an IPC channel, it answers the message `cpu` with its CPU
 * seconds so far, so that the benchmark can tell how busy the machine was.
 */
import { startSimulator } from '../src/simulator/index.js';
import type { SimulatorOptions } from '../src/simulator/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Partial<SimulatorOptions>;
const sim = await startSimulator(options);
process.stdout.write(
  `${JSON.stringify({
    url: sim.url,
    accessKeyId: sim.bootstrap.accessKeyId,
    secretAccessKey: sim.bootstrap.secretAccessKey,
    chainRoleArns: sim.chainRoleArns,
    externalId: sim.externalId,
  })}\n`,
);
const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const usage = process.cpuUsage();
  process.send?.({ cpuSeconds: (usage.user + usage.system) / 1e6 });
});
// The channel must not keep the process alive on its own.
process.channel?.unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
