// Whether the kernel aggregates a tracepoint's records: the one place that choice is made
// (docs/architecture.md, "Aggregation under load"). Forced on or off, or automatic: on once a
// slice's record rate reaches the threshold (or the part of the slice gone by, see Early), off once
// it has stayed under half of it for the hold time (the gap keeps a rate near the threshold from
// flapping).
#pragma once

#include <linux/types.h>

#include <cstdint>

extern "C" {
#include "tcpwarden.h"
}

enum class AggregationMode { kOff, kOn, kAuto };

class AggregationSwitch {
 public:
  AggregationSwitch(AggregationMode mode, double on_per_second, uint64_t hold_ns)
      : mode_(mode), on_per_second_(on_per_second), hold_ns_(hold_ns) {
    for (bool& on : on_) on = mode == AggregationMode::kOn;
  }

  // The records `tp` produced over the last `elapsed_ns`; returns whether to aggregate from now.
  bool Next(uint32_t tp, uint64_t records, uint64_t elapsed_ns) {
    if (mode_ != AggregationMode::kAuto || elapsed_ns == 0) return on_[tp];
    double rate = double(records) * 1e9 / double(elapsed_ns);
    if (rate >= on_per_second_) {
      on_[tp] = true;
      quiet_ns_[tp] = 0;
    } else if (on_[tp] && rate < on_per_second_ / 2) {
      quiet_ns_[tp] += elapsed_ns;
      if (quiet_ns_[tp] >= hold_ns_) on_[tp] = false;
    } else {
      quiet_ns_[tp] = 0;
    }
    return on_[tp];
  }

  // Within a slice: the full records `tp` wrote over the `elapsed_ns` of it gone by. True when
  // they already come at the threshold's rate over at least kEarlyNs, so aggregation starts now
  // rather than at the slice's end: a flood's first slice came as full records (a quarter of a
  // second of them, the costliest part of a flood for the reader).
  bool Early(uint32_t tp, uint64_t records, uint64_t elapsed_ns) {
    if (mode_ != AggregationMode::kAuto || on_[tp] || elapsed_ns < kEarlyNs) return false;
    if (double(records) * 1e9 / double(elapsed_ns) < on_per_second_) return false;
    on_[tp] = true;
    quiet_ns_[tp] = 0;
    return true;
  }

  bool on(uint32_t tp) const { return on_[tp]; }

  // The shortest part of a slice Early judges: two of the reader's polls.
  static constexpr uint64_t kEarlyNs = 20000000;

 private:
  AggregationMode mode_;
  double on_per_second_;
  uint64_t hold_ns_;
  bool on_[TW_TP_MAX];
  uint64_t quiet_ns_[TW_TP_MAX] = {};
};
