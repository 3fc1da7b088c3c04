#include "aggregate-drain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

AggregateDrain::AggregateDrain(uint32_t max_keys)
    : ncpu_(libbpf_num_possible_cpus()), max_keys_(ncpu_ > 0 ? max_keys : 0), keys_(max_keys_),
      values_(size_t(max_keys_) * (ncpu_ > 0 ? ncpu_ : 0)) {}

uint64_t AggregateDrain::Drain(int map_fd, const std::function<void(const tw_record&)>& out) {
  if (max_keys_ == 0) return 0;
  // Whole buckets at a time, read and deleted in one call each: a syscall per bucket batch rather
  // than three per key (list, read, delete), which at thousands of keys a slice is most of the
  // reader's time. Room for every key, so no bucket is ever too large for the buffers (ENOSPC).
  uint64_t packets = 0;
  uint32_t in_token = 0, out_token = 0;
  bool first = true;
  for (;;) {
    uint32_t n = max_keys_;
    int err = bpf_map_lookup_and_delete_batch(map_fd, first ? nullptr : &in_token, &out_token, keys_.data(), values_.data(), &n, nullptr);
    if (err && errno != ENOENT) break;  // ENOENT: the last batch (possibly empty)
    for (uint32_t i = 0; i < n; i++) {
      tw_record r = keys_[i];
      uint64_t count = 0;
      uint64_t first_ns = UINT64_MAX;
      for (int cpu = 0; cpu < ncpu_; cpu++) {
        const tw_agg_value& v = values_[size_t(i) * ncpu_ + cpu];
        if (v.count == 0) continue;
        count += v.count;
        if (v.first_ns < first_ns) first_ns = v.first_ns;
      }
      if (count == 0) continue;
      packets += count;
      r.flags |= TW_F_AGGREGATE;
      r.ts_ns = first_ns;
      // A key holds at most a slice's packets; past 2^32 it is split so no count is cut.
      while (count > 0) {
        r.count = count > UINT32_MAX ? UINT32_MAX : uint32_t(count);
        count -= r.count;
        out(r);
      }
    }
    if (err) break;
    in_token = out_token;
    first = false;
  }
  return packets;
}
