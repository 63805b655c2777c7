import { describe, expect, it } from 'vitest';
import { xmlProblem } from '../../core/xmp/xmlProblem.js';

const packet = (body: string): string =>
  `\uFEFF<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/'>
 <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
  <!-- a comment with < and & inside -->
  <rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/' dc:format="image/jpeg">
   ${body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>`;

describe('xmlProblem', () => {
  it('accepts well-formed XMP: references, CDATA, self-closing tags, processing instructions', () => {
    expect(
      xmlProblem(
        packet(`<dc:title>A &amp; B &lt;3 &#233; &#x1F600; &quot;q&quot; &apos;</dc:title>
   <dc:rights><![CDATA[ <raw> & stuff ]]></dc:rights>
   <dc:empty rdf:resource='x&amp;y'/>`),
      ),
    ).toBeNull();
  });

  it.each([
    ['a bare ampersand', packet('<dc:title>Bob & Co</dc:title>'), /unescaped '&'/],
    ['an unknown entity', packet('<dc:title>&nbsp;</dc:title>'), /unescaped '&'/],
    ['a stray <', packet('<dc:title>a < b</dc:title>'), /starts no tag/],
    ['a mismatched end tag', packet('<dc:title>x</dc:titl>'), /closes <dc:title>/],
    ['an unclosed element', packet('<dc:title>x'), /closes|never closed/],
    ['truncation', packet('<dc:title>x</dc:title>').slice(0, 200), /never closed|unterminated|malformed/],
    ['an unquoted attribute', packet('<dc:x a=1/>'), /unquoted/],
    ['a repeated attribute', packet("<dc:x a='1' a='2'/>"), /repeated/],
    ['< in an attribute', packet("<dc:x a='<'/>"), /inside attribute/],
    ['a bare & in an attribute', packet("<dc:x a='&'/>"), /unescaped '&'/],
    ['text outside the root', `${packet('')}junk`, /outside the root/],
    ['two roots', '<a/><b/>', /more than one root/],
    ['a DOCTYPE', '<!DOCTYPE a><a/>', /DOCTYPE/],
    ['nothing', '', /no element/],
    ['plain text', 'hello', /outside the root/],
  ])('rejects %s', (_label, xml, reason) => {
    expect(xmlProblem(xml)).toMatch(reason);
  });
});
