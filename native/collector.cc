#include "collector.h"

#include <bpf/libbpf.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "libbpf-log.h"

namespace {

int64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
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
                      InstanceMethod<&Collector::Close>("close"), InstanceMethod<&Collector::Stats>("stats")});
}

// new Collector({ ringBytes, netns, probe, batchRecords, maxQueuedBatches, pollMs }, onBatch(buffer | null))
// onBatch gets one Buffer of records per batch, then null once after stop(): the end of the stream.
Collector::Collector(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Collector>(info) {
  Napi::Object opts = info[0].As<Napi::Object>();
  session_options_.ring_bytes = opts.Get("ringBytes").As<Napi::Number>().Uint32Value();
  session_options_.netns = opts.Get("netns").As<Napi::Number>().Uint32Value();
  session_options_.probe = opts.Get("probe").As<Napi::Boolean>().Value();
  batch_records_ = opts.Get("batchRecords").As<Napi::Number>().Uint32Value();
  max_queued_batches_ = opts.Get("maxQueuedBatches").As<Napi::Number>().Uint32Value();
  poll_ms_ = opts.Get("pollMs").As<Napi::Number>().Int32Value();
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
  if (!self->owner_released_) {
    self->owner_released_ = true;
    self->closing_ = true;
    self->on_batch_.Abort();
  }
  self->Destroy();
}

// Returns { attached: string[], missing: string[] }.
Napi::Value Collector::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (session_.started() || owner_released_) throw Napi::Error::New(env, "a collector starts once");
  LibbpfLog::Install();

  std::string failed;
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
  clock_offset_ns_ = NowNs(CLOCK_REALTIME) - NowNs(CLOCK_MONOTONIC);
  running_ = true;
  on_batch_.Ref(env);
  started_ = true;
  thread_ = std::thread(&Collector::Drain, this);

  Napi::Object result = Napi::Object::New(env);
  result.Set("attached", attached);
  result.Set("missing", missing);
  return result;
}

// Asks the drain thread to detach, deliver what is left, and end the stream (onBatch(null)).
Napi::Value Collector::Stop(const Napi::CallbackInfo& info) {
  running_ = false;
  return info.Env().Undefined();
}

// After the end of the stream: joins the thread and frees programs, maps and links.
Napi::Value Collector::Close(const Napi::CallbackInfo& info) {
  running_ = false;
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
  delete batch_;
  batch_ = nullptr;
}

void Collector::Drain() {
  bool open = true;
  while (running_ && open) {
    // Records are submitted without a wakeup (see submit() in the BPF program), so the poll is a
    // timer: consume after each one. The timeout bounds a record's delay and how soon stop() is seen.
    int n = ring_buffer__poll(ring_, poll_ms_);
    if (n < 0 && n != -EINTR) break;
    if (ring_buffer__consume(ring_) < 0) break;
    open = Flush();
  }
  // Detach first so nothing new arrives, then deliver what the ring still holds.
  session_.Detach();
  if (open && !closing_) {
    ring_buffer__consume(ring_);
    if (Flush()) EndOfStream();
  }
  on_batch_.Release();
}

int Collector::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Collector*>(ctx);
  if (size != sizeof(tw_record)) return 0;
  if (!self->batch_) {
    self->batch_ = new std::vector<uint8_t>();
    self->batch_->reserve(self->batch_records_ * sizeof(tw_record));
  }
  size_t at = self->batch_->size();
  self->batch_->resize(at + sizeof(tw_record));
  auto* rec = reinterpret_cast<tw_record*>(self->batch_->data() + at);
  memcpy(rec, data, sizeof(tw_record));
  rec->ts_ns += self->clock_offset_ns_;  // to wall-clock time
  if (rec->tracepoint < TW_TP_MAX) self->delivered_[rec->tracepoint]++;
  if (self->batch_->size() >= self->batch_records_ * sizeof(tw_record) && !self->Flush()) return -1;
  return 0;
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

void Collector::ReadCounters() { session_.ReadCounters(seen_, lost_); }

// Returns { seen, lost, delivered: number[] indexed by enum tw_tracepoint, batches }.
Napi::Value Collector::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (session_.started()) ReadCounters();
  Napi::Array seen = Napi::Array::New(env, TW_TP_MAX);
  Napi::Array lost = Napi::Array::New(env, TW_TP_MAX);
  Napi::Array delivered = Napi::Array::New(env, TW_TP_MAX);
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    seen.Set(tp, double(seen_[tp]));
    lost.Set(tp, double(lost_[tp]));
    delivered.Set(tp, double(delivered_[tp].load()));
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("seen", seen);
  result.Set("lost", lost);
  result.Set("delivered", delivered);
  result.Set("batches", double(batches_.load()));
  return result;
}
