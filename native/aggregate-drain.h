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
// first packet's CLOCK_MONOTONIC time) and deletes the key. `max_keys` is the map's max_entries.
// Returns the packets drained.
uint64_t DrainAggregates(int map_fd, uint32_t max_keys, const std::function<void(const tw_record&)>& out);
