#include "aggregate-drain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

AggregateDrain::AggregateDrain(uint32_t max_keys)
    : ncpu_(libbpf_num_possible_cpus()), max_keys_(ncpu_ > 0 ? max_keys : 0), keys_(max_keys_),
      values_(size_t(max_keys_) * (ncpu_ > 0 ? ncpu_ : 0)) {}

uint64_t AggregateDrain::Drain(const AggregateTables& tables, const std::function<void(const tw_record&)>& out) {
  sums_.clear();
  DrainMap(tables.map_fd);
  DrainSlots(tables.slots, tables.slot_count);
  uint64_t packets = 0;
  for (const auto& [key, sum] : sums_) {
    tw_record r = key;
    uint64_t count = sum.count;
    packets += count;
    r.flags |= TW_F_AGGREGATE;
    r.ts_ns = sum.first_ns;
    // A key holds at most a slice's packets; past 2^32 it is split so no count is cut.
    while (count > 0) {
      r.count = count > UINT32_MAX ? UINT32_MAX : uint32_t(count);
      count -= r.count;
      out(r);
    }
  }
  return packets;
}

void AggregateDrain::Add(const tw_record& key, uint64_t count, uint64_t first_ns) {
  if (count == 0) return;
  auto [it, added] = sums_.try_emplace(key, tw_agg_value{count, first_ns});
  if (added) return;
  it->second.count += count;
  if (first_ns < it->second.first_ns) it->second.first_ns = first_ns;
}

void AggregateDrain::DrainMap(int map_fd) {
  if (max_keys_ == 0) return;
  // Whole buckets at a time, read and deleted in one call each: a syscall per bucket batch rather
  // than three per key (list, read, delete), which at thousands of keys a slice is most of the
  // reader's time. Room for every key, so no bucket is ever too large for the buffers (ENOSPC).
  uint32_t in_token = 0, out_token = 0;
  bool first = true;
  for (;;) {
    uint32_t n = max_keys_;
    int err = bpf_map_lookup_and_delete_batch(map_fd, first ? nullptr : &in_token, &out_token, keys_.data(), values_.data(), &n, nullptr);
    if (err && errno != ENOENT) break;  // ENOENT: the last batch (possibly empty)
    for (uint32_t i = 0; i < n; i++) {
      uint64_t count = 0;
      uint64_t first_ns = UINT64_MAX;
      for (int cpu = 0; cpu < ncpu_; cpu++) {
        const tw_agg_value& v = values_[size_t(i) * ncpu_ + cpu];
        if (v.count == 0) continue;
        count += v.count;
        if (v.first_ns < first_ns) first_ns = v.first_ns;
      }
      Add(keys_[i], count, first_ns);
    }
    if (err) break;
    in_token = out_token;
    first = false;
  }
}

// The programs may still be adding to a slot (a program that read the clock just before the
// slice ended, or this thread late by a slice): a slot's key and first_ns are read only once its
// count is set, and stay put until the count is taken, with an exchange, so an add lands either
// in this drain or in the next.
void AggregateDrain::DrainSlots(tw_agg_slot* slots, uint32_t slot_count) {
  if (!slots) return;
  for (uint32_t i = 0; i < slot_count; i++) {
    tw_agg_slot& s = slots[i];
    if (__atomic_load_n(&s.count, __ATOMIC_ACQUIRE) == 0) continue;
    tw_record key = s.key;
    uint64_t first_ns = s.first_ns;
    Add(key, __atomic_exchange_n(&s.count, 0, __ATOMIC_ACQ_REL), first_ns);
  }
}
