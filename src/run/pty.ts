// node-pty's spawn, for modules that load it only when a lesson needs a terminal: an import() of this
// module is bundled, whereas an import() of the native addon itself would stay a real dynamic import,
// which the CLI's code cache (bin.cts) cannot run.
export { spawn } from 'node-pty';
