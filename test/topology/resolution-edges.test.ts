import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../server/src/topology/parse';

const codes = (text: string) => parseTopology(text, '/t/x.topo').diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`);

describe('resolution edges', () => {
  it('accepts a gateway that `default dev X` covers, as fib_check_nh does', () => {
    expect(codes('nic eth0\nroute default dev eth0\nroute 10.9.0.0/16 via 192.0.2.1')).toEqual([]);
  });

  it('still refuses a gateway no route or subnet covers', () => {
    expect(codes('nic eth0 10.0.0.1/24\nroute 10.9.0.0/16 via 192.0.2.1')).toEqual(['1:22 topo-unreachable-gateway']);
  });

  it('reports an undeclared namespace once, not again for its device', () => {
    expect(codes('nic eth0\npath eth0@pod -> eth0')).toEqual(['1:10 topo-unknown-name']);
  });
});
