#!/bin/sh
# /proc/sys/kernel/modprobe inside the lab guest: the kernel runs it from the initramfs root.
. /out/lab.env
exec chroot /host /sbin/modprobe -d "$LAB_MODROOT" -S "$LAB_KVER" "$@"
