#!/usr/bin/env node
// Fetches the kernel VM's kernel, iproute2 and bpftool into the cache folder (and, as root on
// Debian, installs qemu and busybox) unless they are there; prints what it has. Used by .ci/run
// before the suites that need a kernel with netkit (test/kernel-vm).
import { ensureVmAssets } from './kernel-vm.mjs';

try {
  const m = await ensureVmAssets();
  console.log(`kernel VM: ${Object.values(m.packages).join(', ')}`);
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
}
