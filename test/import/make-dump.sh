#!/bin/sh
# Regenerates test/import/fixtures/dump/ (run as root after `node esbuild.mjs`; OUT=DIR writes
# elsewhere). The fixture has a netkit pair: on a kernel without netkit, run it in the kernel VM:
#   DATAPATH_LENS_VM_KEEP=1 node scripts/kernel-vm.mjs -- sh -c 'OUT=$DL_OUT/dump sh test/import/make-dump.sh'
# and copy the dump folder from the run folder it names. It builds
# fixtures/cilium-node/cilium-node.topo with `datapath-lens lab up`, then runs the documented
# dump command (the last line of `datapath-lens import --help`) as it would run on a node: in a
# private mount namespace whose /run/netns holds only the lab's namespaces, under their
# topology names, and whose root network namespace is the lab's "host".
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/test/import/fixtures/dump}
CLI="node $ROOT/dist/cli.js"
WORK=$(mktemp -d)
cp "$ROOT"/test/import/fixtures/cilium-node/* "$WORK"/
TOPO=$WORK/cilium-node.topo
trap '$CLI lab down "$TOPO" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT INT TERM
$CLI lab up "$TOPO" --json >"$WORK/up.json"
P=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).prefix)' "$WORK/up.json")
$CLI import --help | tail -n 1 | sed 's/^ *//' >"$WORK/dump.sh"
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/orig"
unshare --mount nsenter --net="/run/netns/$P-host" sh -ec '
  P=$1; WORK=$2; OUT=$3
  mount --make-rprivate /
  mount -t sysfs none /sys
  mount --rbind /run/netns "$WORK/orig"
  mount -t tmpfs none /run/netns
  for f in "$WORK"/orig/"$P"-*; do
    n=${f##*/$P-}; [ "$n" = host ] && continue
    touch "/run/netns/$n"; mount --bind "$f" "/run/netns/$n"
  done
  cd "$OUT"; D=. sh "$WORK/dump.sh"
' sh "$P" "$WORK" "$OUT"
echo "wrote $OUT from lab $P"
