// Bundles the CLI ahead of time, so a start-up reads a few files instead of hundreds of modules.
// Commands load their heavy parts (runner, engine, terminal) with dynamic imports: separate chunks.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // A native addon cannot be bundled; it is loaded from node_modules at run time.
  external: ['node-pty'],
  // Bundled CommonJS packages call require(); ESM output has none unless we make one.
  banner: { js: "import { createRequire as __lessonRequire } from 'node:module'; const require = __lessonRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
