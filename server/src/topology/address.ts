// IPv4 addresses and prefixes as 32-bit unsigned numbers: cheap to compare and mask.
import type { Cidr, Device, Topology } from './model';

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `a.b.c.d` → number, or undefined when it is not a dotted quad. */
export function parseIp(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIp(ip: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.');
}

/** Why a CIDR is malformed, or the prefix. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'a prefix length after "/" (for example 10.0.0.1/24)';
  const addr = parseIp(text.slice(0, slash));
  if (addr === undefined) return `an IPv4 address before "/", not "${text.slice(0, slash)}"`;
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) return `a prefix length from 0 to 32, not "${lenText}"`;
  return { addr, len: Number(lenText), text };
}

export function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff - (2 ** (32 - len) - 1));
}

export function network(c: Cidr): number {
  return bitAnd(c.addr, mask(c.len));
}

export function contains(c: Cidr, ip: number): boolean {
  return bitAnd(ip, mask(c.len)) === network(c);
}

// JavaScript's & works on signed 32-bit values; keep results unsigned.
function bitAnd(a: number, b: number): number {
  return (a & b) >>> 0;
}

/** The device that owns `ip` (one of its addresses), first in declaration order. */
export function addressOwner(topo: Pick<Topology, 'devices'>, ip: number): Device | undefined {
  for (const d of topo.devices.values()) if (d.addrs.some((c) => c.addr === ip)) return d;
  return undefined;
}
