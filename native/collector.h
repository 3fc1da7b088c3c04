// The collector: starts a BpfSession (load + attach), and drains the ring buffer on its own thread into batches handed to one JavaScript callback.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aggregate-drain.h"
#include "aggregation-switch.h"
#include "bpf-session.h"

struct ring_buffer;

class Collector : public Napi::ObjectWrap<Collector> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Collector(const Napi::CallbackInfo& info);
  ~Collector() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value SetAggregateKeep(const Napi::CallbackInfo& info);
  Napi::Value SetAttached(const Napi::CallbackInfo& info);

  int OpenWait();
  void Wake();
  void Wait(int timeout_ms);
  int MsToNextSlice() const;
  void Drain();
  void NextSlice();
  void SwitchEarly();
  void DrainAggregates(int parity);
  bool Append(const tw_record& record);
  bool Flush();
  void EndOfStream();
  void Destroy();
  void ReadCounters();
  static int OnRecord(void* ctx, void* data, size_t size);
  static void CleanupHook(void* self);

  // Options, fixed at construction.
  SessionOptions session_options_;
  size_t batch_records_;
  size_t max_queued_batches_;
  int poll_ms_;
  int64_t clock_offset_ns_ = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC at start
  AggregationMode agg_mode_ = AggregationMode::kAuto;
  double agg_on_per_second_ = 0;
  uint64_t agg_hold_ns_ = 0;
  std::atomic<uint32_t> agg_keep_{0};  // TW_KEEP_*, set from JS, applied by the drain thread
  uint32_t applied_keep_ = 0;

  BpfSession session_;
  ring_buffer* ring_ = nullptr;
  std::thread thread_;
  int wait_fd_ = -1;  // the drain thread's epoll set: the ring and wake_fd_
  int wake_fd_ = -1;  // an eventfd: stop() wakes a sleeping drain thread
  std::atomic<bool> running_{false};
  std::atomic<bool> closing_{false};  // the TSFN is aborted: the drain thread must not call JS again
  Napi::ThreadSafeFunction on_batch_;
  bool owner_released_ = false;
  bool started_ = false;  // the drain thread holds its own TSFN reference once started
  std::vector<uint8_t>* batch_ = nullptr;  // owned by the drain thread until handed to JS
  std::atomic<uint64_t> delivered_[TW_TP_MAX] = {};
  std::atomic<uint64_t> batches_{0};
  // Aggregation, on the drain thread: the wall-clock slice being counted, the switch, and the
  // kernel's `seen` at the last slice (the switch's rate).
  uint64_t slice_ = 0;
  uint64_t slice_at_ns_ = 0;
  std::unique_ptr<AggregationSwitch> switch_;
  uint64_t switch_seen_[TW_TP_MAX] = {};
  uint64_t delivered_at_slice_[TW_TP_MAX] = {};  // delivered_ when the slice began (SwitchEarly)
  std::unique_ptr<AggregateDrain> drain_;
  // The kernel's `aggregated` summed over tracepoints at the last slice, and the maps (bit per
  // parity) drained since it last moved: once both are, the drain is skipped (NextSlice).
  uint64_t aggregated_at_slice_ = 0;
  uint32_t drained_since_move_ = 0;
  std::atomic<uint64_t> agg_delivered_[TW_TP_MAX] = {};  // packets handed over in aggregates
  std::atomic<uint64_t> aggregates_[TW_TP_MAX] = {};     // aggregate records handed over
  std::atomic<bool> aggregating_[TW_TP_MAX] = {};
  // Kernel counters, summed over CPUs; kept after the maps are gone.
  KernelCounters counters_;
};
