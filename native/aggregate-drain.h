// Reads the aggregates of one finished time slice out of an aggregation map (bpf/tcpwarden.h):
// one record per key, its count summed over CPUs, then the keys are deleted for the map's next
// slice. Plain libbpf, no Node: the addon's Collector and the old-kernel harness share it.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <functional>

extern "C" {
#include "tcpwarden.h"
}

// Calls `out` once per key with a record flagged TW_F_AGGREGATE (count = packets, ts_ns = the
// first packet's CLOCK_MONOTONIC time) and deletes the key. Returns the packets drained.
uint64_t DrainAggregates(int map_fd, const std::function<void(const tw_record&)>& out);
