// Bundles the client, the language server, the CLI and the preview's webview script
// (vscode-eslint's single-script way). The wasm files of web-tree-sitter and tree-sitter-c are
// copied beside the bundles; mermaid's browser bundle is copied into dist/media/ (never committed).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Package folders found from node_modules itself: their `exports` hide package.json.
const packageDir = (name) => join(process.cwd(), 'node_modules', name);
const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { DATAPATH_LENS_VERSION: JSON.stringify(pkg.version) },
  // esbuild makes import.meta {} in CJS: use web-tree-sitter's own CommonJS build.
  alias: { 'web-tree-sitter': join(packageDir('web-tree-sitter'), 'web-tree-sitter.cjs') },
};

mkdirSync('dist/media', { recursive: true });
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['bench/core.ts'], outfile: 'dist/bench-core.js', sourcemap: false }),
  // The webview runs in a browser: no node: module may reach this bundle (esbuild refuses them).
  esbuild.build({
    bundle: true, platform: 'browser', format: 'iife', target: 'chrome114', sourcemap: !production, minify: production, logLevel: 'warning',
    entryPoints: ['client/webview/preview.ts'], outfile: 'dist/media/preview.js',
  }),
]);
copyFileSync(join(packageDir('mermaid'), 'dist', 'mermaid.min.js'), join('dist', 'media', 'mermaid.min.js'));
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-c/tree-sitter-c.wasm']) {
  const src = join(packageDir(wasm.split('/')[0]), wasm.split('/')[1]);
  copyFileSync(src, join('dist', wasm.split('/')[1]));
}
// The lab's probe program is compiled at run time (`datapath-lens lab trace`): ship its source.
copyFileSync('server/src/lab/probe.bpf.c', join('dist', 'lab-probe.bpf.c'));
copyFileSync('server/src/lab/mprog-attach.c', join('dist', 'lab-mprog-attach.c'));
