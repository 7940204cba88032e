// Runs ../shared/acceptance/run (the command-line contract's checks) against the built CLI.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const runner = path.resolve(root, '../shared/acceptance/run');
const have = fs.existsSync(runner) && fs.existsSync(path.join(root, 'dist/cli.js'));

describe.skipIf(!have)('shared acceptance checks (skipped: ../shared/acceptance/run or dist/cli.js missing)', () => {
  it('passes every case', () => {
    const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: 'utf8', env: { ...process.env, ACCEPT_ONLY: '' } });
    const summary = r.stdout.trim().split('\n').pop();
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(summary).toMatch(/^\d+ passed, 0 failed$/);
  });
});
