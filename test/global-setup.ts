import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every temporary folder the tests make (pages, snapshots, lesson runs) goes under one folder of this
// test run, removed at the end, so a run leaves nothing in the machine's /tmp.
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'lesson-tests-'));
  // Others may pass through (not list it): a test that runs the CLI as another user gives it a folder here.
  chmodSync(root, 0o711);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
