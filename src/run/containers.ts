import { request } from 'node:http';

/** The shape of the names the engine makes up (`hungry_hopper`, `hungry_hopper3` on a retry). */
const generated = /^[a-z]+_[a-z]+\d?$/;

/**
 * Generated names of the engine's containers, asked over its socket: they are volatile and become
 * placeholders, while a name the lesson chose (`--name registre`) is part of what it teaches.
 * Far cheaper than starting the docker CLI.
 */
export function generatedContainerNames(dockerHost: string): Promise<string[]> {
  const socketPath = dockerHost.replace(/^unix:\/\//, '');
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/containers/json?all=1', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const list = JSON.parse(body) as { Names?: string[] }[];
          resolve(list.flatMap((c) => c.Names ?? []).map((name) => name.replace(/^\//, '')).filter((name) => generated.test(name)));
        } catch {
          resolve([]);
        }
      });
    });
    req.on('error', () => resolve([]));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
