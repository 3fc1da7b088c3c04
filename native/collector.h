// The collector: starts a BpfSession (load + attach), and drains the ring buffer on its own thread into batches handed to one JavaScript callback.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

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

  void Drain();
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

  BpfSession session_;
  ring_buffer* ring_ = nullptr;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> closing_{false};  // the TSFN is aborted: the drain thread must not call JS again
  Napi::ThreadSafeFunction on_batch_;
  bool owner_released_ = false;
  bool started_ = false;  // the drain thread holds its own TSFN reference once started
  std::vector<uint8_t>* batch_ = nullptr;  // owned by the drain thread until handed to JS
  std::atomic<uint64_t> delivered_[TW_TP_MAX] = {};
  std::atomic<uint64_t> batches_{0};
  // Kernel counters, summed over CPUs; kept after the maps are gone.
  uint64_t seen_[TW_TP_MAX] = {};
  uint64_t lost_[TW_TP_MAX] = {};
};
