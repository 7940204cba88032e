// The acceptance inputs (../shared/acceptance/cases): a tc command in a shell script and a
// libbpf skeleton loader each decide the hook of a program whose section says nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceMatchesProgram, isLoaderCandidate, scanLoaderFile } from '../../server/src/inference/loaders/index';
import { ACCEPTANCE } from './helpers';

const read = (name: string) => readFileSync(join(ACCEPTANCE, name), 'utf8');
// From egress.bpf.c and shaper.bpf.c: SEC("tc") int mark_egress / SEC("tc") int shape.
const markEgress = { name: 'mark_egress', section: 'tc', file: join(ACCEPTANCE, 'egress.bpf.c') };
const shape = { name: 'shape', section: 'tc', file: join(ACCEPTANCE, 'shaper.bpf.c') };

describe('acceptance: a tc command in a shell script decides the hook', () => {
  const evs = scanLoaderFile('attach.sh', read('attach.sh'));

  it('finds exactly the tc filter line, not the clsact qdisc line', () => {
    expect(evs).toHaveLength(1);
    const [ev] = evs;
    expect(ev).toMatchObject({
      file: 'attach.sh',
      hook: 'tc-egress',
      mechanism: 'tc',
      dev: 'eth0',
      object: 'egress.bpf.o',
      section: 'tc',
      detail: 'tc filter add dev eth0 egress bpf direct-action obj egress.bpf.o sec tc',
    });
    expect(ev.range).toEqual({ start: { line: 5, character: 0 }, end: { line: 5, character: 71 } });
    expect(ev.prog).toBeUndefined();
  });

  it('matches mark_egress in egress.bpf.c and nothing in shaper.bpf.c', () => {
    expect(evidenceMatchesProgram(evs[0], markEgress)).toBe(true);
    expect(evidenceMatchesProgram(evs[0], shape)).toBe(false);
  });
});

describe('acceptance: a libbpf loader decides the hook', () => {
  const evs = scanLoaderFile('shaper.c', read('shaper.c'));

  it('pairs bpf_tc_attach with its hook (BPF_TC_INGRESS) and opts (skel->progs.shape)', () => {
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({
      hook: 'tc-ingress',
      mechanism: 'tc',
      prog: 'shape',
      object: 'shaper_bpf',
      dev: 'eth0',
    });
    // `if (bpf_tc_attach(&hook, &opts))` on line 18 (1-based)
    expect(evs[0].range).toEqual({ start: { line: 17, character: 5 }, end: { line: 17, character: 32 } });
  });

  it('matches shape in shaper.bpf.c and not mark_egress', () => {
    expect(evidenceMatchesProgram(evs[0], shape)).toBe(true);
    expect(evidenceMatchesProgram(evs[0], markEgress)).toBe(false);
  });
});

describe('acceptance: eBPF sources are not loaders', () => {
  it.each(['egress.bpf.c', 'shaper.bpf.c', 'lxc.bpf.c', 'sections.bpf.c'])('%s', (name) => {
    expect(isLoaderCandidate(name)).toBe(false);
    // even when asked directly, SEC("...") marks a program, not a loader
    expect(scanLoaderFile(name.replace('.bpf.c', '.c'), read(name))).toEqual([]);
  });
});
