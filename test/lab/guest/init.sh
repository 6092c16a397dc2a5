#!/bin/sh
# PID 1 of the lab guest (busybox). Loads the 9p modules, mounts the host's / read-only with fresh
# proc, sys, dev, /tmp and /run over it, mounts the shares listed by the host, and runs the host's
# command as root inside that tree. Output and exit status go back through the writable "out"
# share; the serial console only carries the kernel's own messages.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "lab-init: $*" >/dev/console
  [ -d /out/. ] && echo "$*" >/out/init-error
  sync
  poweroff -f
}

OPTS9P=trans=virtio,version=9p2000.L,msize=512000
while read -r module; do
  insmod "/lib/modules/$module" || fail "insmod $module"
done </modules.order

mkdir -p /out /host
mount -t 9p -o "$OPTS9P" out /out || fail "mount the out share"
. /out/lab.env

mount -t 9p -o "$OPTS9P,cache=loose,ro" host /host || fail "mount the host's /"
mount -t proc proc /host/proc || fail "mount proc"
mount -t sysfs sysfs /host/sys || fail "mount sysfs"
mount -t devtmpfs devtmpfs /host/dev || fail "mount devtmpfs"
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "mount /tmp"
mount -t tmpfs -o mode=755 tmpfs /host/run || fail "mount /run"
mkdir -p /host/run/lab && mount --bind /out /host/run/lab || fail "bind the out share"

# Shares at their host paths: the repository (which may live under the host's /tmp, now hidden by
# the fresh tmpfs) and the kernel cache. Format: tag mode path.
while read -r tag mode path; do
  mkdir -p "/host$path" 2>/dev/null
  mount -t 9p -o "$OPTS9P,$mode" "$tag" "/host$path" || fail "mount share $tag at $path"
done </out/shares

# The kernel's own module requests (a scheduler named for the first time, a tunnel type) run
# from this root, outside the chroot: send them to the host's modprobe and the cached modules.
echo /sbin/lab-modprobe >/proc/sys/kernel/modprobe
hostname ipvs-lab
# Through the host's /bin/sh: busybox's chroot would run its own applets for bare command names.
in_host() { chroot /host /bin/sh -c "$1"; }
in_host 'ip link set lo up'
for module in $LAB_MODULES; do
  in_host "modprobe -d '$LAB_MODROOT' -S '$LAB_KVER' $module" || fail "modprobe $module"
done

# A task blocked for 120 s (the kernel's hung-task report) is a deadlock, not slowness: the guest
# has deadlocked under TCG while a namespace was being torn down. Then the stacks of every blocked
# task (sysrq w) and the kernel log go to the out share, and the guest stops at once instead of
# waiting for the run's timeout.
(
  while sleep 15; do
    dmesg | grep -q 'blocked for more than' || continue
    echo w >/proc/sysrq-trigger
    sleep 2
    dmesg >/out/hung-tasks
    sync
    poweroff -f
  done
) &
chroot /host /bin/sh /run/lab/run.sh >/out/output 2>&1 </dev/null
echo $? >/out/status
sync
poweroff -f
