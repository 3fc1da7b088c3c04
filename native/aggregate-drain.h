// Reads the aggregates of one finished time slice out of an aggregation map and its slot table
// (bpf/tcpwarden.h): one record per key, its count summed over CPUs and over both, then the keys
// are deleted and the slots emptied for the next slice of that parity. Plain libbpf, no Node: the
// addon's Collector and the old-kernel harness share it.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

extern "C" {
#include "tcpwarden.h"
}

// One slice parity's tables: the per-CPU hash map, and the slot table mapped into this process
// (`slot_count` slots over all CPUs).
struct AggregateTables {
  int map_fd;
  tw_agg_slot* slots;
  uint32_t slot_count;
};

class AggregateDrain {
 public:
  // `max_keys` is the aggregation maps' max_entries. The buffers are sized for it once, here,
  // not at each drain: the collector drains every time slice, and at 16,384 keys on 2 CPUs they
  // are 1.8 MB to allocate and zero.
  explicit AggregateDrain(uint32_t max_keys);

  // Calls `out` once per key with a record flagged TW_F_AGGREGATE (count = packets, ts_ns = the
  // first packet's CLOCK_MONOTONIC time), deletes the map's keys and empties the slots. Returns
  // the packets drained.
  uint64_t Drain(const AggregateTables& tables, const std::function<void(const tw_record&)>& out);

 private:
  struct KeyHash {
    size_t operator()(const tw_record& r) const {
      return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(&r), sizeof(r)));
    }
  };
  struct KeyEqual {
    bool operator()(const tw_record& a, const tw_record& b) const { return memcmp(&a, &b, sizeof(a)) == 0; }
  };

  void DrainMap(int map_fd);
  void DrainSlots(tw_agg_slot* slots, uint32_t slot_count);
  void Add(const tw_record& key, uint64_t count, uint64_t first_ns);

  int ncpu_;
  uint32_t max_keys_;
  std::vector<tw_record> keys_;
  std::vector<tw_agg_value> values_;  // per key, one value per possible CPU
  // A key can sit in the map and in slots on other CPUs: the sums per key, kept between drains
  // so its buckets are allocated once.
  std::unordered_map<tw_record, tw_agg_value, KeyHash, KeyEqual> sums_;
};
