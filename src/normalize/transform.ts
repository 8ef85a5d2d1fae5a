/** One normalizing step: text in, text out, no I/O. */
export type Transform = (text: string) => string;

export const unchanged: Transform = (text) => text;
