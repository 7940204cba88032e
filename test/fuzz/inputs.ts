// Seeded, bounded generation of hostile inputs from real files: byte flips, truncation, deep
// nesting, huge lines, binary data, very large files, unbalanced macros.

/** mulberry32: a small seeded PRNG, so every run tries the same inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Mutant { name: string; text: string }

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export function mutants(seedText: string, kind: 'topo' | 'c', r: () => number, count: number): Mutant[] {
  const out: Mutant[] = [];
  const ops: Array<[string, () => string]> = [
    ['byte flips', () => {
      const chars = [...seedText];
      for (let i = 0; i < 1 + Math.floor(r() * 20); i++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 256));
      return chars.join('');
    }],
    ['truncation', () => seedText.slice(0, Math.floor(r() * seedText.length))],
    ['line shuffle', () => seedText.split('\n').sort(() => r() - 0.5).join('\n')],
    ['line duplication', () => seedText.split('\n').flatMap((l) => (r() < 0.2 ? [l, l, l] : [l])).join('\n')],
    ['deep nesting', () => kind === 'c'
      ? seedText.replace(/\{/, '{' + '{('.repeat(2000) + ')}'.repeat(1000))
      : seedText + '\n' + 'path ' + '@'.repeat(5000) + ' -> ' + '->'.repeat(3000)],
    ['huge line', () => seedText + '\n' + pick(r, ['x', '#', '"', '--', 'a@b ', '10.0.0.1/24 ', '/*', '(']).repeat(200_000)],
    ['binary data', () => Array.from({ length: 4096 }, () => String.fromCharCode(Math.floor(r() * 65536))).join('')],
    ['control characters', () => seedText.replace(/ /g, () => pick(r, ['\v', '\f', '\0', '\r', '\u2028', '\ufeff', ' ']))],
    ['unbalanced macros', () => kind === 'c'
      ? '#if 1\n#define SEC(x) __attribute__((section(x)\n#define F(a, b) bpf_redirect(a,\n' + seedText.replace(/\)/, '') + '\n#ifdef X\n#else\n#else\n'
      : seedText.replace(/"/, '')],
    ['splice', () => { const l = seedText.split('\n'); const i = Math.floor(r() * l.length); return [...l.slice(0, i), ...l.slice(i).reverse()].join('\n'); }],
  ];
  for (let i = 0; i < count; i++) {
    const [name, f] = ops[i % ops.length];
    out.push({ name, text: f() });
  }
  return out;
}

/** A file of about `bytes` bytes built from a seed file, renaming functions so they stay distinct. */
export function large(seedText: string, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const p = seedText.replace(/\b(to_pod_\w+|lookup_ifindex|[a-z]+_[a-z_]+)\b/g, `$1_${i}`);
    parts.push(p);
    size += p.length;
  }
  return parts.join('\n');
}
