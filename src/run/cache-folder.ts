import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where lesson keeps what it can make again: the base image, the compiled CLI. */
export function cacheFolder(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lesson');
}
