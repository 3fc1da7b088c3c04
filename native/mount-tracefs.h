// Mounting tracefs where a minimal host or container left it unmounted: libbpf attaches classic
// tracepoints by the ids tracefs lists, so without it nothing attaches.
#pragma once

#include <napi.h>

// mountTracefs(path): mounts tracefs at `path` (mount(2), needs CAP_SYS_ADMIN). Throws an Error
// whose `code` is the errno name (EPERM, ENOENT, ...) when the kernel refuses.
Napi::Value MountTracefs(const Napi::CallbackInfo& info);
