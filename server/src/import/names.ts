// Names of the machine → NAMEs of the topology language ([A-Za-z_][A-Za-z0-9_.-]*), unique in
// their scope; every change is reported so the output can say so.
import { isName } from '../topology/syntax';

export class NameMap {
  private readonly map = new Map<string, string>();
  private readonly used = new Set<string>();
  /** Real names that had to change: real → NAME. */
  readonly changed = new Map<string, string>();

  constructor(reserved: string[] = []) {
    for (const r of reserved) this.used.add(r);
  }

  /** Names that fit are kept (first come), others get `_` for each bad character, `_` in front of a digit, and -2, -3... when taken. */
  get(real: string): string {
    const known = this.map.get(real);
    if (known !== undefined) return known;
    let base = isName(real) ? real : real.replace(/[^A-Za-z0-9_.-]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}-${i}`;
    this.used.add(name);
    this.map.set(real, name);
    if (name !== real) this.changed.set(real, name);
    return name;
  }
}
