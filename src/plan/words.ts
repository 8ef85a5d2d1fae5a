/** Splits a command line into words as a shell would for plain quoting; enough to read a command's flags. */
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
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** First words that read as a command: a program name, a path to one, or a variable assignment. */
export function looksLikeCommand(line: string): boolean {
  const first = line.trim().split(/\s+/)[0] ?? '';
  return /^(\.{0,2}\/)?[a-z_][\w.+-]*(\/[\w.+-]+)*$/.test(first) || /^[A-Za-z_]\w*=/.test(first) || /^[({!]$/.test(first);
}
