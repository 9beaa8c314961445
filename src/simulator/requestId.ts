/** Request ids shaped like AWS's (UUIDs), unique per process, without a random draw per request. */
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(8).toString('hex');
let counter = 0;

export function requestId(): string {
  counter = (counter + 1) % 0x1000000000000;
  const tail = counter.toString(16).padStart(12, '0');
  return `${prefix.slice(0, 8)}-${prefix.slice(8, 12)}-4${prefix.slice(13, 16)}-a${tail.slice(0, 3)}-${tail.slice(3, 12)}${prefix.slice(0, 3)}`;
}
