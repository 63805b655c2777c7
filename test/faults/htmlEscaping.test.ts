import { describe, expect, it } from 'vitest';
import { HOSTILE, HOSTILE_ESCAPED, hostileRenders } from '../helpers/hostileRenders.js';

/** The HTML-significant pieces of HOSTILE, any of which unescaped would change the markup. */
const RAW_PIECES = ['<script>', 'alert("x")', "O'Brien", '& co'];

describe('HTML pages and reports escape library and file-system text', () => {
  const pages = Object.entries(hostileRenders());

  it.each(pages)('%s shows every hostile value escaped, never raw', (_name, html) => {
    expect(html).toContain(HOSTILE_ESCAPED);
    expect(html).not.toContain(HOSTILE);
    for (const piece of RAW_PIECES) expect(html).not.toContain(piece);
    // Escaped once: an escape of an escape would show "&amp;lt;" on the page.
    expect(html).not.toContain('&amp;lt;');
    expect(html).not.toContain('&amp;amp;');
    expect(html).not.toContain('&amp;quot;');
    expect(html).not.toContain('&amp;#39;');
  });
});
