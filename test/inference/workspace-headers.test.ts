// Local headers in the workspace: read when a C file's own #include lines change (not on every
// keystroke), and again when a header changes on disk (headerChanged, from the file watcher).
import { beforeAll, describe, expect, it } from 'vitest';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { Workspace } from '../../server/src/inference/workspace';

let parser: CParser;
beforeAll(async () => { parser = await createCParser(); });

const C = '/w/prog.bpf.c';
const H = '/w/target.h';
const SRC = '#include <linux/bpf.h>\n#include "target.h"\n#define SEC(n) __attribute__((section(n), used))\nSEC("tc/ingress")\nint to_target(struct __sk_buff *skb)\n{\n\treturn bpf_redirect(TARGET, 0);\n}\n';

describe('workspace headers', () => {
  it('reads headers when the includes change or a header changes on disk, not on other edits', () => {
    const disk = new Map([[H, '#define TARGET 7\n']]);
    const reads: string[] = [];
    const ws = new Workspace(parser, (f) => { reads.push(f); return disk.get(f); });
    ws.setCFile(C, SRC);
    const ifindex = () => ws.cFile(C)!.programs[0].redirects[0].ifindex;
    expect(ifindex()).toBe(7);
    expect(reads).toEqual([H]);

    // An edit that leaves the #include lines alone: no header read.
    ws.editCFile(C, [{ range: { start: { line: 7, character: 1 }, end: { line: 7, character: 1 } }, text: ' /* x */' }]);
    expect(ifindex()).toBe(7);
    expect(reads).toEqual([H]);

    // The header changes on disk: the watcher's event brings it in.
    disk.set(H, '#define TARGET 9\n');
    ws.headerChanged('/w/other.h');
    expect(reads).toEqual([H]);
    ws.headerChanged(H);
    expect(reads).toEqual([H, H]);
    expect(ifindex()).toBe(9);

    // An edit of an #include line reads the headers again.
    ws.editCFile(C, [{ range: { start: { line: 1, character: 10 }, end: { line: 1, character: 16 } }, text: 'gone' }]);
    expect(reads).toEqual([H, H, '/w/gone.h']);
    ws.dispose();
  });
});
