#include "btf-enum.h"

#include <bpf/btf.h>

Napi::Value BtfEnum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return env.Null();
  int id = btf__find_by_name_kind(vmlinux, name.c_str(), BTF_KIND_ENUM);
  if (id < 0) {
    btf__free(vmlinux);
    return env.Null();
  }
  const btf_type* t = btf__type_by_id(vmlinux, id);
  const struct btf_enum* e = btf_enum(t);
  Napi::Object result = Napi::Object::New(env);
  for (int i = 0; i < btf_vlen(t); i++) {
    result.Set(Napi::Number::New(env, e[i].val), Napi::String::New(env, btf__name_by_offset(vmlinux, e[i].name_off)));
  }
  btf__free(vmlinux);
  return result;
}
