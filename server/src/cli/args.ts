// A small argument reader: positional words, `--flag`, `--opt VALUE` (repeatable).
export interface Args { positional: string[]; flags: Set<string>; options: Map<string, string[]> }

export class UsageError extends Error {}

export function parseArgs(argv: string[], withValue: string[]): Args {
  const out: Args = { positional: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { out.positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (withValue.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      out.options.set(name, [...(out.options.get(name) ?? []), value]);
    } else {
      out.flags.add(name);
    }
  }
  return out;
}
