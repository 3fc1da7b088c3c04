#include "collector.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libbpf-log.h"
#include "tcpwarden.skel.h"

namespace {

// Tracepoint category/name per program, in enum tw_tracepoint order.
struct TracepointInfo {
  const char* category;
  const char* name;
};
const TracepointInfo kTracepoints[TW_TP_MAX] = {
    {"tcp", "tcp_retransmit_synack"}, {"tcp", "tcp_retransmit_skb"}, {"tcp", "tcp_send_reset"},
    {"tcp", "tcp_receive_reset"},     {"tcp", "tcp_destroy_sock"},   {"sock", "inet_sock_set_state"},
    {"tcp", "tcp_probe"},             {"skb", "kfree_skb"},
};

bpf_program* ProgramFor(tcpwarden_bpf* skel, int tp) {
  switch (tp) {
    case TW_TP_RETRANSMIT_SYNACK: return skel->progs.tcp_retransmit_synack;
    case TW_TP_RETRANSMIT_SKB: return skel->progs.tcp_retransmit_skb;
    case TW_TP_SEND_RESET: return skel->progs.tcp_send_reset;
    case TW_TP_RECEIVE_RESET: return skel->progs.tcp_receive_reset;
    case TW_TP_DESTROY_SOCK: return skel->progs.tcp_destroy_sock;
    case TW_TP_SET_STATE: return skel->progs.inet_sock_set_state;
    case TW_TP_PROBE: return skel->progs.tcp_probe;
    case TW_TP_KFREE_SKB: return skel->progs.kfree_skb;
  }
  return nullptr;
}

bool TracepointExists(const TracepointInfo& tp) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::string path = std::string(root) + "/events/" + tp.category + "/" + tp.name;
    if (access(path.c_str(), F_OK) == 0) return true;
  }
  return false;
}

// 6.10+ kernels report a reset sent with no socket through tcp_send_reset itself; older ones only
// through skb:kfree_skb, which is then the one place to see a SYN to a closed port.
bool SendResetHasOwnLayout() {
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return true;  // without BTF nothing loads anyway; don't add the costly kfree_skb hook
  bool own = btf__find_by_name_kind(vmlinux, "trace_event_raw_tcp_send_reset", BTF_KIND_STRUCT) >= 0;
  btf__free(vmlinux);
  return own;
}

int64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

uint64_t SumPerCpu(int map_fd, uint32_t key) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return 0;
  std::vector<uint64_t> values(ncpu);
  if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) return 0;
  uint64_t sum = 0;
  for (uint64_t v : values) sum += v;
  return sum;
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

// new Collector({ ringBytes, netns, probe, batchRecords, maxQueuedBatches, wakeupBytes, pollMs }, onBatch(buffer | null))
// onBatch gets one Buffer of records per batch, then null once after stop(): the end of the stream.
Collector::Collector(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Collector>(info) {
  Napi::Object opts = info[0].As<Napi::Object>();
  ring_bytes_ = opts.Get("ringBytes").As<Napi::Number>().Uint32Value();
  netns_ = opts.Get("netns").As<Napi::Number>().Uint32Value();
  probe_ = opts.Get("probe").As<Napi::Boolean>().Value();
  batch_records_ = opts.Get("batchRecords").As<Napi::Number>().Uint32Value();
  max_queued_batches_ = opts.Get("maxQueuedBatches").As<Napi::Number>().Uint32Value();
  wakeup_bytes_ = opts.Get("wakeupBytes").As<Napi::Number>().Uint32Value();
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
  if (skel_ || owner_released_) throw Napi::Error::New(env, "a collector starts once");
  LibbpfLog::Install();

  // Open the embedded object.
  skel_ = tcpwarden_bpf__open();
  if (!skel_) throw ErrnoError(env, "opening the BPF object", errno);

  // Set the switches and the ring size, and choose the programs, before load.
  skel_->rodata->targ_netns = netns_;
  skel_->rodata->wakeup_bytes = wakeup_bytes_;
  int err = bpf_map__set_max_entries(skel_->maps.events, ring_bytes_);
  if (err) {
    Destroy();
    throw ErrnoError(env, "sizing the ring buffer", err);
  }
  Napi::Array attached = Napi::Array::New(env);
  Napi::Array missing = Napi::Array::New(env);
  bool own_reset_layout = SendResetHasOwnLayout();
  bool wanted[TW_TP_MAX];
  for (int tp = 0; tp < TW_TP_MAX; tp++) {
    wanted[tp] = tp == TW_TP_PROBE ? probe_ : tp == TW_TP_KFREE_SKB ? !own_reset_layout : true;
    if (wanted[tp] && !TracepointExists(kTracepoints[tp])) {
      missing.Set(missing.Length(), std::string(kTracepoints[tp].category) + ":" + kTracepoints[tp].name);
      wanted[tp] = false;
    }
    bpf_program__set_autoload(ProgramFor(skel_, tp), wanted[tp]);
  }

  // Load and verify.
  err = tcpwarden_bpf__load(skel_);
  if (err) {
    Destroy();
    throw ErrnoError(env, "loading the BPF programs", err);
  }

  // Attach each wanted tracepoint; the skeleton owns the links and destroys them with the object.
  bpf_link** links[TW_TP_MAX] = {
      &skel_->links.tcp_retransmit_synack, &skel_->links.tcp_retransmit_skb, &skel_->links.tcp_send_reset,
      &skel_->links.tcp_receive_reset,     &skel_->links.tcp_destroy_sock,   &skel_->links.inet_sock_set_state,
      &skel_->links.tcp_probe,             &skel_->links.kfree_skb,
  };
  for (int tp = 0; tp < TW_TP_MAX; tp++) {
    if (!wanted[tp]) continue;
    *links[tp] = bpf_program__attach(ProgramFor(skel_, tp));
    if (!*links[tp]) {
      err = errno;
      Destroy();
      throw ErrnoError(env, std::string("attaching ") + kTracepoints[tp].category + ":" + kTracepoints[tp].name, err);
    }
    attached.Set(attached.Length(), std::string(kTracepoints[tp].category) + ":" + kTracepoints[tp].name);
  }

  // Poll the ring buffer on our own thread.
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), OnRecord, this, nullptr);
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
  if (skel_) {
    ReadCounters();
    tcpwarden_bpf__destroy(skel_);
    skel_ = nullptr;
  }
  delete batch_;
  batch_ = nullptr;
}

void Collector::Drain() {
  bool open = true;
  while (running_ && open) {
    // Records submitted without a wakeup are not announced to epoll: consume after every poll,
    // whether it woke on data or timed out. The timeout also bounds how soon stop() is noticed.
    int n = ring_buffer__poll(ring_, poll_ms_);
    if (n < 0 && n != -EINTR) break;
    if (ring_buffer__consume(ring_) < 0) break;
    open = Flush();
  }
  // Detach first so nothing new arrives, then deliver what the ring still holds.
  tcpwarden_bpf__detach(skel_);
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

void Collector::ReadCounters() {
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    seen_[tp] = SumPerCpu(bpf_map__fd(skel_->maps.seen), tp);
    lost_[tp] = SumPerCpu(bpf_map__fd(skel_->maps.lost), tp);
  }
}

// Returns { seen, lost, delivered: number[] indexed by enum tw_tracepoint, batches }.
Napi::Value Collector::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (skel_) ReadCounters();
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
