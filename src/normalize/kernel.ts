import type { Transform } from './transform.js';

// A kernel release as `uname -r` prints it: `6.1.0-18-amd64`, `5.15.133.1-microsoft-standard-WSL2`,
// `4.18.0-513.el8.x86_64`, `6.6.12-linuxkit`. Alone, three numbers are any version (`1.35.0`): a release
// is only read where the kernel is the one thing the line can name.
const release = '\\d+\\.\\d+(?:\\.\\d+)+(?:[-+~][\\w.+~-]*)?';
const arch = '(?:x86_64|amd64|aarch64|arm64|armv\\d\\w*|i[3-6]86|ppc64le|s390x|riscv64)';

/**
 * The host's kernel, which the engine's containers share: its release and its build string differ
 * from machine to machine and change with each update. Each pattern with its placeholder, and what
 * any match holds, tested first.
 */
export const kernelPatterns: Array<{ pattern: RegExp; replacement: string; needs: RegExp }> = [
  // `uname -a`: `Linux 04c0bb0a6c07 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux`
  { pattern: new RegExp(`^(Linux \\S+ )${release} #\\d.*? (${arch}(?: \\S+)*)(?=[ \\t]*$)`, 'gm'), replacement: '$1<kernel> <kernel-build> $2', needs: /^Linux /m },
  // `uname -sr` (`Linux 6.1.0-18-amd64`), `uname -r` alone with its flavour, `docker info`'s `Kernel Version:`.
  { pattern: new RegExp(`^(Linux )${release}(?=[ \\t]*$)`, 'gm'), replacement: '$1<kernel>', needs: /^Linux /m },
  { pattern: new RegExp(`^\\d+\\.\\d+(?:\\.\\d+)+-[\\w.+~-]*[A-Za-z][\\w.+~-]*(?=[ \\t]*$)`, 'gm'), replacement: '<kernel>', needs: /^\d+\.\d+\./m },
  { pattern: new RegExp(`(Kernel Version: )${release}(?=[ \\t]*$)`, 'gm'), replacement: '$1<kernel>', needs: /Kernel Version: / },
  // `uname -v`: `#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)`.
  { pattern: /^#\d+\S* (?:SMP|PREEMPT)\b.*?(?=[ \t]*$)/gm, replacement: '<kernel-build>', needs: /^#\d/m },
];

/** The `kernel` normalizer: the host kernel's release and build, as `uname` and `docker info` print them. */
export const replaceKernel: Transform = (text) => {
  let result = text;
  for (const { pattern, replacement, needs } of kernelPatterns) if (needs.test(result)) result = result.replace(pattern, replacement);
  return result;
};
