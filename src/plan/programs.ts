// The programs a Docker tutorial types most. A first word that is one of these reads as a command
// even where the page's context says output (after output lines, after `# `); any other word is
// still a command when nothing says output. Kept short on purpose: the list only breaks ties, and a
// word added here can never again be read as output, so `hello` or `bin` must stay out of it.
const programs = new Set([
  // containers and their tooling
  'docker', 'docker-compose', 'podman', 'kubectl', 'minikube', 'kind', 'helm',
  // shell built-ins and the files a lesson handles
  'sh', 'bash', 'cd', 'export', 'source', 'exit', 'echo', 'printf', 'ls', 'cat', 'mkdir', 'rm', 'cp', 'mv', 'touch', 'chmod', 'chown', 'ln',
  'pwd', 'tee', 'grep', 'sed', 'head', 'tail', 'find', 'tar', 'jq', 'which', 'env', 'sleep', 'ps', 'kill',
  // fetching and building
  'git', 'curl', 'wget', 'make', 'gcc', 'cc', 'go', 'npm', 'npx', 'yarn', 'node', 'python', 'python3', 'pip', 'pip3',
  // the system
  'sudo', 'su', 'apt', 'apt-get', 'apk', 'yum', 'dnf', 'brew', 'systemctl', 'service', 'ping', 'ssh', 'id', 'whoami', 'uname', 'hostname',
]);

/** The program a command line starts with, after `sudo` and variable assignments. */
export function programOf(line: string): string {
  return /^\s*(?:(?:sudo|[A-Za-z_]\w*=\S*)\s+)*(\S*)/.exec(line)![1]!;
}

export function isKnownProgram(word: string): boolean {
  return programs.has(word.replace(/^.*\//, ''));
}
