import type { InteractiveStep, SessionInputStep, Step } from '../types.js';
import { terminalUse } from './session.js';
import type { ShellCommand } from './shell-block.js';

// Prompts only a shell inside a container shows: the hostname Docker gives a container is the first 12
// hex digits of its ID, and busybox's ash shows its directory then `#`.
const containerPrompts = [
  /^[\w.-]+@[0-9a-f]{12}:\S*[$#]\s*$/, // root@04c0bb0a6c07:/#  (Debian, Ubuntu)
  /^\[[\w.-]+@[0-9a-f]{12}(?: [^\]]*)?\][$#]\s*$/, // [root@0ecccdfa45ef /]#  (Red Hat, Fedora)
  /^[~/]\S* #\s*$/, // / #  /app #  (busybox, Alpine)
];

/** A prompt a reader only sees inside a container: what is typed after it never runs on the host. */
export function isContainerPrompt(prompt: string): boolean {
  return containerPrompts.some((pattern) => pattern.test(prompt));
}

/** Where a command of a block is typed: the host's shell, the session the page has open, or nowhere the page says. */
export type Destination = 'host' | 'session' | 'no-session';

const ends = /^(exit|logout)(\s|$)/;

/**
 * The page's open session, as a reader follows it: a `docker run -it` (or `exec -it`, `attach`,
 * `start -ai`) that the page neither ends with `exit` nor leaves with keys stays open across prose
 * and later blocks, until one of them does, or the lesson ends. Host blocks in between leave it open.
 */
export class PageSessions {
  private open?: InteractiveStep;

  /** Where `command` is typed; `annotated` is the block's `session=` annotation. */
  destination(command: ShellCommand, annotated: boolean | undefined): Destination {
    if (annotated === false) return 'host';
    const inContainer = annotated === true || (command.prompt !== undefined && isContainerPrompt(command.prompt));
    if (!inContainer) return 'host';
    return this.open ? 'session' : 'no-session';
  }

  /** The interactive step lines at a container's prompt are typed into now. */
  get current(): InteractiveStep | undefined {
    return this.open;
  }

  /** A step planned on the host: a session it opens and does not end is now the page's open one. */
  ran(step: InteractiveStep | undefined, command: ShellCommand): void {
    if (step && command.terminal === 'session' && !command.closed && !step.keys?.length) this.open = step;
  }

  /** Lines typed into the open session: an `exit` or detach keys end it. */
  typed(step: SessionInputStep): void {
    if (step.keys?.length || ends.test(step.input.at(-1) ?? '')) this.open = undefined;
  }
}

/** Why a line at a container's prompt is not run when no session is open. */
export function noSessionReason(command: ShellCommand, annotated: boolean | undefined): string {
  const where = annotated ? 'annotated session' : `typed at a container's prompt (${command.prompt?.trim()})`;
  return `${where} with no session open: never run on the host; open the session on the page, or annotate session=false if it is the host's`;
}

/**
 * How long a session the page shows no way out of waits before it fails: nothing typed ends it, no
 * keys leave it and no later block goes on in it, so only its timeout ends it. Far shorter than a
 * lesson's default, which is meant for a slow build.
 */
export const noWayOutTimeoutMs = 20_000;

/** An interactive step whose session the page never leaves: no `exit` typed, no keys, no later block typing into it. */
export function hasNoWayOut(step: InteractiveStep, steps: readonly Step[]): boolean {
  return (
    terminalUse(step.command) === 'session' &&
    !step.keys?.length &&
    !ends.test(step.input.at(-1) ?? '') &&
    !steps.some((other) => other.kind === 'session-input' && other.session === step.id)
  );
}
