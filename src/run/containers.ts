import { engineRequest } from './engine-api.js';

/** The shape of the names the engine makes up (`hungry_hopper`, `hungry_hopper3` on a retry). */
const generated = /^[a-z]+_[a-z]+\d?$/;

/**
 * Generated names of the engine's containers, asked over its socket: they are volatile and become
 * placeholders, while a name the lesson chose (`--name registre`) is part of what it teaches.
 * Far cheaper than starting the docker CLI.
 */
export async function generatedContainerNames(dockerHost: string): Promise<string[]> {
  try {
    const { body } = await engineRequest(dockerHost.replace(/^unix:\/\//, ''), 'GET', '/containers/json?all=1');
    const list = JSON.parse(body) as { Names?: string[] }[];
    return list.flatMap((c) => c.Names ?? []).map((name) => name.replace(/^\//, '')).filter((name) => generated.test(name));
  } catch {
    return [];
  }
}
