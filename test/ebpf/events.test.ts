// What a body does, read from its tokens.
import { describe, expect, it } from 'vitest';
import { scanEvents, type BodyEvent } from '../../server/src/ebpf/events';
import { tokenize } from '../../server/src/ebpf/tokens';

const show = (text: string) => scanEvents(tokenize(text)).map((e: BodyEvent) => {
  const s = text.slice(e.span.start, e.span.end);
  switch (e.kind) {
    case 'call': return `call ${e.callee}/${e.args.length}: ${s}`;
    case 'return': return `return: ${s}`;
    case 'assign': return `assign ${e.target ?? '-'} ${e.op}: ${s}`;
    case 'update': return `update ${e.target}: ${s}`;
  }
});

describe('scanEvents', () => {
  it('orders inner calls before outer ones and before the statement using them', () => {
    expect(show('{ int r = f(g(1), 2); return h(r); }')).toEqual([
      'call g/1: g(1)',
      'call f/2: f(g(1), 2)',
      'assign r =: int r = f(g(1), 2)',
      'call h/1: h(r)',
      'return: return h(r);',
    ]);
  });

  it('names assigned variables, not stores through pointers or fields', () => {
    expect(show('{ __u32 *p = 0; struct ethhdr *eth = d; x |= 1; *p = 2; eth->h_dest[0] = 3; arr[1] = 4; __u8 mac[6] = {}; i++; --j; }')).toEqual([
      'assign p =: __u32 *p = 0',
      'assign eth =: struct ethhdr *eth = d',
      'assign x |=: x |= 1',
      'assign - =: *p = 2',
      'assign - =: eth->h_dest[0] = 3',
      'assign - =: arr[1] = 4',
      'assign mac =: __u8 mac[6] = {}',
      'update i: i++',
      'update j: --j',
    ]);
  });

  it('stops at control statements and keeps keywords out of calls', () => {
    expect(show('{ if (a) b = sizeof(x); for (i = 0; i < n; i++) { while (f()) ; } return; }')).toEqual([
      'assign b =: b = sizeof(x)',
      'assign i =: i = 0',
      'update i: i++',
      'call f/0: f()',
      'return: return;',
    ]);
  });

  it('member calls name no callee', () => {
    expect(show('{ ops->run(x); }')).toEqual([]);
  });
});
