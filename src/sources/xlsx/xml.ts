/**
 * A small streaming XML tokenizer for the parts of an .xlsx (SpreadsheetML is plain XML: elements,
 * attributes, text, the five predefined entities and character references, CDATA, comments, processing
 * instructions). Measured against saxes on the same 200k-row sheet it is as fast within the noise of a
 * shared machine and uses less memory (docs/research/xlsx-readers.md); it is kept because it adds no
 * dependency and reads only what SpreadsheetML needs.
 *
 * Element names are given without their namespace prefix (`x:row` → `row`: some writers prefix the main
 * namespace). A DOCTYPE is refused (SpreadsheetML never has one; refusing it rules out entity expansion
 * attacks), as are undefined entities and a document cut in the middle of a tag. Errors are `XmlError`.
 */
export class XmlError extends Error {}

export interface XmlHandler {
  /** `attrs` is the raw attribute text; read it with `attributes()`. */
  open(name: string, attrs: string, selfClosing: boolean): void;
  close(name: string): void;
  /** Text content, entities decoded; one text node may arrive in several calls. */
  text(text: string): void;
}

/** Longest stretch the tokenizer buffers while waiting for the end of one token. */
const MAX_PENDING = 64 * 1024 * 1024;

export class XmlTokenizer {
  private buf = '';

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: string): void {
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    this.drain();
    if (this.buf.length > MAX_PENDING) throw new XmlError('a token is longer than 64 MiB');
  }

  /** The document ended: anything left but whitespace is a truncated token. */
  end(): void {
    this.drain();
    const rest = this.buf;
    this.buf = '';
    if (rest.includes('<')) throw new XmlError('the document ends in the middle of a tag');
    if (rest.trim() !== '') this.handler.text(decodeText(rest));
  }

  private drain(): void {
    const buf = this.buf;
    const h = this.handler;
    const length = buf.length;
    let pos = 0;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt < 0) {
        // Keep the text: the rest of it (or the end of an entity) may come with the next chunk.
        break;
      }
      if (lt > pos) h.text(decodeText(buf.slice(pos, lt)));
      pos = lt;
      if (lt + 1 >= length) break;
      const c = buf.charCodeAt(lt + 1);
      if (c === 47 /* / */) {
        const gt = buf.indexOf('>', lt + 2);
        if (gt < 0) break;
        h.close(localName(buf.slice(lt + 2, gt).trim()));
        pos = gt + 1;
      } else if (c === 63 /* ? */) {
        const end = buf.indexOf('?>', lt + 2);
        if (end < 0) break;
        pos = end + 2;
      } else if (c === 33 /* ! */) {
        if (buf.startsWith('<!--', lt)) {
          const end = buf.indexOf('-->', lt + 4);
          if (end < 0) break;
          pos = end + 3;
        } else if (buf.startsWith('<![CDATA[', lt)) {
          const end = buf.indexOf(']]>', lt + 9);
          if (end < 0) break;
          h.text(buf.slice(lt + 9, end));
          pos = end + 3;
        } else if (length - lt < 9) {
          break; // not enough to tell
        } else {
          throw new XmlError(buf.startsWith('<!DOCTYPE', lt) ? 'a DOCTYPE is not allowed in a workbook part' : 'unexpected markup "<!"');
        }
      } else {
        // An open tag: find its `>` outside quoted attribute values.
        let i = lt + 1;
        let quote = 0;
        for (; i < length; i++) {
          const d = buf.charCodeAt(i);
          if (quote !== 0) {
            if (d === quote) quote = 0;
          } else if (d === 62 /* > */) break;
          else if (d === 34 || d === 39) quote = d;
          else if (d === 60 /* < */) throw new XmlError('"<" inside a tag');
        }
        if (i >= length) break;
        const selfClosing = buf.charCodeAt(i - 1) === 47;
        const innerEnd = selfClosing ? i - 1 : i;
        let n = lt + 1;
        while (n < innerEnd) {
          const d = buf.charCodeAt(n);
          if (d === 32 || d === 9 || d === 10 || d === 13) break;
          n++;
        }
        if (n === lt + 1) throw new XmlError('a tag without a name');
        h.open(localName(buf.slice(lt + 1, n)), n === innerEnd ? '' : buf.slice(n, innerEnd), selfClosing);
        pos = i + 1;
      }
    }
    this.buf = pos === 0 ? buf : buf.slice(pos);
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with entities and character references decoded; an undefined or broken entity is an `XmlError`. */
export function decodeText(raw: string): string {
  // XML end-of-line handling: CR LF and a lone CR read as LF (Excel writes a real CR as `_x000D_`).
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_, body: string | undefined) => {
    if (body === undefined) throw new XmlError(`an "&" that starts no entity: ${JSON.stringify(text.slice(0, 60))}`);
    const named = NAMED[body];
    if (named !== undefined) return named;
    const code = body.charCodeAt(1) === 120 ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`character reference &${body}; is not a character`);
    return String.fromCodePoint(code);
  });
}

/**
 * The attributes of a tag, by name as written (`r`, `t`, `r:id`), values decoded. Malformed attribute text
 * is an `XmlError`.
 */
export function attributes(attrs: string): Record<string, string> {
  const out: Record<string, string> = {};
  const length = attrs.length;
  let i = 0;
  for (;;) {
    while (i < length && isSpace(attrs.charCodeAt(i))) i++;
    if (i >= length) return out;
    const eq = attrs.indexOf('=', i);
    if (eq < 0) throw new XmlError(`malformed attributes: ${JSON.stringify(attrs.slice(0, 60))}`);
    const name = attrs.slice(i, eq).trim();
    let j = eq + 1;
    while (j < length && isSpace(attrs.charCodeAt(j))) j++;
    const q = attrs.charCodeAt(j);
    if (q !== 34 && q !== 39) throw new XmlError(`malformed attributes: ${JSON.stringify(attrs.slice(0, 60))}`);
    const close = attrs.indexOf(q === 34 ? '"' : "'", j + 1);
    if (close < 0) throw new XmlError(`malformed attributes: ${JSON.stringify(attrs.slice(0, 60))}`);
    if (name !== '__proto__') out[name] = decodeText(attrs.slice(j + 1, close));
    i = close + 1;
  }
}

/**
 * One attribute's value, without building the whole set (the hot path: `r`, `s`, `t` of every cell).
 * Falls back to `attributes()` for attribute text with spaces around `=`.
 */
export function attribute(attrs: string, name: string): string | undefined {
  const length = name.length;
  let i = attrs.indexOf(name);
  while (i >= 0) {
    const end = i + length;
    if (i > 0 && isSpace(attrs.charCodeAt(i - 1)) && attrs.charCodeAt(end) === 61 /* = */) {
      const q = attrs.charCodeAt(end + 1);
      if (q !== 34 && q !== 39) return attributes(attrs)[name];
      const close = attrs.indexOf(q === 34 ? '"' : "'", end + 2);
      if (close < 0) throw new XmlError(`malformed attributes: ${JSON.stringify(attrs.slice(0, 60))}`);
      const value = attrs.slice(end + 2, close);
      return value.includes('&') ? decodeText(value) : value;
    }
    i = attrs.indexOf(name, i + 1);
  }
  return attrs.includes(' =') || attrs.includes('= ') ? attributes(attrs)[name] : undefined;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
