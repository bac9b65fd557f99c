#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# A fake scheduler that gives up after $1 seconds (0.5 by default) with status 3.
echo "dying scheduler started with: $*"
busybox sleep "${1:-0.5}"
echo "dying scheduler: giving up now"
exit 3
