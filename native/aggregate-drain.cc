#include "aggregate-drain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <vector>

uint64_t DrainAggregates(int map_fd, const std::function<void(const tw_record&)>& out) {
  // The keys first: deleting while walking with get_next_key can restart or skip the walk.
  std::vector<tw_record> keys;
  tw_record key{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(map_fd, prev, &key) == 0) {
    keys.push_back(key);
    prev = &keys.back();
  }
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return 0;
  std::vector<tw_agg_value> values(ncpu);
  uint64_t packets = 0;
  for (const tw_record& k : keys) {
    if (bpf_map_lookup_elem(map_fd, &k, values.data()) != 0) continue;
    bpf_map_delete_elem(map_fd, &k);
    tw_record r = k;
    uint64_t count = 0;
    uint64_t first = UINT64_MAX;
    for (const tw_agg_value& v : values) {
      if (v.count == 0) continue;
      count += v.count;
      if (v.first_ns < first) first = v.first_ns;
    }
    if (count == 0) continue;
    packets += count;
    r.flags |= TW_F_AGGREGATE;
    r.ts_ns = first;
    // A key holds at most a slice's packets; past 2^32 it is split so no count is cut.
    while (count > 0) {
      r.count = count > UINT32_MAX ? UINT32_MAX : uint32_t(count);
      count -= r.count;
      out(r);
    }
  }
  return packets;
}
