// Runs inside a small VM on an older kernel (see linux-6.1.kernel.test.ts): starts the same BPF
// session the addon starts, makes TCP traffic on loopback, and prints every ring-buffer record
// as hex for the host to decode. Statically linked: the VM holds only busybox and this.
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "bpf-session.h"

namespace {

int PrintRecord(void*, void* data, size_t size) {
  printf("record ");
  for (size_t i = 0; i < size; i++) printf("%02x", static_cast<unsigned char*>(data)[i]);
  printf("\n");
  return 0;
}

// A connect() to a port with no listener: refused.
void Refused(int family, const char* addr, int port) {
  sockaddr_storage ss{};
  socklen_t len;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    inet_pton(AF_INET, addr, &sin->sin_addr);
    len = sizeof(*sin);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    inet_pton(AF_INET6, addr, &sin6->sin6_addr);
    len = sizeof(*sin6);
  }
  int fd = socket(family, SOCK_STREAM, 0);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  printf("traffic refused %s:%d -> %s\n", addr, port, rc == 0 ? "connected" : strerror(errno));
  close(fd);
}

// A server that closes an accepted connection with unread data: the kernel resets it.
void AbortOnClose(int port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  int one = 1;
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bind(srv, reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
  listen(srv, 8);
  int cli = socket(AF_INET, SOCK_STREAM, 0);
  connect(cli, reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
  int acc = accept(srv, nullptr, nullptr);
  write(cli, "unread", 6);
  usleep(50000);
  close(acc);
  char buf[16];
  ssize_t n = read(cli, buf, sizeof(buf));
  printf("traffic abort 127.0.0.1:%d -> client read %zd (%s)\n", port, n, n < 0 ? strerror(errno) : "ok");
  close(cli);
  close(srv);
}

}  // namespace

int main() {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  BpfSession session;
  std::string failed;
  int err = session.Start({1u << 20, 0, false}, &failed);
  if (err) {
    printf("error %s: %s\n", failed.c_str(), strerror(-err));
    return 1;
  }
  for (const std::string& t : session.attached) printf("attached %s\n", t.c_str());
  for (const std::string& t : session.missing) printf("missing %s\n", t.c_str());
  btf* vmlinux = btf__load_vmlinux_btf();
  printf("btf sk_rst_reason %s\n", vmlinux && btf__find_by_name_kind(vmlinux, "sk_rst_reason", BTF_KIND_ENUM) >= 0 ? "yes" : "no");

  ring_buffer* ring = ring_buffer__new(session.ring_fd(), PrintRecord, nullptr, nullptr);
  Refused(AF_INET, "127.0.0.1", 7);
  Refused(AF_INET6, "::1", 7);
  AbortOnClose(9000);
  usleep(100000);
  ring_buffer__consume(ring);

  uint64_t seen[TW_TP_MAX], lost[TW_TP_MAX];
  session.ReadCounters(seen, lost);
  for (int tp = 0; tp < TW_TP_MAX; tp++) printf("counter %d seen %llu lost %llu\n", tp, (unsigned long long)seen[tp], (unsigned long long)lost[tp]);
  ring_buffer__free(ring);
  return 0;
}
