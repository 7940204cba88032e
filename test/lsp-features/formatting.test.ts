// The canonical topology layout (core) and the whole-document edit (LSP).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatting } from '../../server/src/lsp/formatting';
import { formatTopology } from '../../server/src/topology/format';
import { lexLine } from '../../server/src/topology/lex';
import { parseTopology } from '../../server/src/topology/parse';
import { CASES, ctxFor, EXAMPLES, workspace } from './helpers';

/** Tokens of every line, without positions: what the parser sees. */
const meaning = (text: string) => text.split('\n').map((l) => lexLine(l, 0).tokens.map((t) => `${t.kind}:${t.text}`)).filter((t) => t.length);

describe('formatTopology', () => {
  it('one space between tokens, comments kept, no trailing spaces, one blank line, final newline', () => {
    const input = [
      '',
      '# a lab   ',
      'netns   pod1\tforwarding   ',
      '  veth eth0@pod1   10.0.0.1/24 --   veth1   # the pair  ',
      '',
      '',
      '',
      'attach tc-ingress veth1 prog p   file   "dir with  spaces/x.bpf.c"',
      'path pod1->host   tcp 80',
      '   # indented comment',
      '',
    ].join('\n');
    expect(formatTopology(input)).toBe([
      '# a lab',
      'netns pod1 forwarding',
      'veth eth0@pod1 10.0.0.1/24 -- veth1 # the pair',
      '',
      'attach tc-ingress veth1 prog p file "dir with  spaces/x.bpf.c"',
      'path pod1 -> host tcp 80',
      '# indented comment',
      '',
    ].join('\n'));
  });

  it('strings and comments are kept verbatim, # inside a string is not a comment', () => {
    const input = 'attach xdp eth0 prog p file "a#b  c.c"   #  two  spaces kept\n';
    expect(formatTopology(input)).toBe('attach xdp eth0 prog p file "a#b  c.c" #  two  spaces kept\n');
  });

  it('keeps CRLF files CRLF, adds the final newline, leaves an empty file empty', () => {
    expect(formatTopology('netns a\r\n\r\n\r\nnetns  b')).toBe('netns a\r\n\r\nnetns b\r\n');
    expect(formatTopology('')).toBe('');
    expect(formatTopology('\n\n  \n')).toBe('');
  });

  it('an unterminated string line is left alone (but trimmed)', () => {
    expect(formatTopology('attach xdp eth0 prog p file "x  \nnetns  a\n')).toBe('attach xdp eth0 prog p file "x\nnetns a\n');
  });

  it('vertical tab and form feed are white space (the lexer used to hang on them)', () => {
    expect(formatTopology('netns\va\fforwarding\n')).toBe('netns a forwarding\n');
  });

  it('never changes meaning, and is idempotent, on every acceptance case and example', () => {
    const files = [
      ...fs.readdirSync(CASES).filter((f) => f.endsWith('.topo')).map((f) => path.join(CASES, f)),
      ...fs.readdirSync(EXAMPLES).map((d) => path.join(EXAMPLES, d)).filter((d) => fs.statSync(d).isDirectory())
        .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.topo')).map((f) => path.join(d, f))),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const once = formatTopology(text);
      expect(meaning(once), f).toEqual(meaning(text));
      expect(formatTopology(once), f).toBe(once);
      const a = parseTopology(text, f);
      const b = parseTopology(once, f);
      expect(b.diagnostics.map((d) => d.code)).toEqual(a.diagnostics.map((d) => d.code));
      expect([...b.topology.devices.keys()]).toEqual([...a.topology.devices.keys()]);
      expect(b.topology.paths.map((p) => `${p.from.text}>${p.to.text}`)).toEqual(a.topology.paths.map((p) => `${p.from.text}>${p.to.text}`));
    }
  });
});

describe('formatting (LSP)', () => {
  it('one whole-document edit when the layout changes', async () => {
    const ws = await workspace();
    const file = path.join(CASES, 'virtual-format.topo');
    const ctx = ctxFor(ws, file, 'netns  a\n\n\n\nnetns b   ');
    expect(formatting(ctx)).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 4, character: 10 } }, newText: 'netns a\n\nnetns b\n' }]);
  });

  it('no edit when already formatted, and none for C files', async () => {
    const ws = await workspace();
    expect(formatting(ctxFor(ws, path.join(CASES, 'virtual-format2.topo'), 'netns a\n'))).toEqual([]);
    expect(formatting(ctxFor(ws, path.join(CASES, 'lxc.bpf.c')))).toEqual([]);
  });
});
