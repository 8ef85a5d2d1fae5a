/**
 * Splits a command line into words as a shell would for plain quoting; enough to read a command's
 * flags. A `#` starting a word ends the line: it is a comment.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (isSpace(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (char === '#' && !inWord) {
      while (i + 1 < command.length && command[i + 1] !== '\n') i++;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `/\s/` for one character, without running a regex on every character of a page's commands. */
function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || (char > '~' || char < ' ' ? /\s/.test(char) : false);
}

interface Scan {
  /** Index of a trailing comment's `#`, or -1. */
  comment: number;
  /** The quote still open at the end of the text, if any: the command goes on on the next line. */
  openQuote?: string;
}

function scan(text: string): Scan {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"') i++;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '\\') {
      i++;
    } else if (char === '#' && (i === 0 || isSpace(text[i - 1]!))) {
      return { comment: i };
    }
  }
  return { comment: -1, openQuote: quote };
}

/** `docker run -d nginx   # the server` → `docker run -d nginx`. */
export function withoutComment(line: string): string {
  const { comment } = scan(line);
  return comment < 0 ? line : line.slice(0, comment).trimEnd();
}

/** Whether the command so far leaves a quote open, so that its next line is still the same command. */
export function endsInsideQuote(command: string): boolean {
  return scan(command).openQuote !== undefined;
}

export interface Heredoc {
  /** The line that ends the document. */
  delimiter: string;
  /** `<<-`: leading tabs of the body and the delimiter line are ignored. */
  stripTabs: boolean;
}

/** Here-documents a command line opens (`cat > Dockerfile <<EOF`), in order. */
export function heredocs(line: string): Heredoc[] {
  const code = withoutComment(line);
  const found: Heredoc[] = [];
  for (const match of code.matchAll(/(?<![<\w])<<(-?)[ \t]*(['"]?)([\w.-]+)\2/g)) {
    const before = code.slice(0, match.index);
    if (scan(before).openQuote === undefined) found.push({ delimiter: match[3]!, stripTabs: match[1] === '-' });
  }
  return found;
}

/** The command's lines without the bodies of its here-documents: what is typed, not the text written. */
export function withoutHeredocBodies(command: string): string {
  const kept: string[] = [];
  const open: string[] = [];
  for (const line of command.split('\n')) {
    if (open.length > 0) {
      if (line.replace(/^\t+/, '') === open[0]) open.shift();
      continue;
    }
    kept.push(line);
    open.push(...heredocs(line).map((heredoc) => heredoc.delimiter));
  }
  return kept.join('\n');
}

/** First words that read as a command: a program name, a path to one, or a variable assignment. */
export function looksLikeCommand(line: string): boolean {
  const first = /^\s*(\S*)/.exec(line)![1]!;
  return /^(\.{0,2}\/)?[a-z_][\w.+-]*(\/[\w.+-]+)*$/.test(first) || /^[A-Za-z_]\w*=/.test(first) || /^[({!]$/.test(first);
}
