// The labelled corpus (test/corpus/*/): programs written in the style of real projects, each
// with its hook, role, confidence, redirects and diagnostics. Every label is asserted, and
// the accuracy per field is printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { loadFolder } from '../../server/src/inference/load-folder';
import { Workspace, type PlacedProgram } from '../../server/src/inference/workspace';
import type { Diagnostic } from '../../server/src/topology/model';

interface Label {
  project: string; file: string; program: string;
  hook: string | string[]; role: string; confidence: string;
  redirects: Array<{ helper: string; kind: string; line: number }>;
  diagnostics?: string[];
}

const corpus = __dirname;
const labels: Label[] = JSON.parse(fs.readFileSync(path.join(corpus, 'labels.json'), 'utf8'));
const projects = [...new Set(labels.map((l) => l.project))];

let parser: CParser;
const results = new Map<string, { placed: PlacedProgram[]; diagnostics: Diagnostic[] }>();
const score: Record<string, { ok: number; all: number }> = {};
const tally = (field: string, ok: boolean) => {
  score[field] ??= { ok: 0, all: 0 };
  score[field].all++;
  if (ok) score[field].ok++;
};

beforeAll(async () => {
  parser = await createCParser();
  for (const p of projects) {
    const ws = new Workspace(parser, (f) => fs.readFileSync(f, 'utf8'));
    loadFolder(ws, path.join(corpus, p), { topologies: true, cFiles: true });
    results.set(p, { placed: ws.placed(), diagnostics: ws.diagnostics() });
    ws.dispose();
  }
});

afterAll(() => {
  const lines = Object.entries(score).map(([f, s]) => `${f} ${s.ok}/${s.all} (${((100 * s.ok) / s.all).toFixed(1)}%)`);
  console.log(`corpus: ${labels.length} programs in ${projects.length} projects; accuracy: ${lines.join(', ')}`);
});

describe('labelled corpus', () => {
  it('has at least 40 labelled programs', () => {
    expect(labels.length).toBeGreaterThanOrEqual(40);
  });

  it.each(labels.map((l) => [`${l.project}/${l.file}:${l.program}`, l] as const))('%s', (_name, l) => {
    const r = results.get(l.project)!;
    const file = path.join(corpus, l.project, l.file);
    const p = r.placed.find((x) => x.model.file === file && x.model.name === l.program);
    expect(p, `program ${l.program} found`).toBeDefined();
    const got = {
      hook: p!.placement.hook, role: p!.placement.role, confidence: p!.placement.confidence,
      redirects: p!.model.redirects.map((x) => `${x.helper}:${x.kind}:${x.range.start.line + 1}`).sort(),
      diagnostics: [...new Set(r.diagnostics.filter((d) => belongsTo(d, p!)).map((d) => d.code))].sort(),
    };
    const hookOk = Array.isArray(l.hook) ? l.hook.includes(got.hook) : got.hook === l.hook;
    const want = {
      redirects: l.redirects.map((x) => `${x.helper}:${x.kind}:${x.line}`).sort(),
      diagnostics: [...new Set(l.diagnostics ?? [])].sort(),
    };
    tally('hook', hookOk);
    tally('role', got.role === l.role);
    tally('confidence', got.confidence === l.confidence);
    tally('redirects', JSON.stringify(got.redirects) === JSON.stringify(want.redirects));
    tally('diagnostics', JSON.stringify(got.diagnostics) === JSON.stringify(want.diagnostics));
    expect({ hook: hookOk ? l.hook : got.hook, role: got.role, confidence: got.confidence, redirects: got.redirects, diagnostics: got.diagnostics })
      .toEqual({ hook: l.hook, role: l.role, confidence: l.confidence, redirects: want.redirects, diagnostics: want.diagnostics });
  });
});

/** A diagnostic about this program: inside its function, or an attach naming it elsewhere. */
function belongsTo(d: Diagnostic, p: PlacedProgram): boolean {
  const m = p.model;
  if (d.file === m.file) return d.range.start.line >= m.range.start.line && d.range.start.line <= m.range.end.line;
  return d.code === 'attach-mismatch' && d.message.startsWith(`${m.name} `);
}
