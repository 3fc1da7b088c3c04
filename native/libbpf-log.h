// libbpf's messages, kept instead of printed: a failed load reports the verifier's last lines in
// its error, and TCPWARDEN_DEBUG=1 prints everything to stderr.
#pragma once

#include <string>

namespace LibbpfLog {
// Routes libbpf's print callback here (idempotent).
void Install();
// The last lines libbpf printed, as "\n  ..." lines for an error message; empty if none.
std::string Tail();
}  // namespace LibbpfLog
