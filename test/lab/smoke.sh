#!/bin/sh
# The lab's smoke test, run inside the guest: the seed's LVS-DR director table built with ipvsadm
# in a fresh namespace and listed back. (The full demo, programmed through ipvs-native with real
# packets, replaces this once the library and e2e topology exist.)
set -eu
ns=ipvs-smoke
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip link add ens33 type dummy
in_ns ip address add 192.168.8.10/24 dev ens33
in_ns ip address add 192.168.8.200/32 dev ens33 label ens33:0
in_ns ip link set ens33 up
in_ns ipvsadm -A -t 192.168.8.200:80 -s rr
in_ns ipvsadm -a -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 1
in_ns ipvsadm -a -t 192.168.8.200:80 -r 192.168.8.30:80 -g -w 1
echo "kernel $(uname -r), $(head -1 /proc/net/ip_vs)"
echo
in_ns ipvsadm -Ln
