// Benchmark 2: whole-process start-up of the commands a person types most.
import { cli, ms, table, time } from './lib.mjs';

export function benchColdStart() {
  const runs = 11;
  const rows = [['node -e 0 (the floor)', ms(time(process.execPath, ['-e', '0'], { runs }))]];
  if (process.env.NODE_EXTRA_CA_CERTS) {
    // Every other run goes without it (lib.mjs): this is what it would add to each.
    const withCerts = time(process.execPath, ['-e', '0'], { runs, env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } });
    rows.push(['node -e 0 with this machine\'s NODE_EXTRA_CA_CERTS', ms(withCerts)]);
  }
  rows.push(
    ['lesson --version', ms(time(process.execPath, [cli, '--version'], { runs }))],
    ['lesson plan layers', ms(time(process.execPath, [cli, 'plan', 'layers'], { runs }))],
    // A cache folder that cannot exist: every start compiles the bundle, as the first one after a build does.
    ['lesson plan layers, no code cache', ms(time(process.execPath, [cli, 'plan', 'layers'], { runs, env: { XDG_CACHE_HOME: '/dev/null' } }))],
  );
  return table(['command', `wall (median of ${runs})`], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchColdStart());
