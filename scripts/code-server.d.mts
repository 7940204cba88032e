// Types of code-server.mjs, for the TypeScript end-to-end suite.
import type { ChildProcess } from 'node:child_process';

export const CODE_SERVER_VERSION: string;
export const APT_PACKAGES: string[];
export interface Profile { root: string; userDataDir: string; extensionsDir: string; env: NodeJS.ProcessEnv }
export interface CodeServer { url: string; proc: ChildProcess; stop(): Promise<void>; output(): string }
export function cacheDir(): string;
export function codeServerDir(): string;
export function codeServerBin(): string;
export function ensureAptPackages(packages?: string[], log?: (s: string) => void, who?: string): void;
export function ensureCodeServer(log?: (s: string) => void): string;
export function profile(root: string): Profile;
export function writeSettings(p: Profile, extra?: Record<string, unknown>): void;
export function installExtension(bin: string, p: Profile, vsix: string): string;
export function freePort(preferred?: number): Promise<number>;
export function startCodeServer(bin: string, p: Profile, options: { port: number; folder: string; onOutput?: (s: string) => void; timeoutMs?: number }): Promise<CodeServer>;
export function tempDir(prefix: string): string;
