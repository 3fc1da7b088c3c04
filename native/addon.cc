// The tcpwarden native addon: the Collector class, BTF enum lookup, mounting tracefs, and the
// record layout so the JavaScript decoder can check that it reads the same layout the kernel
// side writes.
#include <napi.h>

#include <cstddef>

#include "btf-enum.h"
#include "collector.h"
#include "mount-tracefs.h"

namespace {

Napi::Object RecordLayout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("size", sizeof(tw_record));
#define TW_FIELD(f) o.Set(#f, offsetof(tw_record, f))
  TW_FIELD(ts_ns);
  TW_FIELD(skaddr);
  TW_FIELD(cookie);
  TW_FIELD(saddr);
  TW_FIELD(daddr);
  TW_FIELD(netns);
  TW_FIELD(pid);
  TW_FIELD(count);
  TW_FIELD(sport);
  TW_FIELD(dport);
  TW_FIELD(family);
  TW_FIELD(tracepoint);
  TW_FIELD(state);
  TW_FIELD(oldstate);
  TW_FIELD(reason);
  TW_FIELD(flags);
  TW_FIELD(comm);
#undef TW_FIELD
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Collector", Collector::Define(env));
  exports.Set("btfEnum", Napi::Function::New(env, BtfEnum));
  exports.Set("mountTracefs", Napi::Function::New(env, MountTracefs));
  exports.Set("recordLayout", RecordLayout(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(tcpwarden, Init)
