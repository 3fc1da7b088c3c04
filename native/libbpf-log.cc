#include "libbpf-log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace {

constexpr size_t kKeptLines = 12;
std::mutex mu;
std::deque<std::string> lines;
bool debug = false;

int Print(enum libbpf_print_level level, const char* format, va_list args) {
  // Verifier logs arrive as one large message: size the buffer to it.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string text(size_t(n) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.resize(size_t(n));
  if (debug) fputs(text.c_str(), stderr);
  if (level == LIBBPF_DEBUG) return 0;
  std::lock_guard<std::mutex> lock(mu);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  while (lines.size() > kKeptLines) lines.pop_front();
  return 0;
}

}  // namespace

void LibbpfLog::Install() {
  const char* env = getenv("TCPWARDEN_DEBUG");
  debug = env && *env && *env != '0';
  libbpf_set_print(Print);
}

std::string LibbpfLog::Tail() {
  std::lock_guard<std::mutex> lock(mu);
  std::string out;
  for (const std::string& l : lines) out += "\n  " + l;
  lines.clear();
  return out;
}
