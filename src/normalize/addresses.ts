import { valueEnd, valueStart } from './boundary.js';
import { createNumbering } from './numbering.js';
import type { Transform } from './transform.js';

// A used engine hands out the next subnet and the next free host port: on the user's own engine the
// second run of a lesson gets 172.19.0.0/16 where the first got 172.18.0.0/16. A fresh private engine
// always hands out the same ones, and there they are part of what a lesson teaches, so this normalizer
// runs in host mode only.

/** Addresses of the private ranges engines use: 10/8, 172.16/12, 192.168/16, with an optional prefix length. */
export const privateAddress = new RegExp(
  `${valueStart}((?:10\\.\\d{1,3}|172\\.(?:1[6-9]|2\\d|3[01])|192\\.168)\\.\\d{1,3}\\.\\d{1,3})(/\\d{1,2})?${valueEnd}`,
  'g',
);
/** A host port the engine chose (`-p 80`, `-P`): from the range it picks in, after a listening address. */
export const chosenPort = /((?:0\.0\.0\.0|127\.0\.0\.1|::|\[::\]|<ip-\d+>):)(3[2-9]\d{3}|[45]\d{4}|60\d{3})\b/g;

/** Both need digits after a dot or a colon. */
export const mayHoldAddress = /\d\.\d|:\d{5}/;

/** The `addresses` normalizer: private subnets, addresses and engine-chosen host ports become `<subnet-N>`, `<ip-N>`, `<port-N>`. */
export function replaceAddresses(): Transform {
  const subnet = createNumbering('subnet');
  const ip = createNumbering('ip');
  const port = createNumbering('port');
  return (text) => {
    if (!mayHoldAddress.test(text)) return text;
    return text
      .replace(privateAddress, (_, address: string, prefix: string | undefined) => (prefix ? subnet(address + prefix) : ip(address)))
      .replace(chosenPort, (_, before: string, number: string) => `${before}${port(number)}`);
  };
}
