// The .vsix holds only what runs: bundles, wasm, grammar, media, README, LICENSE, package.json.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

it('vsce would package only the runtime files', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const files = r.stdout.trim().split('\n').map((f) => f.trim()).sort();
  for (const f of files) {
    expect(f, `${f} should not ship`).toMatch(/^(package\.json|README\.md|LICENSE|dist\/(client|server|cli)\.js|dist\/[\w-]+\.wasm|dist\/lab-probe\.bpf\.c|syntaxes\/[\w.-]+\.json|media\/.*|dist\/media\/.*)$/);
    expect(f).not.toMatch(/\.map$|\.ts$/);
  }
  for (const must of ['package.json', 'README.md', 'LICENSE', 'dist/client.js', 'dist/server.js', 'dist/cli.js', 'dist/tree-sitter-c.wasm', 'dist/web-tree-sitter.wasm', 'dist/lab-probe.bpf.c', 'syntaxes/topology.tmLanguage.json']) {
    expect(files).toContain(must);
  }
});
