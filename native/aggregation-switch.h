// Whether the kernel aggregates a tracepoint's records: the one place that choice is made
// (docs/architecture.md, "Aggregation under load"). Forced on or off, or automatic: on once a
// slice's record rate reaches the threshold, off once it has stayed under half of it for the hold
// time (the gap keeps a rate near the threshold from flapping).
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

  bool on(uint32_t tp) const { return on_[tp]; }

 private:
  AggregationMode mode_;
  double on_per_second_;
  uint64_t hold_ns_;
  bool on_[TW_TP_MAX];
  uint64_t quiet_ns_[TW_TP_MAX] = {};
};
