#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# A fake scheduler that stays alive until SIGINT, and leaves a warning in the kernel log.
echo "alive scheduler started with: $*"
echo "WARNING: ktstr fake scheduler says hello" > /dev/kmsg
trap 'echo "alive scheduler got SIGINT"; exit 0' INT
while :; do busybox sleep 0.1; done
