import { request } from 'node:http';

export interface EngineReply {
  status: number;
  body: string;
}

/**
 * One request to a Docker engine's API over its unix socket. Rejects when the engine does not answer
 * within `timeout` ms, and when its reply is cut off part-way (the engine died mid-answer), which
 * would otherwise leave the caller waiting forever.
 */
export function engineRequest(socketPath: string, method: string, path: string, timeout = 5000): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, body }));
      res.on('error', reject);
      // After a complete reply 'end' came first and this is a no-op.
      res.on('close', () => reject(new Error(`${method} ${path}: the reply was cut off`)));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end();
  });
}
