import type { EntityDecoderOptions } from 'fast-xml-parser';

/**
 * The entity decoder the XML parser is given in place of its own: it knows the five entities
 * XML predefines (XML 1.0 §4.6) and character references (§4.1), nothing else.
 *
 * A DOCTYPE's entities are never added: the parser hands them over through `addInputEntities`,
 * and this decoder only notes that a DOCTYPE was there so the whole document can be refused. No
 * vendor sends a DOCTYPE in an API response, so one is a sign of a hostile or foreign body
 * (billion laughs, external entities); an unknown `&name;` in text is refused the same way.
 */
export interface SafeEntityDecoder extends EntityDecoderOptions {
  /** True once the current document had a DOCTYPE, an unknown entity or a bad reference. */
  readonly rejected: boolean;
}

const PREDEFINED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** The longest reference worth reading: `&#x10FFFF;` and `&quot;` both fit. */
const MAX_REFERENCE_LENGTH = 10;

/** XML 1.0 §2.2 `Char`: what a character reference may produce. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function isDigits(text: string, hex: boolean): boolean {
  if (text === '') return false;
  for (const char of text) {
    const isDecimal = char >= '0' && char <= '9';
    const isHexLetter = (char >= 'a' && char <= 'f') || (char >= 'A' && char <= 'F');
    if (!isDecimal && !(hex && isHexLetter)) return false;
  }
  return true;
}

/** The text a reference name (between `&` and `;`) stands for, or `undefined` if unknown. */
function resolve(name: string): string | undefined {
  const predefined = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
  if (predefined !== undefined) return predefined;
  if (!name.startsWith('#')) return undefined;
  const hex = name[1] === 'x';
  const digits = name.slice(hex ? 2 : 1);
  if (!isDigits(digits, hex)) return undefined;
  const code = Number.parseInt(digits, hex ? 16 : 10);
  // One reference yields one character: it cannot expand into markup or more references.
  return isXmlChar(code) ? String.fromCodePoint(code) : undefined;
}

/** Creates a decoder for one parser; its state is reset by the parser before every document. */
export function createSafeEntityDecoder(): SafeEntityDecoder {
  let rejected = false;
  return {
    get rejected(): boolean {
      return rejected;
    },
    reset(): void {
      rejected = false;
    },
    addInputEntities(): void {
      // Called once per DOCTYPE, with whatever it declared: never used, the document is refused.
      rejected = true;
    },
    setExternalEntities(): void {
      // Entities added with `parser.addEntity()`; this package never adds any.
    },
    setXmlVersion(): void {
      // Character references are checked against XML 1.0 `Char` whatever the version says.
    },
    decode(text: string): string {
      let at = text.indexOf('&');
      if (at === -1) return text;
      let out = '';
      let from = 0;
      while (at !== -1) {
        const end = text.indexOf(';', at + 1);
        const value =
          end === -1 || end - at > MAX_REFERENCE_LENGTH
            ? undefined
            : resolve(text.slice(at + 1, end));
        if (value === undefined) {
          rejected = true;
          return text;
        }
        out += text.slice(from, at) + value;
        from = end + 1;
        at = text.indexOf('&', from);
      }
      return out + text.slice(from);
    },
  };
}
