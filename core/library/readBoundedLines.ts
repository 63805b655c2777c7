import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a byte stream (LF or CRLF), each cut to at most `maxChars + 1` characters: a line
 * longer than `maxChars` comes out as that prefix (so the reader can refuse it by its length, with
 * its line number) and the rest of it is dropped as it streams by. Memory stays bounded whatever the
 * input, where readline would first gather a 2 GB line into one string.
 */
export async function* readBoundedLines(
  input: AsyncIterable<Buffer | string>,
  maxChars: number,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let line = '';
  let overlong = false;
  const add = (piece: string): void => {
    if (overlong) return;
    line += piece;
    if (line.length > maxChars) {
      line = line.slice(0, maxChars + 1);
      overlong = true;
    }
  };
  const done = (): string => {
    const out = !overlong && line.endsWith('\r') ? line.slice(0, -1) : line;
    line = '';
    overlong = false;
    return out;
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      add(text.slice(start, nl));
      yield done();
      start = nl + 1;
    }
    add(text.slice(start));
  }
  add(decoder.end());
  if (line !== '' || overlong) yield done();
}
