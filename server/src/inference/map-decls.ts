// The maps a C file declares (libbpf BTF style), with the size of their values where it is
// plain: enough to tell a map of MACs (6-byte values) from a map of ifindexes.
export interface MapDecl { name: string; valueBytes?: number }

const DECL = /struct\s*\{([^{}]*)\}\s*([A-Za-z_]\w*)\s+SEC\(\s*"\.maps"\s*\)/g;
const SIZES: Record<string, number> = {
  __u8: 1, u8: 1, __s8: 1, char: 1, __u16: 2, u16: 2, __s16: 2, short: 2, __be16: 2,
  __u32: 4, u32: 4, __s32: 4, int: 4, 'unsigned int': 4, __be32: 4, __u64: 8, u64: 8, __s64: 8, long: 8, 'unsigned long': 8,
};

function sizeOfType(t: string): number | undefined {
  const m = /^(.*?)\s*\[\s*(\d+|ETH_ALEN)\s*\]$/.exec(t.trim());
  if (m) {
    const n = m[2] === 'ETH_ALEN' ? 6 : Number(m[2]);
    const e = SIZES[m[1].trim()];
    return e === undefined ? undefined : e * n;
  }
  return SIZES[t.trim()];
}

export function mapDecls(text: string): MapDecl[] {
  const out: MapDecl[] = [];
  for (const m of text.matchAll(DECL)) {
    const body = m[1];
    const type = /__type\(\s*value\s*,\s*([^)]+)\)/.exec(body);
    const size = /__uint\(\s*value_size\s*,\s*(\w+)\s*\)/.exec(body);
    const valueBytes = type ? sizeOfType(type[1]) : size ? (size[1] === 'ETH_ALEN' ? 6 : Number(size[1]) || undefined) : undefined;
    out.push({ name: m[2], ...(valueBytes !== undefined ? { valueBytes } : {}) });
  }
  return out;
}
