// What an ELF section name tells: libbpf's section table (tools/lib/bpf/libbpf.c,
// section_defs) gives the program type and, for some names, where auto-attach puts it.
import type { Hook } from '../topology/model';

export type ProgramType = 'sched_cls' | 'xdp' | 'cgroup_skb' | 'lwt_in' | 'lwt_out' | 'lwt_xmit' | 'lwt_seg6local' | 'other';

/** Where the section says the program attaches (null: plain tc / classifier / action, or unknown). */
export type SectionAttach =
  | 'tc-ingress' | 'tc-egress' | 'tcx-ingress' | 'tcx-egress'
  | 'netkit-primary' | 'netkit-peer'
  | 'xdp' | 'xdp-devmap' | 'xdp-cpumap'
  | 'cgroup-skb-ingress' | 'cgroup-skb-egress';

export interface SectionMeaning {
  /** null when libbpf does not know the name (iproute2 and Cilium use free names). */
  type: ProgramType | null;
  attach: SectionAttach | null;
  /** The model hook, when the attach point is one. */
  hook: Hook | null;
  /** The role the device plays where the program runs. */
  role: 'ingress' | 'egress' | null;
  /** xdp.frags: the program accepts multi-buffer frames. */
  frags: boolean;
}

// Sections that hold data, not programs.
const DATA = /^(license|version|maps|\.maps|\.BTF|\.BTF\.ext|\.data|\.rodata|\.bss|\.kconfig|\.ksyms|\.struct_ops)(\b|\.|\/|$)|^maps\//;

export function isDataSection(section: string): boolean {
  return DATA.test(section);
}

const none = (type: ProgramType | null): SectionMeaning => ({ type, attach: null, hook: null, role: null, frags: false });

export function classifySection(section: string): SectionMeaning {
  const s = section.trim();
  const [head, ...rest] = s.split('/');
  const tail = rest.join('/');
  switch (head) {
    case 'tc':
    case 'tcx': {
      if (tail === 'ingress' || tail === 'egress') {
        // libbpf 1.3+: tc/ingress and tc/egress are aliases of tcx/* (BPF_TCX_INGRESS/EGRESS).
        const attach = `${head}-${tail}` as SectionAttach;
        return { type: 'sched_cls', attach, hook: attach as Hook, role: tail, frags: false };
      }
      return none('sched_cls');
    }
    case 'classifier': case 'action': case 'sched_cls': case 'sched_act':
      return none('sched_cls');
    case 'netkit':
      if (tail === 'primary' || tail === 'peer') {
        const attach = `netkit-${tail}` as SectionAttach;
        return { type: 'sched_cls', attach, hook: attach as Hook, role: null, frags: false };
      }
      return none('sched_cls');
    case 'xdp': case 'xdp.frags': {
      const frags = head === 'xdp.frags';
      if (tail === 'devmap') return { type: 'xdp', attach: 'xdp-devmap', hook: null, role: 'egress', frags };
      if (tail === 'cpumap') return { type: 'xdp', attach: 'xdp-cpumap', hook: null, role: null, frags };
      return { type: 'xdp', attach: 'xdp', hook: 'xdp', role: 'ingress', frags };
    }
    case 'xdp_devmap': return { type: 'xdp', attach: 'xdp-devmap', hook: null, role: 'egress', frags: false };
    case 'xdp_cpumap': return { type: 'xdp', attach: 'xdp-cpumap', hook: null, role: null, frags: false };
    case 'cgroup_skb':
      if (tail === 'ingress' || tail === 'egress') return { type: 'cgroup_skb', attach: `cgroup-skb-${tail}`, hook: null, role: tail, frags: false };
      return none('cgroup_skb');
    case 'cgroup':
      return tail === 'skb' ? none('cgroup_skb') : none('other');
    case 'lwt_in': case 'lwt_out': case 'lwt_xmit': case 'lwt_seg6local':
      return none(head);
  }
  return none(null);
}

/** The program type the context argument implies: `struct xdp_md *` is XDP, `struct __sk_buff *` an skb program. */
export function typeFromContext(paramText: string, resolve: (name: string) => string | undefined): ProgramType | null {
  for (const m of paramText.matchAll(/[A-Za-z_]\w*/g)) {
    let name = m[0];
    for (let i = 0; i < 4; i++) {
      if (name === 'xdp_md') return 'xdp';
      if (name === '__sk_buff') return 'sched_cls';
      const next = resolve(name);
      if (!next) break;
      name = next;
    }
  }
  return null;
}
