// Loading the wasm grammar and incremental re-parsing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCParser, diffEdit, editTree, pointAt } from '../../server/src/ebpf/parser';
import { parser } from './setup';

describe('createCParser', () => {
  it('loads the C grammar from node_modules and parses', async () => {
    const p = await parser();
    const tree = p.parse('int f(void) { return 0; }\n');
    try {
      expect(tree.rootNode.type).toBe('translation_unit');
      expect(tree.rootNode.hasError).toBe(false);
      expect(tree.rootNode.firstNamedChild?.type).toBe('function_definition');
    } finally {
      tree.delete();
    }
  });

  it('loads the wasm files from a given folder (as beside the bundle)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-wasm-'));
    try {
      for (const [pkg, file] of [['web-tree-sitter', 'web-tree-sitter.wasm'], ['tree-sitter-c', 'tree-sitter-c.wasm']]) {
        fs.copyFileSync(require.resolve(`${pkg}/${file}`), path.join(dir, file));
      }
      const p = await createCParser({ wasmDir: dir });
      const tree = p.parse('SEC("tc") int f(void) { return 0; }');
      expect(tree.rootNode.namedChildCount).toBeGreaterThan(0);
      tree.delete();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('columns are UTF-16 code units, as in LSP', async () => {
    const p = await parser();
    const text = 'int f() { char *s = "é😀"; return g(1); }';
    const tree = p.parse(text);
    const call = tree.rootNode.descendantsOfType('call_expression')[0];
    expect(call?.startPosition.column).toBe(text.indexOf('g(1)'));
    tree.delete();
  });
});

describe('incremental parsing', () => {
  it('diffEdit finds the changed span in offsets and points', () => {
    expect(diffEdit('abc\ndef\n', 'abc\ndef\n')).toBeNull();
    expect(diffEdit('abc\ndef\n', 'abc\ndXYef\n')).toEqual({
      startIndex: 5, oldEndIndex: 5, newEndIndex: 7,
      startPosition: { row: 1, column: 1 }, oldEndPosition: { row: 1, column: 1 }, newEndPosition: { row: 1, column: 3 },
    });
    expect(diffEdit('a\nb\nc', 'a\nc')).toMatchObject({ startIndex: 2, oldEndIndex: 4, newEndIndex: 2, oldEndPosition: { row: 2, column: 0 } });
    expect(pointAt('ab\ncd', 4)).toEqual({ row: 1, column: 1 });
  });

  it('an edited old tree re-parses to the same tree as a fresh parse', async () => {
    const p = await parser();
    const before = 'int f(int a)\n{\n\tif (a)\n\t\treturn 1;\n\treturn 0;\n}\n';
    const after = 'int f(int a)\n{\n\tif (a > 2) {\n\t\treturn g(a);\n\t}\n\treturn 0;\n}\nint h(void) { return 3; }\n';
    const old = p.parse(before);
    editTree(old, diffEdit(before, after)!);
    const inc = p.parse(after, old);
    const fresh = p.parse(after);
    try {
      expect(inc.rootNode.toString()).toBe(fresh.rootNode.toString());
    } finally {
      old.delete();
      inc.delete();
      fresh.delete();
    }
  });
});
