// Reads the aggregates of one finished time slice out of an aggregation map (bpf/tcpwarden.h):
// one record per key, its count summed over CPUs, then the keys are deleted for the map's next
// slice. Plain libbpf, no Node: the addon's Collector and the old-kernel harness share it.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <functional>
#include <vector>

extern "C" {
#include "tcpwarden.h"
}

class AggregateDrain {
 public:
  // `max_keys` is the aggregation maps' max_entries. The buffers are sized for it once, here,
  // not at each drain: the collector drains every time slice, and at 16,384 keys on 2 CPUs they
  // are 1.8 MB to allocate and zero.
  explicit AggregateDrain(uint32_t max_keys);

  // Calls `out` once per key with a record flagged TW_F_AGGREGATE (count = packets, ts_ns = the
  // first packet's CLOCK_MONOTONIC time) and deletes the key. Returns the packets drained.
  uint64_t Drain(int map_fd, const std::function<void(const tw_record&)>& out);

 private:
  int ncpu_;
  uint32_t max_keys_;
  std::vector<tw_record> keys_;
  std::vector<tw_agg_value> values_;  // per key, one value per possible CPU
};
