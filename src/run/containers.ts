import { request } from 'node:http';

/**
 * Names of every container of the engine, asked over its socket: generated names
 * (`hungry_hopper`) are volatile and become placeholders. Far cheaper than starting the docker CLI.
 */
export function containerNames(dockerHost: string): Promise<string[]> {
  const socketPath = dockerHost.replace(/^unix:\/\//, '');
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/containers/json?all=1', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const list = JSON.parse(body) as { Names?: string[] }[];
          resolve(list.flatMap((c) => c.Names ?? []).map((name) => name.replace(/^\//, '')));
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
