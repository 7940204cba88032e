// The lexer: tokens with exact 0-based columns, comments, strings and the arrows.
import { describe, expect, it } from 'vitest';
import { lexLine } from '../../server/src/topology/lex';

const brief = (text: string) => lexLine(text, 3).tokens.map((t) => [t.kind, t.text, t.start, t.end]);

describe('lexLine', () => {
  it('splits words on spaces and tabs and keeps exact columns', () => {
    expect(brief('nic  eth0\t10.0.0.1/24')).toEqual([
      ['word', 'nic', 0, 3], ['word', 'eth0', 5, 9], ['word', '10.0.0.1/24', 10, 21],
    ]);
    expect(lexLine('nic eth0', 3).tokens.every((t) => t.line === 3)).toBe(true);
  });

  it('ends the line at # outside a string; a comment-only or blank line has no tokens', () => {
    expect(brief('netns a # forwarding')).toEqual([['word', 'netns', 0, 5], ['word', 'a', 6, 7]]);
    expect(brief('netns a#b')).toEqual([['word', 'netns', 0, 5], ['word', 'a', 6, 7]]);
    expect(brief('   # only a comment')).toEqual([]);
    expect(brief('')).toEqual([]);
    expect(brief(' \t \r')).toEqual([]);
  });

  it('reads "..." as one string token without the quotes, # inside it included', () => {
    expect(brief('file "dir with space/a#b.c" x')).toEqual([
      ['word', 'file', 0, 4], ['string', 'dir with space/a#b.c', 5, 27], ['word', 'x', 28, 29],
    ]);
    expect(brief('file"x.c"')).toEqual([['word', 'file', 0, 4], ['string', 'x.c', 4, 9]]);
  });

  it('reports an unterminated string from its quote to the end of the line', () => {
    const r = lexLine('attach xdp eth0 prog p file "x.c', 0);
    expect(r.unterminated).toMatchObject({ kind: 'string', text: 'x.c', start: 28, end: 32 });
  });

  it('splits -> and => out of words, and reads a lone -- as a pair separator', () => {
    expect(brief('path a->b')).toEqual([['word', 'path', 0, 4], ['word', 'a', 5, 6], ['arrow', '->', 6, 8], ['word', 'b', 8, 9]]);
    expect(brief('map m 1=>2')).toEqual([['word', 'map', 0, 3], ['word', 'm', 4, 5], ['word', '1', 6, 7], ['fat-arrow', '=>', 7, 9], ['word', '2', 9, 10]]);
    expect(brief('veth a -- b')).toEqual([['word', 'veth', 0, 4], ['word', 'a', 5, 6], ['pair', '--', 7, 9], ['word', 'b', 10, 11]]);
    // `--` inside a word is part of a NAME.
    expect(brief('a--b')).toEqual([['word', 'a--b', 0, 4]]);
  });

  it('ignores a trailing carriage return (CRLF files)', () => {
    expect(brief('netns a\r')).toEqual([['word', 'netns', 0, 5], ['word', 'a', 6, 7]]);
  });
});
