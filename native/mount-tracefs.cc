#include "mount-tracefs.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <string>

Napi::Value MountTracefs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(env, "mountTracefs(path) takes the mount point");
  }
  std::string path = info[0].As<Napi::String>();
  // nosuid/nodev/noexec as systemd mounts it (sys-kernel-tracing.mount).
  if (mount("nodev", path.c_str(), "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    int err = errno;
    Napi::Error e = Napi::Error::New(env, "mounting tracefs at " + path + ": " + strerror(err));
    e.Set("code", Napi::String::New(env, strerrorname_np(err) ? strerrorname_np(err) : "EIO"));
    throw e;
  }
  return env.Undefined();
}
