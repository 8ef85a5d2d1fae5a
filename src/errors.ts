// Errors the CLI maps to exit codes (main.ts recognises them with instanceof): bad input is status 2,
// with the file and line it is about.

/** A problem in a user's input, reported as `file:line: message` with exit code 2. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }

  get location(): string {
    if (!this.file) return '';
    return this.line ? `${this.file}:${this.line}` : this.file;
  }

  /** `file:line: message`, or the message alone when no file is known. */
  describe(): string {
    return this.location ? `${this.location}: ${this.message}` : this.message;
  }
}

/** No private Docker engine can start on this machine (not root, no dockerd...): a lesson needing one is skipped or refused. */
export class EngineUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailable';
  }
}
