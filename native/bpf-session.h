// The BPF side of a collector, without Node: open the embedded object, set its switches, choose
// the programs this kernel can run, load, attach, and read the kernel-side counters. The addon's
// Collector and the old-kernel test harness (test/legacy-kernel/) share it.
#pragma once

#include <linux/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "tcpwarden.h"
}

#include "aggregate-drain.h"

struct tcpwarden_bpf;

struct SessionOptions {
  uint32_t ring_bytes;
  uint32_t netns;         // 0: every network namespace
  bool probe;             // also tcp:tcp_probe
  int64_t wall_offset_ns; // CLOCK_REALTIME - CLOCK_MONOTONIC: aggregation slices follow the wall clock
  uint64_t agg_slice_ns;  // the aggregation time slice
  uint32_t agg_max_keys;  // keys per aggregation map (one map per slice parity)
  uint32_t agg_slots;     // slots per CPU in each slot table in front of the maps; a power of two
  uint32_t attach = ~0u;  // bit per tw_tracepoint: the loaded programs to attach (Attach() changes it)
};

// Kernel-side counters per tracepoint, summed over CPUs (docs/events.md, "Loss").
struct KernelCounters {
  uint64_t seen[TW_TP_MAX] = {};
  uint64_t lost[TW_TP_MAX] = {};
  uint64_t aggregated[TW_TP_MAX] = {};
  uint64_t agg_full[TW_TP_MAX] = {};  // records written in full because the aggregation map was full
};

class BpfSession {
 public:
  BpfSession() = default;
  BpfSession(const BpfSession&) = delete;
  BpfSession& operator=(const BpfSession&) = delete;
  ~BpfSession();

  // Opens, configures, loads and attaches. Returns 0, or a negative errno with `*failed` naming
  // the step that failed.
  int Start(const SessionOptions& options, std::string* failed);
  // Attaches the loaded programs whose tw_tracepoint bit `mask` has and detaches the others: a
  // program loaded at start can be attached later without a new load (the rules asked for its
  // kind). Returns 0, or a negative errno with `*failed` naming the tracepoint.
  int Attach(uint32_t mask, std::string* failed);
  // Detaches every program; the maps stay readable.
  void Detach();
  // Frees programs, links and maps. Safe to call twice.
  void Destroy();
  bool started() const { return skel_ != nullptr; }
  int ring_fd() const;
  // Per-tracepoint counters summed over CPUs.
  void ReadCounters(KernelCounters* out) const;
  // Turns aggregation on or off for one tracepoint, with the key's TW_KEEP_* fields.
  int SetAggregation(uint32_t tp, bool on, uint32_t keep) const;
  // The aggregation map and slot table of even (0) or odd (1) slices.
  AggregateTables agg_tables(int parity) const;
  // Tells the programs whether the reader sleeps until a record wakes it (reader_asleep in the BPF
  // program): a store into the program's memory, mapped into this process; a full barrier.
  void SetReaderAsleep(bool asleep) const;

  // "category:name" of the attached tracepoints, and of wanted ones this kernel lacks.
  std::vector<std::string> attached;
  std::vector<std::string> missing;
  // Whether the programs read kernel memory with plain loads (bpf_rdonly_cast, 6.2+) rather than probe reads.
  bool cast_reads = false;

 private:
  int MapSlotTables(std::string* failed);

  tcpwarden_bpf* skel_ = nullptr;
  bool loaded_[TW_TP_MAX] = {};
  // The slot tables mapped into this process (the reader drains them without syscalls).
  tw_agg_slot* slots_ = nullptr;
  uint32_t slot_count_ = 0;  // per table, over all CPUs
  size_t slots_bytes_ = 0;
};
