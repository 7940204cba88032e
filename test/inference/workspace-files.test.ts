// Listing a workspace: symlink loops end, dependency/build folders are skipped, order is stable.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWorkspaceFiles } from '../../server/src/inference/workspace-files';

let root: string;
const rel = (files: string[]) => files.map((f) => relative(root, f).split('\\').join('/'));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dl-ws-'));
  const file = (p: string, text = 'x') => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  file('scripts/attach.sh');
  file('bpf/lxc.bpf.c');
  file('bpf/sub/b.c');
  file('a-b.topo');
  file('.github/workflows/ci.yml');
  file('node_modules/pkg/attach.sh');
  file('.git/config');
  file('build/out.o');
  file('dist/cli.js');
  file('out/x.js');
  file('target/debug/x');
  file('.vscode-test/x');
  file('big.yaml', 'y'.repeat(5000));
  // a loop back to an ancestor, a second link to a visited folder, a dangling link
  symlinkSync(root, join(root, 'bpf/sub/loop'));
  symlinkSync(join(root, 'bpf'), join(root, 'bpf-link'));
  symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('listWorkspaceFiles', () => {
  it('lists each real file once, sorted, skipping node_modules/.git/build/out/dist/target', () => {
    expect(rel(listWorkspaceFiles(root))).toEqual([
      '.github/workflows/ci.yml',
      'a-b.topo',
      'big.yaml',
      'bpf/lxc.bpf.c',
      'bpf/sub/b.c',
      'scripts/attach.sh',
    ]);
  });

  it('is deterministic', () => {
    expect(listWorkspaceFiles(root)).toEqual(listWorkspaceFiles(root));
  });

  it('honours maxBytes per file and maxFiles', () => {
    expect(rel(listWorkspaceFiles(root, { maxBytes: 1000 }))).not.toContain('big.yaml');
    expect(listWorkspaceFiles(root, { maxFiles: 2 })).toHaveLength(2);
  });

  it('returns nothing for a missing root', () => {
    expect(listWorkspaceFiles(join(root, 'missing'))).toEqual([]);
  });
});
