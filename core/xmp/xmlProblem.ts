/**
 * A strict XML well-formedness check for sidecars. exiftool's XMP reader is lenient: it reads a
 * bare `&` or `<` inside a value and would silently "repair" the file on the next write, while
 * stricter readers (Exiv2 in digiKam, Adobe's XMP toolkit) reject it. A sidecar we cannot parse the
 * way they do is reported and left alone instead. Covers what XMP uses: elements, attributes,
 * character and entity references, comments, processing instructions, CDATA; no DTDs.
 */

const NAME = /^[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]*/;
const REFERENCE = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

/** Checks `&` in character data or an attribute value; returns the first problem or null. */
const badAmpersand = (text: string, offset: number): string | null => {
  let at = text.indexOf('&');
  while (at !== -1) {
    if (!REFERENCE.test(text.slice(at, at + 12))) return `unescaped '&' at character ${offset + at}`;
    at = text.indexOf('&', at + 1);
  }
  return null;
};

/**
 * Deeper than any XMP a photo program writes (face regions are about 12 levels) and shallow enough
 * that a hostile file is refused here, before ExifTool spends minutes on it.
 */
export const MAX_XML_DEPTH = 100;

/** Null when `xml` is well-formed; otherwise a short reason. */
export const xmlProblem = (xml: string): string | null => {
  const stack: string[] = [];
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  let roots = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    const amp = badAmpersand(text, i);
    if (amp) return amp;
    if (stack.length === 0 && text.trim() !== '') return `text outside the root element at character ${i}`;
    if (lt === -1) break;
    const rest = xml.slice(lt, lt + 9);
    if (rest.startsWith('<!--')) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) return 'unterminated comment';
      i = end + 3;
    } else if (rest.startsWith('<![CDATA[')) {
      if (stack.length === 0) return 'CDATA outside the root element';
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) return 'unterminated CDATA section';
      i = end + 3;
    } else if (rest.startsWith('<?')) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) return 'unterminated processing instruction';
      i = end + 2;
    } else if (rest.startsWith('<!')) {
      return 'DOCTYPE or declaration not allowed in XMP';
    } else if (rest.startsWith('</')) {
      const name = NAME.exec(xml.slice(lt + 2))?.[0];
      const end = xml.indexOf('>', lt);
      if (!name || end === -1 || xml.slice(lt + 2 + name.length, end).trim() !== '') {
        return `malformed end tag at character ${lt}`;
      }
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}> at character ${lt}`;
      i = end + 1;
    } else {
      const name = NAME.exec(xml.slice(lt + 1))?.[0];
      if (!name) return `'<' that starts no tag at character ${lt}`;
      let j = lt + 1 + name.length;
      const seen = new Set<string>();
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(j))![0].length;
        j += ws;
        if (xml.startsWith('/>', j) || xml[j] === '>') break;
        if (ws === 0) return `malformed tag <${name}> at character ${lt}`;
        const attr = NAME.exec(xml.slice(j))?.[0];
        if (!attr) return `malformed attribute in <${name}> at character ${j}`;
        if (seen.has(attr)) return `attribute ${attr} repeated in <${name}>`;
        seen.add(attr);
        j += attr.length;
        const eq = /^\s*=\s*/.exec(xml.slice(j))?.[0];
        if (!eq) return `attribute ${attr} without a value in <${name}>`;
        j += eq.length;
        const quote = xml[j];
        if (quote !== '"' && quote !== "'") return `unquoted attribute ${attr} in <${name}>`;
        const close = xml.indexOf(quote, j + 1);
        if (close === -1) return `unterminated attribute ${attr} in <${name}>`;
        const value = xml.slice(j + 1, close);
        if (value.includes('<')) return `'<' inside attribute ${attr} of <${name}>`;
        const bad = badAmpersand(value, j + 1);
        if (bad) return bad;
        j = close + 1;
      }
      if (xml.startsWith('/>', j)) {
        if (stack.length === 0) roots++;
        i = j + 2;
      } else {
        if (stack.length === 0) roots++;
        stack.push(name);
        if (stack.length > MAX_XML_DEPTH) return `elements nested deeper than ${MAX_XML_DEPTH} levels`;
        i = j + 1;
      }
      if (roots > 1) return 'more than one root element';
    }
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed`;
  if (roots === 0) return 'no element';
  return null;
};
