// A strict parser for the XML that depotsim writes (for tests): an optional declaration,
// then one element tree of elements, attributes, text, the five predefined entities and
// character references. Anything else, and every well-formedness error of that subset
// (unquoted or duplicate attributes, mismatched or unclosed tags, a bare `&` or `<`, text
// outside the root), throws. No DTD, comments, CDATA or processing instructions.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, references resolved. */
  readonly text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`XML: ${what} at offset ${at}: ${JSON.stringify(source.slice(at, at + 30))}`);
  };
  const skipSpace = (): void => {
    while (/[ \t\r\n]/.test(source[at] ?? '')) at++;
  };
  const name = (): string => {
    const m = NAME.exec(source.slice(at));
    if (m === null) return fail('expected a name');
    at += m[0].length;
    return m[0];
  };
  const chars = (raw: string): string => {
    if (/[<]|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(raw)) fail('bare & or <');
    return raw.replace(/&(#x[\da-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
      ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (ENTITIES[ref] as string),
    );
  };
  const element = (): XmlElement => {
    if (source[at] !== '<') fail('expected <');
    at++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = at;
      skipSpace();
      if (source.startsWith('/>', at)) {
        at += 2;
        return { name: tag, attributes, children: [], text: '' };
      }
      if (source[at] === '>') {
        at++;
        break;
      }
      if (at === before) fail('expected space before an attribute');
      const key = name();
      if (key in attributes) fail(`duplicate attribute ${key}`);
      if (source[at] !== '=' || source[at + 1] !== '"') fail('expected ="');
      const end = source.indexOf('"', at + 2);
      if (end < 0) fail('unterminated attribute');
      attributes[key] = chars(source.slice(at + 2, end));
      at = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail(`unclosed <${tag}>`);
      text += chars(source.slice(at, next));
      at = next;
      if (source.startsWith('</', at)) {
        at += 2;
        if (name() !== tag) fail(`expected </${tag}>`);
        skipSpace();
        if (source[at] !== '>') fail('expected >');
        at++;
        return { name: tag, attributes, children, text };
      }
      if (/[!?]/.test(source[at + 1] ?? '')) fail('unsupported markup');
      children.push(element());
    }
  };
  const declaration = /^<\?xml version="1\.0"( encoding="UTF-8")?\?>/.exec(source);
  if (declaration !== null) at = declaration[0].length;
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}
