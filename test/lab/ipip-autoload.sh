#!/bin/sh
# Run in the lab before any test has used the guest's kernel (it unloads ipip, which every tunl0
# of the guest depends on, so it cannot run beside the e2e suites): test/run-kernel-suites.ts runs
# it first in each guest of the whole suite; alone: npm run lab -- sh test/lab/ipip-autoload.sh
# Proves what docs/tun.md claims: prepareRealServer({ mode: 'tun' }) on a machine without the ipip
# module gets the kernel to load it (rtnl-link-ipip) and brings tunl0 up with the VIP, with no
# modprobe of its own. Nothing else may touch tunl0 before it: even `ip link show tunl0` would make
# the kernel load ipip (netdev-tunl0), so the state is read with dumps only.
set -eu
ns=ipip-autoload
fail() { echo "ipip-autoload: FAIL: $*" >&2; exit 1; }
rmmod ipip
if lsmod | grep -q '^ipip '; then fail "ipip is still loaded"; fi
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
if ip -n "$ns" -o link | grep -q tunl0; then fail "tunl0 exists before the preparation"; fi
node --import tsx -e "
(async () => {
  const { prepareRealServer, checkRealServer } = await import('$(pwd)/lib/index.ts');
  const netns = '/run/netns/$ns';
  const prepared = await prepareRealServer({ vip: '192.168.8.200', mode: 'tun', netns });
  console.log('changes:', prepared.changes.map((c) => c.kind).join(' '));
  const findings = await checkRealServer({ vip: '192.168.8.200', mode: 'tun', netns });
  if (findings.length > 0) throw new Error(JSON.stringify(findings));
})().catch((error) => { console.error(error); process.exit(1); });"
lsmod | grep -q '^ipip ' || fail "ipip was not loaded"
ip -n "$ns" -o link show tunl0 | grep -q 'UP,LOWER_UP' || fail "tunl0 is not up"
ip -n "$ns" -o -4 address show dev tunl0 | grep -q '192.168.8.200/32' || fail "the VIP is not on tunl0"
echo "ipip-autoload: ok: the kernel loaded ipip for prepareRealServer; tunl0 is up with the VIP"
