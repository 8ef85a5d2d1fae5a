// A strict reader for the XML our JUnit report writes, so the test fails on anything a CI system's
// parser would reject: unbalanced tags, bare `<` or `&`, unknown entities, characters XML 1.0 forbids.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const forbidden = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function decode(raw: string, at: number): string {
  if (/<|&(?!(#\d+|#x[0-9a-f]+|[a-z]+);)/i.test(raw)) throw new Error(`bare < or & near offset ${at}: ${raw.slice(0, 40)}`);
  return raw.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (_, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = entities[name];
    if (value === undefined) throw new Error(`unknown entity &${name}; near offset ${at}`);
    return value;
  });
}

export function parseXml(source: string): XmlElement {
  const bad = forbidden.exec(source);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML 1.0 (offset ${bad.index})`);
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const open: XmlElement[] = [root];
  for (const match of source.matchAll(token)) {
    const [whole, close, name, attrs, selfClosing, text, stray] = match;
    const current = open[open.length - 1]!;
    if (stray) throw new Error(`malformed tag at offset ${match.index}: ${source.slice(match.index, match.index + 40)}`);
    if (whole.startsWith('<?') || whole.startsWith('<!--')) continue;
    if (text !== undefined) {
      if (open.length === 1 && text.trim()) throw new Error(`text outside the root element at offset ${match.index}`);
      current.text += decode(text, match.index);
    } else if (close) {
      if (current.name !== close) throw new Error(`</${close}> closes <${current.name}> at offset ${match.index}`);
      open.pop();
    } else if (name) {
      if (open.length === 1 && root.children.length > 0) throw new Error('more than one root element');
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (const attribute of (attrs ?? '').matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const [, key = '', double, single] = attribute;
        const value = double ?? single ?? '';
        if (key in element.attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
        element.attributes[key] = decode(value, match.index);
      }
      current.children.push(element);
      if (!selfClosing) open.push(element);
    }
  }
  if (open.length !== 1) throw new Error(`<${open[open.length - 1]!.name}> is never closed`);
  const [document] = root.children;
  if (!document) throw new Error('no root element');
  return document;
}

/** Every element under `element` (itself included) with this name, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((child) => findAll(child, name))];
}
