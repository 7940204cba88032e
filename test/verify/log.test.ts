// The bpftool/clang output readers, on logs captured from a 6.18 kernel (no kernel needed).
import { describe, expect, it } from 'vitest';
import { explain, logStats, parseClang, parseFailure, splitProgramLogs } from '../../server/src/verify/log';
import { programType, verdictTitle } from '../../server/src/verify/verify';

const OUT = `libbpf: loading /tmp/x/bounds.o
libbpf: prog 'ok_prog': -- BEGIN PROG LOAD LOG --
func#0 @0
0: R1=ctx() R10=fp0
; return TC_ACT_OK; @ bounds.bpf.c:9
0: (b7) r0 = 0                        ; R0=0
1: (95) exit
verification time 29 usec
stack depth 0
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
-- END PROG LOAD LOG --
libbpf: prog 'no_bounds': BPF program load failed: Permission denied
libbpf: prog 'no_bounds': -- BEGIN PROG LOAD LOG --
func#0 @0
Live regs before insn:
      0: .1........ (61) r1 = *(u32 *)(r1 +76)
0: R1=ctx() R10=fp0
; void *data = (void *)(long)skb->data; @ bounds.bpf.c:15
0: (61) r1 = *(u32 *)(r1 +76)         ; R1=pkt(r=0)
; if (eth->h_proto == 0) @ bounds.bpf.c:17
1: (71) r2 = *(u8 *)(r1 +12)
invalid access to packet, off=12 size=1, R1(id=0,off=12,r=0)
R1 offset is outside of the packet
verification time 42 usec
stack depth 0
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 3 peak_states 0 mark_read 0
-- END PROG LOAD LOG --
libbpf: prog 'no_bounds': failed to load: -13
Error: failed to load object file`;

describe('bpftool -d prog loadall output', () => {
  const logs = splitProgramLogs(OUT);
  it('splits per program and tells passed from rejected', () => {
    expect(logs.map((l) => [l.name, l.ok])).toEqual([['ok_prog', true], ['no_bounds', false]]);
    expect(logStats(logs[0].lines)).toEqual({ insns: 2, states: 0, timeUs: 29 });
    expect(logStats(logs[1].lines).states).toBe(3);
  });
  it('puts the failure at the last source line before the message', () => {
    const f = parseFailure(logs[1].lines, '/src/bounds.bpf.c');
    expect(f.line).toBe(17);
    expect(f.message).toBe('invalid access to packet, off=12 size=1, R1(id=0,off=12,r=0)');
    expect(f.detail).toEqual(['R1 offset is outside of the packet']);
    expect(f.states.at(-1)).toMatch(/^1: \(71\)/);
    expect(explain(f.message)).toMatch(/data_end/);
  });
  it('ignores source lines of other files and line 0', () => {
    const f = parseFailure(['; x @ other.h:5', ';  @ a.bpf.c:0', '3: (85) call bpf_foo#1', 'unknown func bpf_foo#1', 'processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0'], 'a.bpf.c');
    expect(f.line).toBeUndefined();
    expect(f.message).toBe('unknown func bpf_foo#1');
  });
  it('explains the common rejections', () => {
    expect(explain("R0 invalid mem access 'map_value_or_null'")).toMatch(/NULL/);
    expect(explain('infinite loop detected at insn 2')).toMatch(/loop/);
    expect(explain('back-edge from insn 5 to 2')).toMatch(/loop/);
    expect(explain('program of this type cannot use helper bpf_redirect_peer#155')).toMatch(/helper/);
    expect(explain('combined stack size of 2 calls is 640. Too large')).toMatch(/512/);
    expect(explain('something else')).toBeUndefined();
  });
});

describe('clang messages and helpers', () => {
  it('reads errors and warnings, drops notes', () => {
    const m = parseClang("a.bpf.c:9:9: error: use of undeclared identifier 'X'\n/usr/include/x.h:1:2: note: here\na.bpf.c:3:1: warning: unused [-Wunused]\n");
    expect(m).toEqual([
      { file: 'a.bpf.c', line: 9, column: 9, severity: 'error', message: "use of undeclared identifier 'X'" },
      { file: 'a.bpf.c', line: 3, column: 1, severity: 'warning', message: 'unused [-Wunused]' },
    ]);
  });
  it('takes the program type from the section, else from the placement', () => {
    expect(programType({ name: 'a', section: 'xdp', line: 0 })).toBe('xdp');
    expect(programType({ name: 'a', section: 'tcx/egress', line: 0 })).toBe('tc');
    expect(programType({ name: 'a', section: 'classifier', line: 0 })).toBe('tc');
    expect(programType({ name: 'a', section: 'my_sec', line: 0, hook: 'xdp-generic' })).toBe('xdp');
    expect(programType({ name: 'a', section: 'my_sec', line: 0, hook: 'tc-ingress' })).toBe('tc');
    expect(programType({ name: 'a', section: 'kprobe/x', line: 0, hook: 'unknown' })).toBeUndefined();
  });
  it('titles the lenses', () => {
    expect(verdictTitle({ name: 'a', section: 'tc', line: 0, status: 'verified', insns: 123, timeUs: 800 })).toBe('verified · 123 insns · 0.80 ms');
    expect(verdictTitle({ name: 'a', section: 'tc', line: 0, status: 'rejected', failure: { line: 42, message: 'x', detail: [], states: [] } })).toBe('✗ rejected: line 42 · x');
  });
});
