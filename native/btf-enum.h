// Enum names from the running kernel's BTF: value numbering (e.g. sk_rst_reason) changes between
// kernels, so names are looked up where the values come from.
#pragma once

#include <napi.h>

// btfEnum(name): { [value]: "ENUMERATOR_NAME" } for `enum name` in /sys/kernel/btf/vmlinux,
// or null when the kernel has no BTF or no such enum.
Napi::Value BtfEnum(const Napi::CallbackInfo& info);
