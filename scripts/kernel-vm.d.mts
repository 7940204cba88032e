// Types of kernel-vm.mjs, for the TypeScript suites that run the lab under the VM's kernel.
export const MIRROR: string;
export const SUITE: string;
export const APT_PACKAGES: string[];
export interface VmManifest { release: string; vmlinuz: string; modules: string; toolsBin: string; packages: Record<string, string> }
export interface VmResult {
  status: number | null;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
  console: string;
  ms: number;
  accel: 'kvm' | 'tcg';
  release: string;
}
export function vmDir(): string;
export function parsePackages(text: string): Array<Record<string, string>>;
export function readManifest(): VmManifest | undefined;
export function ensureVmAssets(log?: (s: string) => void): Promise<VmManifest>;
export function vmUnsupported(): string | undefined;
export function runInVm(script: string, options?: { cwd?: string; timeoutMs?: number; memoryMb?: number; env?: Record<string, string> }): Promise<VmResult>;
