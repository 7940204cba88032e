// IPv4 parsing and prefixes, and the "did you mean" matcher behind every suggestion.
import { describe, expect, it } from 'vitest';
import { contains, formatIp, mask, network, parseCidr, parseIp } from '../../server/src/topology/address';
import { closest, didYouMean, editDistance } from '../../server/src/topology/suggest';

describe('address', () => {
  it('parses dotted quads and refuses anything else', () => {
    expect(parseIp('10.0.0.1')).toBe(0x0a000001);
    expect(parseIp('255.255.255.255')).toBe(0xffffffff);
    expect(parseIp('0.0.0.0')).toBe(0);
    for (const bad of ['10.0.0.256', '10.0.0', '10.0.0.1.1', '01.0.0.1', '10.0.0.-1', 'a.b.c.d', '', '10.0.0.1/24']) expect(parseIp(bad)).toBeUndefined();
    expect(formatIp(0xc0a80a01)).toBe('192.168.10.1');
  });

  it('parses CIDRs or says what was expected', () => {
    expect(parseCidr('10.1.2.3/16')).toEqual({ addr: 0x0a010203, len: 16, text: '10.1.2.3/16' });
    expect(parseCidr('0.0.0.0/0')).toEqual({ addr: 0, len: 0, text: '0.0.0.0/0' });
    expect(parseCidr('10.0.0.1')).toBe('a prefix length after "/" (for example 10.0.0.1/24)');
    expect(parseCidr('10.0.0.300/24')).toBe('an IPv4 address before "/", not "10.0.0.300"');
    expect(parseCidr('10.0.0.1/33')).toBe('a prefix length from 0 to 32, not "33"');
    expect(parseCidr('10.0.0.1/032')).toBe('a prefix length from 0 to 32, not "032"');
  });

  it('masks and tests membership with unsigned arithmetic', () => {
    expect(mask(0)).toBe(0);
    expect(mask(24)).toBe(0xffffff00);
    expect(mask(32)).toBe(0xffffffff);
    const c = parseCidr('192.168.1.77/24') as Exclude<ReturnType<typeof parseCidr>, string>;
    expect(network(c)).toBe(0xc0a80100);
    expect(contains(c, parseIp('192.168.1.1')!)).toBe(true);
    expect(contains(c, parseIp('192.168.2.1')!)).toBe(false);
    const all = parseCidr('0.0.0.0/0') as Exclude<ReturnType<typeof parseCidr>, string>;
    expect(contains(all, parseIp('203.0.113.9')!)).toBe(true);
  });
});

describe('suggest', () => {
  it('computes edit distance', () => {
    expect(editDistance('netns', 'netns')).toBe(0);
    expect(editDistance('nettns', 'netns')).toBe(1);
    expect(editDistance('eht0', 'eth0')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest candidate within about a third of the word, case differences first', () => {
    expect(closest('tc-ingres', ['tc-ingress', 'tc-egress'])).toBe('tc-ingress');
    expect(closest('XDP', ['xdp', 'xdq'])).toBe('xdp');
    expect(closest('pod', ['pod1', 'pod2'])).toBe('pod1');
    expect(closest('ingress', ['tc-ingress'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
    expect(didYouMean('brige', ['bridge'])).toBe(' Did you mean "bridge"?');
    expect(didYouMean('zzz', ['bridge'])).toBe('');
  });
});
