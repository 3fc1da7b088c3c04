// Runs inside a small VM on an older kernel (see linux-6.1.kernel.test.ts): starts the same BPF
// session the addon starts (tcp_probe asked for too), makes TCP traffic on loopback that every
// other tracepoint reports, and prints every ring-buffer record as hex for the host to decode.
// Statically linked: the VM holds only busybox and this, and no netfilter modules, so losses are
// made with routes alone.
//
// Why routes are enough: loopback keeps the output route on a packet it loops back, and the
// receive side follows that route instead of looking one up. Over IPv6 a route via lo to an
// address that is not local forwards, and forwarding is off: the segment is dropped. Over IPv4
// such a route delivers locally, but a segment to an address that is not local still gets no
// answer: TCP sends no reset for it, and a socket left on an address since deleted cannot send
// from it. Either way the sender saw a good transmit and retransmits.
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aggregate-drain.h"
#include "bpf-session.h"

namespace {

uint64_t g_ring_records[TW_TP_MAX] = {};

int PrintRecord(void*, void* data, size_t size) {
  uint8_t tp = static_cast<tw_record*>(data)->tracepoint;
  if (tp < TW_TP_MAX) g_ring_records[tp]++;
  printf("record ");
  for (size_t i = 0; i < size; i++) printf("%02x", static_cast<unsigned char*>(data)[i]);
  printf("\n");
  return 0;
}

// Runs a busybox command, saying so; the tests check that every one succeeded.
void Shell(const std::string& cmd) {
  int rc = system(cmd.c_str());
  printf("setup %s -> %d\n", cmd.c_str(), rc);
}

socklen_t Address(int family, const char* addr, int port, sockaddr_storage* ss) {
  *ss = {};
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    inet_pton(AF_INET, addr, &sin->sin_addr);
    return sizeof(*sin);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  inet_pton(AF_INET6, addr, &sin6->sin6_addr);
  return sizeof(*sin6);
}

int Family(const char* addr) { return strchr(addr, ':') ? AF_INET6 : AF_INET; }

// A TCP socket bound to addr:port (port 0: any).
int BoundSocket(const char* addr, int port) {
  sockaddr_storage ss;
  socklen_t len = Address(Family(addr), addr, port, &ss);
  int one = 1;
  int fd = socket(Family(addr), SOCK_STREAM, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) printf("error bind %s:%d: %s\n", addr, port, strerror(errno));
  return fd;
}

int Listener(const char* addr, int port) {
  int fd = BoundSocket(addr, port);
  listen(fd, 8);
  return fd;
}

int Connect(int fd, const char* addr, int port) {
  sockaddr_storage ss;
  socklen_t len = Address(Family(addr), addr, port, &ss);
  return connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
}

const char* Outcome(int rc) { return rc == 0 ? "connected" : strerror(errno); }

uint32_t Retransmits(int fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len);
  return info.tcpi_total_retrans;
}

// A connect() to a port with no listener: refused.
void Refused(const char* addr, int port) {
  int fd = socket(Family(addr), SOCK_STREAM, 0);
  int rc = Connect(fd, addr, port);
  printf("traffic refused %s:%d -> %s\n", addr, port, Outcome(rc));
  close(fd);
}

// A server that closes an accepted connection with unread data: the kernel resets it.
void AbortOnClose(const char* addr, int port) {
  int srv = Listener(addr, port);
  int cli = socket(Family(addr), SOCK_STREAM, 0);
  Connect(cli, addr, port);
  int acc = accept(srv, nullptr, nullptr);
  write(cli, "unread", 6);
  usleep(50000);
  close(acc);
  char buf[16];
  ssize_t n = read(cli, buf, sizeof(buf));
  printf("traffic abort %s:%d -> client read %zd (%s)\n", addr, port, n, n < 0 ? strerror(errno) : "ok");
  close(cli);
  close(srv);
}

// A connect() from `from` to an address routed via lo but not local: the SYN gets no answer and
// the client retransmits it (after 1 s) in SYN_SENT. Returns the connecting socket.
int SynUnanswered(const char* from, const char* to, int port) {
  int fd = BoundSocket(from, 0);
  int syncnt = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt));
  fcntl(fd, F_SETFL, O_NONBLOCK);
  int rc = Connect(fd, to, port);
  printf("traffic syn_unanswered %s -> %s:%d -> %s\n", from, to, port, Outcome(rc));
  return fd;
}

// A listener with TCP_DEFER_ACCEPT takes no bare ACK as the end of a handshake: the request stays
// half-open and the listener retransmits its SYN-ACK (after 1 s), as if the ACK had been lost.
// The client binds another local address than the listener's, so the two sides tell apart.
// Returns the listener and the (established) client.
std::vector<int> SynAckUnacknowledged(const char* listen_addr, int port, const char* from) {
  int srv = Listener(listen_addr, port);
  int defer = 1;
  setsockopt(srv, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
  int cli = BoundSocket(from, 0);
  int rc = Connect(cli, listen_addr, port);
  printf("traffic synack_unacknowledged %s -> %s:%d -> %s\n", from, listen_addr, port, Outcome(rc));
  return {srv, cli};
}

// An established connection from `from` to `server`, an address added to lo for it and then
// deleted: `server` falls back to the route via lo, so what the client sends next is never
// acknowledged and is retransmitted in ESTABLISHED. Returns the client, the accepted side, and
// the listener.
std::vector<int> PeerVanishes(const char* from, const char* server, const char* prefix, int port) {
  const std::string family = Family(server) == AF_INET6 ? "-6 " : "";
  Shell("ip " + family + "addr add " + server + "/" + prefix + " dev lo");
  int srv = Listener(server, port);
  int cli = BoundSocket(from, 0);
  int rc = Connect(cli, server, port);
  int acc = accept(srv, nullptr, nullptr);
  Shell("ip " + family + "addr del " + server + "/" + prefix + " dev lo");
  ssize_t n = write(cli, "lost", 4);
  printf("traffic peer_vanishes %s -> %s:%d -> %s, wrote %zd\n", from, server, port, Outcome(rc), n);
  return {cli, acc, srv};
}

}  // namespace

int main() {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  BpfSession session;
  std::string failed;
  // tcp_probe asked for too, as `--probe` does: where its record names no socket the session
  // must report it missing and load the rest. One slot per CPU: a refused connect's records (a
  // key per tracepoint) then go through the slot and on to the map, so both are drained.
  int err = session.Start({1u << 20, 0, true, 0, 100000000, 1024, 1}, &failed);
  if (err) {
    printf("error %s: %s\n", failed.c_str(), strerror(-err));
    return 1;
  }
  for (const std::string& t : session.attached) printf("attached %s\n", t.c_str());
  for (const std::string& t : session.missing) printf("missing %s\n", t.c_str());
  printf("cast reads %s\n", session.cast_reads ? "yes" : "no");
  btf* vmlinux = btf__load_vmlinux_btf();
  printf("btf sk_rst_reason %s\n", vmlinux && btf__find_by_name_kind(vmlinux, "sk_rst_reason", BTF_KIND_ENUM) >= 0 ? "yes" : "no");

  // TEST-NET prefixes routed via lo: nothing answers there (see the top of this file).
  Shell("ip route add 192.0.2.0/24 dev lo");
  Shell("ip -6 route add 2001:db8::/64 dev lo");
  Shell("ip -6 addr add 2001:db8::2/128 dev lo");

  ring_buffer* ring = ring_buffer__new(session.ring_fd(), PrintRecord, nullptr, nullptr);
  Refused("127.0.0.1", 7);
  Refused("::1", 7);
  AbortOnClose("127.0.0.1", 9000);
  AbortOnClose("::1", 9001);

  // The slow ones run side by side: each waits for a kernel retransmit timer.
  std::vector<int> clients = {SynUnanswered("127.0.0.1", "192.0.2.1", 80), SynUnanswered("::1", "2001:db8::1", 80)};
  std::vector<int> open = clients;
  for (int fd : SynAckUnacknowledged("127.0.0.1", 9100, "127.0.0.2")) open.push_back(fd);
  for (int fd : SynAckUnacknowledged("::1", 9100, "2001:db8::2")) open.push_back(fd);
  for (const std::vector<int>& fds : {PeerVanishes("127.0.0.1", "192.0.2.10", "32", 9200), PeerVanishes("::1", "2001:db8::10", "128", 9200)}) {
    clients.push_back(fds[0]);
    open.insert(open.end(), fds.begin(), fds.end());
  }

  // Done once every client has retransmitted and two SYN-ACKs were resent (one per listener).
  KernelCounters counters;
  bool done = false;
  for (int i = 0; i < 300 && !done; i++) {
    usleep(100000);
    session.ReadCounters(&counters);
    done = counters.seen[TW_TP_RETRANSMIT_SYNACK] >= 2;
    for (int fd : clients) done = done && Retransmits(fd) > 0;
  }
  printf("traffic retransmits %s\n", done ? "seen" : "not seen within 30 s");
  for (int fd : open) close(fd);
  usleep(100000);
  ring_buffer__consume(ring);

  session.ReadCounters(&counters);
  for (int tp = 0; tp < TW_TP_MAX; tp++) {
    printf("counter %d seen %llu lost %llu\n", tp, (unsigned long long)counters.seen[tp], (unsigned long long)counters.lost[tp]);
  }

  // In-kernel aggregation, forced on for every tracepoint with the smallest key: refused connects
  // are counted in the maps, drained as the collector drains them, and the ledger must add up.
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) session.SetAggregation(tp, true, 0);
  for (int i = 0; i < 50; i++) Refused("127.0.0.1", 7);
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) session.SetAggregation(tp, false, 0);
  usleep(250000);  // both slices over
  // Detached, as the collector does at stop: nothing is counted between reading the ring and the counters.
  session.Detach();
  ring_buffer__consume(ring);
  AggregateDrain drain(1024);
  for (int parity = 0; parity < 2; parity++) {
    drain.Drain(session.agg_tables(parity), [](const tw_record& r) {
      printf("aggregate ");
      for (size_t i = 0; i < sizeof(r); i++) printf("%02x", reinterpret_cast<const unsigned char*>(&r)[i]);
      printf("\n");
    });
  }
  session.ReadCounters(&counters);
  for (int tp = 0; tp < TW_TP_MAX; tp++) {
    printf("ledger %d seen %llu delivered %llu aggregated %llu lost %llu\n", tp, (unsigned long long)counters.seen[tp],
           (unsigned long long)g_ring_records[tp], (unsigned long long)counters.aggregated[tp], (unsigned long long)counters.lost[tp]);
  }
  ring_buffer__free(ring);
  return 0;
}
