import type { Command } from 'commander';

/** `lesson clean`: what lessons killed outright left on the user's own engine, removed. */
export function defineClean(command: Command): void {
  command
    .description("remove what lessons interrupted by a kill left on your own engine (the one DOCKER_HOST or the current context names); lessons on private engines leave nothing")
    .action(async () => {
      const [{ hostEngine }, { cleanHostEngine }] = await Promise.all([import('../../run/engine.js'), import('../../run/host-lease.js')]);
      await cleanHostEngine({ ...process.env, ...hostEngine().env }, (text) => process.stdout.write(`${text}\n`));
    });
}
