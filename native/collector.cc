#include "collector.h"

#include <bpf/libbpf.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aggregate-drain.h"
#include "libbpf-log.h"

namespace {

int64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The drain thread reads a slice's map this long after the slice ended: 2 ms, by when a program
// that read the clock just before the boundary has counted (programs run for microseconds), plus
// a tick, since programs stamp aggregated packets with a time read once per jiffy
// (tick_now() in the BPF program, at most a tick behind; the coarse clock's
// resolution is the tick).
uint64_t SliceGraceNs() {
  timespec tick{};
  if (clock_getres(CLOCK_MONOTONIC_COARSE, &tick) != 0) tick = {0, 10000000};
  return 2000000 + uint64_t(tick.tv_sec) * 1000000000 + uint64_t(tick.tv_nsec);
}

const uint64_t kSliceGraceNs = SliceGraceNs();

AggregationMode ModeOf(const std::string& name) {
  return name == "on" ? AggregationMode::kOn : name == "off" ? AggregationMode::kOff : AggregationMode::kAuto;
}

Napi::Error ErrnoError(Napi::Env env, const std::string& what, int err) {
  if (err < 0) err = -err;
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err) + LibbpfLog::Tail());
  e.Set("errno", Napi::Number::New(env, err));
  const char* name = err == EPERM ? "EPERM" : err == EACCES ? "EACCES" : err == ENOENT ? "ENOENT" : err == EINVAL ? "EINVAL" : "EBPF";
  e.Set("code", Napi::String::New(env, name));
  return e;
}

}  // namespace

Napi::Function Collector::Define(Napi::Env env) {
  return DefineClass(env, "Collector",
                     {InstanceMethod<&Collector::Start>("start"), InstanceMethod<&Collector::Stop>("stop"),
                      InstanceMethod<&Collector::Close>("close"), InstanceMethod<&Collector::Stats>("stats"),
                      InstanceMethod<&Collector::SetAggregateKeep>("setAggregateKeep"),
                      InstanceMethod<&Collector::SetAttached>("setAttached")});
}

// new Collector({ ringBytes, netns, probe, batchRecords, maxQueuedBatches, pollMs, aggregate: 'off' | 'on' | 'auto',
//   aggregateAbove, aggregateHoldMs, aggregateKeep, aggregateSliceMs, aggregateMaxKeys, aggregateSlots, attach }, onBatch(buffer | null))
// onBatch gets one Buffer of records per batch, then null once after stop(): the end of the stream.
Collector::Collector(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Collector>(info) {
  Napi::Object opts = info[0].As<Napi::Object>();
  session_options_.ring_bytes = opts.Get("ringBytes").As<Napi::Number>().Uint32Value();
  session_options_.netns = opts.Get("netns").As<Napi::Number>().Uint32Value();
  session_options_.probe = opts.Get("probe").As<Napi::Boolean>().Value();
  batch_records_ = opts.Get("batchRecords").As<Napi::Number>().Uint32Value();
  max_queued_batches_ = opts.Get("maxQueuedBatches").As<Napi::Number>().Uint32Value();
  poll_ms_ = opts.Get("pollMs").As<Napi::Number>().Int32Value();
  agg_mode_ = ModeOf(opts.Get("aggregate").As<Napi::String>().Utf8Value());
  agg_on_per_second_ = opts.Get("aggregateAbove").As<Napi::Number>().DoubleValue();
  agg_hold_ns_ = uint64_t(opts.Get("aggregateHoldMs").As<Napi::Number>().DoubleValue() * 1e6);
  agg_keep_ = opts.Get("aggregateKeep").As<Napi::Number>().Uint32Value();
  session_options_.agg_slice_ns = uint64_t(opts.Get("aggregateSliceMs").As<Napi::Number>().DoubleValue() * 1e6);
  session_options_.agg_max_keys = opts.Get("aggregateMaxKeys").As<Napi::Number>().Uint32Value();
  session_options_.agg_slots = opts.Get("aggregateSlots").As<Napi::Number>().Uint32Value();
  session_options_.attach = opts.Get("attach").As<Napi::Number>().Uint32Value();
  // Two references: the drain thread's and the owner's (released by close() or at exit).
  on_batch_ = Napi::ThreadSafeFunction::New(info.Env(), info[1].As<Napi::Function>(), "tcpwarden-ring",
                                            max_queued_batches_, 2);
  on_batch_.Unref(info.Env());  // only a running collector keeps the process alive (see Start)
  napi_add_env_cleanup_hook(info.Env(), CleanupHook, this);
}

Collector::~Collector() {
  napi_remove_env_cleanup_hook(Env(), CleanupHook, this);
  CleanupHook(this);
}

// At process exit (or GC): wake a drain thread blocked on JS, then tear everything down.
void Collector::CleanupHook(void* p) {
  auto* self = static_cast<Collector*>(p);
  self->running_ = false;
  self->Wake();
  if (!self->owner_released_) {
    self->owner_released_ = true;
    self->closing_ = true;
    self->on_batch_.Abort();
  }
  self->Destroy();
}

// Returns { attached: string[], missing: string[], castReads: boolean }.
Napi::Value Collector::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (session_.started() || owner_released_) throw Napi::Error::New(env, "a collector starts once");
  LibbpfLog::Install();

  std::string failed;
  // Aggregation slices follow the wall clock, as the engine's window slices do.
  clock_offset_ns_ = NowNs(CLOCK_REALTIME) - NowNs(CLOCK_MONOTONIC);
  session_options_.wall_offset_ns = clock_offset_ns_;
  int err = session_.Start(session_options_, &failed);
  if (err) throw ErrnoError(env, failed, err);
  Napi::Array attached = Napi::Array::New(env);
  Napi::Array missing = Napi::Array::New(env);
  for (const std::string& name : session_.attached) attached.Set(attached.Length(), name);
  for (const std::string& name : session_.missing) missing.Set(missing.Length(), name);

  // Poll the ring buffer on our own thread.
  ring_ = ring_buffer__new(session_.ring_fd(), OnRecord, this, nullptr);
  if (!ring_) {
    err = errno;
    Destroy();
    throw ErrnoError(env, "opening the ring buffer", err);
  }
  err = OpenWait();
  if (err) {
    Destroy();
    throw ErrnoError(env, "waiting on the ring buffer", err);
  }
  switch_ = std::make_unique<AggregationSwitch>(agg_mode_, agg_on_per_second_, agg_hold_ns_);
  drain_ = std::make_unique<AggregateDrain>(session_options_.agg_max_keys);
  applied_keep_ = agg_keep_;
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    aggregating_[tp] = switch_->on(tp);
    err = session_.SetAggregation(tp, aggregating_[tp], applied_keep_);
    if (err) {
      Destroy();
      throw ErrnoError(env, "switching aggregation", err);
    }
  }
  slice_at_ns_ = NowNs(CLOCK_MONOTONIC);
  slice_ = (slice_at_ns_ + clock_offset_ns_ - kSliceGraceNs) / session_options_.agg_slice_ns;
  running_ = true;
  on_batch_.Ref(env);
  started_ = true;
  thread_ = std::thread(&Collector::Drain, this);
  // Named, so `top -H` and the tests can tell it from Node's own threads (15 characters at most).
  pthread_setname_np(thread_.native_handle(), "tcpwarden-drain");

  Napi::Object result = Napi::Object::New(env);
  result.Set("attached", attached);
  result.Set("missing", missing);
  result.Set("castReads", Napi::Boolean::New(env, session_.cast_reads));
  return result;
}

// Asks the drain thread to detach, deliver what is left, and end the stream (onBatch(null)).
Napi::Value Collector::Stop(const Napi::CallbackInfo& info) {
  running_ = false;
  Wake();
  return info.Env().Undefined();
}

// After the end of the stream: joins the thread and frees programs, maps and links.
Napi::Value Collector::Close(const Napi::CallbackInfo& info) {
  running_ = false;
  Wake();
  Destroy();
  if (!owner_released_) {
    owner_released_ = true;
    if (!started_) on_batch_.Release();  // the drain thread's reference, never taken up
    on_batch_.Release();
  }
  return info.Env().Undefined();
}

void Collector::Destroy() {
  if (thread_.joinable()) thread_.join();
  if (ring_) {
    ring_buffer__free(ring_);
    ring_ = nullptr;
  }
  if (session_.started()) {
    ReadCounters();
    session_.Destroy();
  }
  for (int* fd : {&wait_fd_, &wake_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  delete batch_;
  batch_ = nullptr;
  switch_.reset();
  drain_.reset();
}

// One epoll set for the drain thread: the ring's own (libbpf's, ready when a record wakes it) and
// an eventfd that stop() writes, so a sleeping thread sees the stop at once.
int Collector::OpenWait() {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  wait_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (wake_fd_ < 0 || wait_fd_ < 0) return errno;
  for (int fd : {ring_buffer__epoll_fd(ring_), wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(wait_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return errno;
  }
  return 0;
}

void Collector::Wake() {
  if (wake_fd_ >= 0) eventfd_write(wake_fd_, 1);
}

// Until a record wakes the ring, stop() is called, or `timeout_ms` pass.
void Collector::Wait(int timeout_ms) {
  epoll_event ev[2];
  epoll_wait(wait_fd_, ev, 2, timeout_ms);
}

// The wait until NextSlice() sees the next slice, in whole ms (at least 1).
int Collector::MsToNextSlice() const {
  int64_t next = int64_t((slice_ + 1) * session_options_.agg_slice_ns + kSliceGraceNs) - clock_offset_ns_;
  int64_t left = next - NowNs(CLOCK_MONOTONIC);
  return left <= 0 ? 1 : int((left + 999999) / 1000000);
}

// Records are submitted without a wakeup while this thread polls (emit() in the BPF program), so
// the poll is a timer: consume after each one. The timeout bounds a record's delay and how soon
// stop() is seen. A poll that found nothing puts the thread to sleep until the next slice's
// work, and the programs wake it with the next record: an idle machine (or one whose flood is
// aggregated) wakes it a few times a second instead of a hundred. A record committed while the
// thread falls asleep, by a program that read the flag just before it was set, waits for the
// next slice at most.
void Collector::Drain() {
  bool open = true;
  bool asleep = false;
  while (running_ && open) {
    Wait(asleep ? MsToNextSlice() : poll_ms_);
    if (asleep) session_.SetReaderAsleep(false);
    int n = ring_buffer__consume(ring_);
    if (n < 0) break;
    NextSlice();
    if (n > 0) SwitchEarly();
    open = Flush();
    asleep = n == 0;
    if (asleep) {
      session_.SetReaderAsleep(true);
      // What came in before the programs could see the flag woke nobody: take it now.
      n = ring_buffer__consume(ring_);
      if (n < 0) break;
      if (n > 0) {
        session_.SetReaderAsleep(false);
        asleep = false;
        open = Flush();
      }
    }
  }
  // Detach first so nothing new arrives, then deliver what the ring and both aggregation maps hold.
  session_.Detach();
  if (open && !closing_) {
    ring_buffer__consume(ring_);
    DrainAggregates(0);
    DrainAggregates(1);
    if (Flush()) EndOfStream();
  }
  on_batch_.Release();
}

// Once a wall-clock slice has ended (and kSliceGraceNs more): hand over its aggregates, and let
// the switch judge each tracepoint's record rate over it. The map drained is the one the kernel
// is not counting into now; if this thread was late by a whole slice, what the current slice's
// map holds from before is handed over at the next boundary (still counted, stamped earlier).
//
// The counters are read before the drain. Once both maps have been drained since the kernel's
// `aggregated` last moved, they are empty: every packet counted into them was drained after it
// arrived. Draining them again would cost syscalls and a pass over the buffers each slice while
// the machine is quiet, so the drain waits for the counter to move. The kernel counts a packet
// after adding it to a map, so the slice that sees the move drains again, both maps in turn.
void Collector::NextSlice() {
  uint64_t now = NowNs(CLOCK_MONOTONIC);
  uint64_t slice = (now + clock_offset_ns_ - kSliceGraceNs) / session_options_.agg_slice_ns;
  if (slice == slice_) return;
  slice_ = slice;

  KernelCounters counters;
  session_.ReadCounters(&counters);
  uint64_t aggregated = 0;
  for (uint64_t n : counters.aggregated) aggregated += n;
  if (aggregated != aggregated_at_slice_) drained_since_move_ = 0;
  aggregated_at_slice_ = aggregated;
  int parity = int((slice - 1) & 1);
  constexpr uint32_t kBothMaps = (1u << 0) | (1u << 1);  // a bit per parity
  if (drained_since_move_ != kBothMaps) {
    DrainAggregates(parity);
    drained_since_move_ |= 1u << parity;
  }

  uint64_t elapsed = now - slice_at_ns_;
  slice_at_ns_ = now;
  uint32_t keep = agg_keep_;
  bool keep_changed = keep != applied_keep_;
  applied_keep_ = keep;
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    bool on = switch_->Next(tp, counters.seen[tp] - switch_seen_[tp], elapsed);
    switch_seen_[tp] = counters.seen[tp];
    delivered_at_slice_[tp] = delivered_[tp];
    if ((on != aggregating_[tp] || keep_changed) && session_.SetAggregation(tp, on, keep) == 0) aggregating_[tp] = on;
  }
}

// Between slice boundaries, from the records this thread has just read (no syscall): a
// tracepoint whose full records already come at the switch's rate is aggregated from now on.
void Collector::SwitchEarly() {
  uint64_t elapsed = NowNs(CLOCK_MONOTONIC) - slice_at_ns_;
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    if (aggregating_[tp] || !switch_->Early(tp, delivered_[tp] - delivered_at_slice_[tp], elapsed)) continue;
    if (session_.SetAggregation(tp, true, applied_keep_) == 0) aggregating_[tp] = true;
  }
}

void Collector::DrainAggregates(int parity) {
  drain_->Drain(session_.agg_tables(parity), [this](const tw_record& r) {
    if (r.tracepoint < TW_TP_MAX) {
      agg_delivered_[r.tracepoint] += r.count;
      aggregates_[r.tracepoint]++;
    }
    Append(r);
  });
}

int Collector::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Collector*>(ctx);
  if (size != sizeof(tw_record)) return 0;
  auto* rec = static_cast<const tw_record*>(data);
  if (rec->tracepoint < TW_TP_MAX) self->delivered_[rec->tracepoint]++;
  return self->Append(*rec) ? 0 : -1;
}

// Adds one record (kernel time) to the current batch, in wall-clock time; hands the batch to JS
// when full. False once JS can no longer be called.
bool Collector::Append(const tw_record& record) {
  if (!batch_) {
    batch_ = new std::vector<uint8_t>();
    batch_->reserve(batch_records_ * sizeof(tw_record));
  }
  size_t at = batch_->size();
  batch_->resize(at + sizeof(tw_record));
  auto* rec = reinterpret_cast<tw_record*>(batch_->data() + at);
  memcpy(rec, &record, sizeof(tw_record));
  rec->ts_ns += clock_offset_ns_;  // to wall-clock time
  if (batch_->size() >= batch_records_ * sizeof(tw_record)) return Flush();
  return true;
}

// Hands the current batch to JS: one call per batch. Blocks while JS is behind by
// max_queued_batches_, so the ring buffer fills and the kernel counts what is lost.
// Returns false once JS can no longer be called (process exit).
bool Collector::Flush() {
  std::vector<uint8_t>* batch = batch_;
  if (!batch || batch->empty()) return !closing_;
  batch_ = nullptr;
  batches_++;
  napi_status status = on_batch_.BlockingCall(batch, [](Napi::Env env, Napi::Function fn, std::vector<uint8_t>* b) {
    Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(
        env, b->data(), b->size(), [](Napi::Env, uint8_t*, std::vector<uint8_t>* owned) { delete owned; }, b);
    fn.Call({buf});
  });
  if (status != napi_ok) {
    delete batch;
    return false;
  }
  return true;
}

void Collector::EndOfStream() {
  on_batch_.BlockingCall([](Napi::Env env, Napi::Function fn) { fn.Call({env.Null()}); });
}

void Collector::ReadCounters() { session_.ReadCounters(&counters_); }

// Returns { seen, lost, delivered, aggregated, aggregatedDelivered, aggregates, aggregateFull:
// number[] and aggregating: boolean[], each indexed by enum tw_tracepoint, batches }.
Napi::Value Collector::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (session_.started()) ReadCounters();
  Napi::Object result = Napi::Object::New(env);
  auto set = [&](const char* name, auto value_of) {
    Napi::Array a = Napi::Array::New(env, TW_TP_MAX);
    for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) a.Set(tp, value_of(tp));
    result.Set(name, a);
  };
  set("seen", [&](uint32_t tp) { return double(counters_.seen[tp]); });
  set("lost", [&](uint32_t tp) { return double(counters_.lost[tp]); });
  set("delivered", [&](uint32_t tp) { return double(delivered_[tp].load()); });
  set("aggregated", [&](uint32_t tp) { return double(counters_.aggregated[tp]); });
  set("aggregatedDelivered", [&](uint32_t tp) { return double(agg_delivered_[tp].load()); });
  set("aggregates", [&](uint32_t tp) { return double(aggregates_[tp].load()); });
  set("aggregateFull", [&](uint32_t tp) { return double(counters_.agg_full[tp]); });
  set("aggregating", [&](uint32_t tp) { return Napi::Boolean::New(env, aggregating_[tp].load()); });
  result.Set("batches", double(batches_.load()));
  return result;
}

// setAttached(bits): attaches the loaded programs of the tw_tracepoint bits, detaches the others;
// returns the attached tracepoints' names. A no-op once stopping: the drain thread detaches then.
Napi::Value Collector::SetAttached(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (running_) {
    std::string failed;
    int err = session_.Attach(info[0].As<Napi::Number>().Uint32Value(), &failed);
    if (err) throw ErrnoError(env, failed, err);
  }
  Napi::Array attached = Napi::Array::New(env);
  for (const std::string& name : session_.attached) attached.Set(attached.Length(), name);
  return attached;
}

// setAggregateKeep(bits): the TW_KEEP_* fields aggregates keep from the next slice on (the rules changed).
Napi::Value Collector::SetAggregateKeep(const Napi::CallbackInfo& info) {
  agg_keep_ = info[0].As<Napi::Number>().Uint32Value();
  return info.Env().Undefined();
}
