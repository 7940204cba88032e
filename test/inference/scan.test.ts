// Which files are scanned as loaders, and how each kind is dispatched.
import { describe, expect, it } from 'vitest';
import { isLoaderCandidate, loaderKind, scanLoaderFile } from '../../server/src/inference/loaders/index';

describe('isLoaderCandidate', () => {
  it.each([
    ['scripts/attach.sh', 'sh'],
    ['load.bash', 'sh'],
    ['Makefile', 'make'],
    ['GNUmakefile', 'make'],
    ['rules.mk', 'make'],
    ['deploy/ds.yaml', 'yaml'],
    ['.github/workflows/ci.yml', 'yaml'],
    ['Dockerfile', 'dockerfile'],
    ['Dockerfile.agent', 'dockerfile'],
    ['agent.dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['justfile', 'just'],
    ['shaper.c', 'c'],
    ['loader.cpp', 'c'],
    ['cmd/agent/main.go', 'go'],
    ['tc_redirect.py', 'python'],
    ['bin/attach', 'script'],
  ])('%s is %s', (file, kind) => {
    expect(isLoaderCandidate(file)).toBe(true);
    expect(loaderKind(file)).toBe(kind);
  });

  it.each(['egress.bpf.c', 'xdp_prog_kern.c', 'shaper.skel.h', 'lab.topo', 'README.md', 'LICENSE', 'main_test.go', 'vmlinux.h', 'x.o'])(
    '%s is not a loader',
    (file) => {
      expect(isLoaderCandidate(file)).toBe(false);
    },
  );
});

describe('scanLoaderFile', () => {
  const cmd = 'tc filter add dev eth0 ingress bpf da obj a.o sec tc\n';

  it('reads an extensionless file only with a shell or python shebang', () => {
    expect(scanLoaderFile('bin/attach', '#!/bin/bash\n' + cmd)).toHaveLength(1);
    expect(scanLoaderFile('bin/attach', '#!/usr/bin/env sh\n' + cmd)).toHaveLength(1);
    expect(scanLoaderFile('bin/attach', cmd)).toEqual([]);
    expect(scanLoaderFile('bin/attach', '\u0000ELF binary')).toEqual([]);
  });

  it('gives file as passed and sorts by position', () => {
    const evs = scanLoaderFile('rel/x.sh', 'tc filter add dev b egress bpf obj b.o\n' + cmd);
    expect(evs.map((e) => [e.file, e.range.start.line, e.hook])).toEqual([
      ['rel/x.sh', 0, 'tc-egress'],
      ['rel/x.sh', 1, 'tc-ingress'],
    ]);
  });

  it('reads a sh -c script inside an argument list once', () => {
    const text = 'cmd := exec.Command("sh", "-c", "tc filter add dev eth0 egress bpf obj a.o")\n';
    expect(scanLoaderFile('x.go', text)).toHaveLength(1);
  });

  it('does not throw on unbalanced or odd text', () => {
    for (const [name, text] of [
      ['x.c', 'bpf_tc_attach(&hook, &(struct bpf_tc_hook){ .attach_point = BPF_TC_INGRESS'],
      ['x.go', 'link.AttachTCX(link.TCXOptions{Program: objs.X, Attach: ebpf.AttachTCXIngress'],
      ['x.py', 'ipr.tc("add-filter", "bpf", idx, ":1", fd=fn.fd, parent="ffff:fff2"'],
      ['x.sh', 'tc filter add dev "eth0 ingress bpf obj $(a.o'],
      ['x.yaml', 'command: ["tc", "filter"\nargs: "unterminated'],
    ]) {
      expect(() => scanLoaderFile(name, text)).not.toThrow();
    }
  });
});
