#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds a synthetic sysfs tree for 'ktstr topo/locks --sysfs ROOT' (tests, benchmarks):
#   tests/mksysfs.sh ROOT NODES LLCS_PER_NODE CPUS_PER_LLC [--no-cache]
# CPUs are numbered node by node, LLC by LLC; node distances are 10 + 10 * |i - j|.
# (tests/unit/sysfs_fixture.h builds the same layout for the C unit tests.)
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 ROOT NODES LLCS_PER_NODE CPUS_PER_LLC [--no-cache]" >&2; exit 2; }
root=$1 nodes=$2 llcs=$3 cpus=$4 cache=1
[ "${5:-}" = --no-cache ] && cache=0
per_node=$((llcs * cpus)) n=$((nodes * llcs * cpus))
c=$root/devices/system/cpu
mkdir -p "$c"
echo "0-$((n - 1))" >"$c/online"
for ((i = 0; i < n; i++)); do
  mkdir -p "$c/cpu$i/topology"
  echo $((i / per_node)) >"$c/cpu$i/topology/physical_package_id"
  if [ $cache = 1 ]; then
    mkdir -p "$c/cpu$i/cache/index3"
    l0=$((i / cpus * cpus))
    echo "$l0-$((l0 + cpus - 1))" >"$c/cpu$i/cache/index3/shared_cpu_list"
  fi
done
for ((i = 0; i < nodes; i++)); do
  d=$root/devices/system/node/node$i
  mkdir -p "$d"
  echo "$((i * per_node))-$(((i + 1) * per_node - 1))" >"$d/cpulist"
  dist=""
  for ((j = 0; j < nodes; j++)); do
    k=$((i > j ? i - j : j - i))
    dist+="${dist:+ }$((10 + 10 * k))"
  done
  echo "$dist" >"$d/distance"
done
