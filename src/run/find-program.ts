import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `name` is on `path` (a PATH value), as a shell would find it; undefined when it is not. */
export async function findProgram(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(':')) {
    const candidate = join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
