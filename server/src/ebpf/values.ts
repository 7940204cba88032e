// What an expression can evaluate to, as far as the datapath cares: a number (with the
// name it was written as, e.g. TC_ACT_OK), the verdict a redirect helper returned, a
// pointer into the packet (for "is the Ethernet header rewritten?"), or unknown.
import { LazyOrigin, type Origin } from './locations';

export type Value =
  | { kind: 'const'; value: number; name: string | null; chain: readonly string[]; origin: Origin | null }
  | { kind: 'redirect'; call: number; origin: Origin | null }
  | { kind: 'packet'; offset: number | null; origin: Origin | null }
  | { kind: 'unknown'; text: string; origin: Origin | null };

export type ConstValue = Extract<Value, { kind: 'const' }>;

/** Values kept per expression; beyond this a set collapses to "unknown". */
export const MAX_VALUES = 8;

export function union(a: readonly Value[], b: readonly Value[]): Value[] {
  if (b.length === 0) return a.slice();
  const out = a.slice();
  for (const v of b) if (!out.some((w) => sameValue(v, w))) out.push(v);
  if (out.length > MAX_VALUES) return [{ kind: 'unknown', text: '…', origin: out[0].origin }];
  return out;
}

export function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'const': return a.value === (b as ConstValue).value && a.name === (b as ConstValue).name && sameOrigin(a.origin, b.origin);
    case 'redirect': return a.call === (b as typeof a).call;
    case 'packet': return a.offset === (b as typeof a).offset;
    case 'unknown': return a.text === (b as typeof a).text && sameOrigin(a.origin, b.origin);
  }
}

function sameOrigin(a: Origin | null, b: Origin | null): boolean {
  if (!a || !b) return a === b;
  return a === b || LazyOrigin.same(a, b);
}

/** Every value is a known number: their distinct numbers; else null. */
export function constSet(vals: readonly Value[]): number[] | null {
  if (vals.length === 0) return null;
  const out: number[] = [];
  for (const v of vals) {
    if (v.kind !== 'const') return null;
    if (!out.includes(v.value)) out.push(v.value);
  }
  return out;
}
