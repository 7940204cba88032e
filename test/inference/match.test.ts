// Which programs a piece of loader evidence speaks about.
import { describe, expect, it } from 'vitest';
import type { LoaderEvidence } from '../../server/src/inference/loaders/index';
import { evidenceMatchesProgram, objectMatchesSource } from '../../server/src/inference/loaders/index';

const ev = (fields: Partial<LoaderEvidence>): LoaderEvidence => ({
  file: 'x',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
  hook: 'tc-ingress',
  mechanism: 'tc',
  detail: '',
  ...fields,
});
const prog = (name: string, section: string, file: string) => ({ name, section, file });

describe('evidenceMatchesProgram', () => {
  it.each<[string, Partial<LoaderEvidence>, ReturnType<typeof prog>, boolean]>([
    ['object .bpf.o ↔ .bpf.c', { object: 'egress.bpf.o', section: 'tc' }, prog('mark_egress', 'tc', 'cases/egress.bpf.c'), true],
    ['object .o ↔ .c', { object: 'bpf_lxc.o' }, prog('from_container', 'from-container', 'bpf/bpf_lxc.c'), true],
    ['object .o ↔ .bpf.c', { object: 'egress.o' }, prog('p', 'tc', 'egress.bpf.c'), true],
    ['object with a directory', { object: 'egress.bpf.o' }, prog('p', 'tc', '/abs/dir/egress.bpf.c'), true],
    ['another object', { object: 'ingress.bpf.o' }, prog('p', 'tc', 'egress.bpf.c'), false],
    ['a longer stem is another object', { object: 'egress.o' }, prog('p', 'tc', 'egress2.bpf.c'), false],
    ['section must be equal', { object: 'egress.bpf.o', section: 'tc/ingress' }, prog('p', 'tc', 'egress.bpf.c'), false],
    ['no section: tc takes the first program (any)', { object: 'egress.bpf.o' }, prog('second', 'classifier', 'egress.bpf.c'), true],
    ['skeleton ↔ .bpf.c', { prog: 'shape', object: 'shaper_bpf' }, prog('shape', 'tc', 'shaper.bpf.c'), true],
    ['skeleton, other program', { prog: 'shape', object: 'shaper_bpf' }, prog('police', 'tc', 'shaper.bpf.c'), false],
    ['skeleton, other source', { prog: 'shape', object: 'shaper_bpf' }, prog('shape', 'tc', 'egress.bpf.c'), false],
    ['prog name alone', { prog: 'xdp_entry' }, prog('xdp_entry', 'xdp', 'any.bpf.c'), true],
    ['bpftool name: the kernel keeps 15 characters', { prog: 'handle_ingress_' }, prog('handle_ingress_v4', 'tc', 'a.bpf.c'), true],
    ['a shorter name is not a prefix match', { prog: 'handle' }, prog('handle_ingress', 'tc', 'a.bpf.c'), false],
    ['pin candidates', { progCandidates: ['to-container', 'to_container'] }, prog('to_container', 'tc', 'a.bpf.c'), true],
    ['pin candidates, other name', { progCandidates: ['to_container'] }, prog('from_container', 'tc', 'a.bpf.c'), false],
    ['bpf2go identifier', { progCandidates: ['to_container'], goName: 'ToContainer', object: 'lxc.c' }, prog('to_container', 'tc', 'bpf/lxc.c'), true],
    ['C source of go:generate ↔ .bpf.c', { progCandidates: ['tc_ingress'], object: 'tc.c' }, prog('tc_ingress', 'tc', 'tc.bpf.c'), true],
    ['libxdp: object and section', { object: 'xdp_prog_kern.o', section: 'xdp_pass' }, prog('xdp_pass_func', 'xdp_pass', 'xdp_prog_kern.c'), true],
    ['nothing to match on', {}, prog('p', 'tc', 'a.bpf.c'), false],
  ])('%s', (_why, fields, p, want) => {
    expect(evidenceMatchesProgram(ev(fields), p)).toBe(want);
  });
});

describe('objectMatchesSource', () => {
  it.each([
    ['egress.bpf.o', 'egress.bpf.c', true],
    ['egress.o', 'egress.c', true],
    ['shaper_bpf', 'src/shaper.bpf.c', true],
    ['lxc.skel.h', 'lxc.bpf.c', true],
    ['my-prog.o', 'my_prog.bpf.c', true],
    ['x.o', 'y.c', false],
    ['bpf.o', 'bpf_lxc.c', false],
  ])('%s ↔ %s: %s', (o, s, want) => {
    expect(objectMatchesSource(o as string, s as string)).toBe(want);
  });
});
