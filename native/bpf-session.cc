#include "bpf-session.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

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

std::string FullName(int tp) { return std::string(kTracepoints[tp].category) + ":" + kTracepoints[tp].name; }

bool TracepointExists(const TracepointInfo& tp) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::string path = std::string(root) + "/events/" + tp.category + "/" + tp.name;
    if (access(path.c_str(), F_OK) == 0) return true;
  }
  return false;
}

// Whether the running kernel's BTF has struct `name` and, unless `member` is null, that member in
// it: the programs are chosen by the kernel's tracepoint record layouts.
bool KernelStructHas(const btf* vmlinux, const char* name, const char* member) {
  int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_STRUCT);
  if (id < 0) return false;
  if (!member) return true;
  const btf_type* type = btf__type_by_id(vmlinux, id);
  const btf_member* members = btf_members(type);
  for (int i = 0; i < btf_vlen(type); i++) {
    if (strcmp(btf__name_by_offset(vmlinux, members[i].name_off), member) == 0) return true;
  }
  return false;
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

// The skeleton's program of each tracepoint, and its link (the skeleton owns the links and
// destroys them with the object), in enum tw_tracepoint order.
std::array<bpf_program*, TW_TP_MAX> ProgramsOf(tcpwarden_bpf* s) {
  return {s->progs.tcp_retransmit_synack, s->progs.tcp_retransmit_skb, s->progs.tcp_send_reset,
          s->progs.tcp_receive_reset,     s->progs.tcp_destroy_sock,   s->progs.inet_sock_set_state,
          s->progs.tcp_probe,             s->progs.kfree_skb};
}

std::array<bpf_link**, TW_TP_MAX> LinksOf(tcpwarden_bpf* s) {
  return {&s->links.tcp_retransmit_synack, &s->links.tcp_retransmit_skb, &s->links.tcp_send_reset,
          &s->links.tcp_receive_reset,     &s->links.tcp_destroy_sock,   &s->links.inet_sock_set_state,
          &s->links.tcp_probe,             &s->links.kfree_skb};
}

}  // namespace

BpfSession::~BpfSession() { Destroy(); }

int BpfSession::Start(const SessionOptions& options, std::string* failed) {
  // Open the embedded object.
  skel_ = tcpwarden_bpf__open();
  if (!skel_) {
    *failed = "opening the BPF object";
    return -errno;
  }
  auto programs = ProgramsOf(skel_);

  // Set the switches and the ring size, and choose the programs, before load.
  skel_->rodata->targ_netns = options.netns;
  skel_->rodata->wall_offset_ns = uint64_t(options.wall_offset_ns);
  skel_->rodata->agg_slice_ns = options.agg_slice_ns;
  int err = bpf_map__set_max_entries(skel_->maps.events, options.ring_bytes);
  if (err) {
    *failed = "sizing the ring buffer";
    Destroy();
    return err;
  }
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0 || options.agg_slots == 0 || (options.agg_slots & (options.agg_slots - 1)) != 0) {
    *failed = "sizing the slot tables (slots per CPU must be a power of two)";
    Destroy();
    return ncpu < 0 ? ncpu : -EINVAL;
  }
  skel_->rodata->agg_slots = options.agg_slots;
  slot_count_ = uint32_t(ncpu) * options.agg_slots;
  skel_->rodata->agg_table_slots = slot_count_;
  err = bpf_map__set_max_entries(skel_->maps.agg_even, options.agg_max_keys);
  if (!err) err = bpf_map__set_max_entries(skel_->maps.agg_odd, options.agg_max_keys);
  if (!err) err = bpf_map__set_max_entries(skel_->maps.agg_slots_table, 2 * slot_count_);
  if (err) {
    *failed = "sizing the aggregation maps";
    Destroy();
    return err;
  }
  // 6.10+ kernels report a reset sent with no socket through tcp_send_reset itself; older ones
  // only through skb:kfree_skb, which is then the one place to see a SYN to a closed port.
  // tcp_probe's record names its socket (skaddr) only on newer kernels (not on 6.1 or 5.10); the
  // program needs the socket, so where the record has none tcp_probe counts as missing. Without
  // BTF nothing loads anyway: then neither choice adds anything.
  btf* vmlinux = btf__load_vmlinux_btf();
  bool own_reset_layout = !vmlinux || KernelStructHas(vmlinux, "trace_event_raw_tcp_send_reset", nullptr);
  bool probe_names_socket = !vmlinux || KernelStructHas(vmlinux, "trace_event_raw_tcp_probe", "skaddr");
  // Plain loads instead of probe reads where the kernel has bpf_rdonly_cast (6.2+, bpf/compat.bpf.h).
  cast_reads = vmlinux && btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
  skel_->rodata->cast_reads = cast_reads;
  btf__free(vmlinux);
  bool wanted[TW_TP_MAX];
  for (int tp = 0; tp < TW_TP_MAX; tp++) {
    wanted[tp] = tp == TW_TP_PROBE ? options.probe : tp == TW_TP_KFREE_SKB ? !own_reset_layout : true;
    bool usable = TracepointExists(kTracepoints[tp]) && (tp != TW_TP_PROBE || probe_names_socket);
    if (wanted[tp] && !usable) {
      missing.push_back(FullName(tp));
      wanted[tp] = false;
    }
    bpf_program__set_autoload(programs[tp], wanted[tp]);
  }

  // Load and verify.
  err = tcpwarden_bpf__load(skel_);
  if (err) {
    *failed = "loading the BPF programs";
    Destroy();
    return err;
  }
  err = MapSlotTables(failed);
  if (err) {
    Destroy();
    return err;
  }

  // Every usable program is loaded, attached or not: attaching one later needs no verifier run.
  for (int tp = 0; tp < TW_TP_MAX; tp++) loaded_[tp] = wanted[tp];
  err = Attach(options.attach, failed);
  if (err) Destroy();
  return err;
}

int BpfSession::Attach(uint32_t mask, std::string* failed) {
  if (!skel_) return 0;
  auto programs = ProgramsOf(skel_);
  auto links = LinksOf(skel_);
  int err = 0;
  for (int tp = 0; tp < TW_TP_MAX && !err; tp++) {
    bool want = loaded_[tp] && (mask >> tp & 1);
    if (want && !*links[tp]) {
      *links[tp] = bpf_program__attach(programs[tp]);
      if (!*links[tp]) {
        err = -errno;
        *failed = "attaching " + FullName(tp);
      }
    } else if (!want && *links[tp]) {
      bpf_link__destroy(*links[tp]);
      *links[tp] = nullptr;
    }
  }
  attached.clear();
  for (int tp = 0; tp < TW_TP_MAX; tp++)
    if (*links[tp]) attached.push_back(FullName(tp));
  return err;
}

void BpfSession::Detach() {
  if (skel_) tcpwarden_bpf__detach(skel_);
}

int BpfSession::MapSlotTables(std::string* failed) {
  // An mmapable array's elements are 8-byte aligned and start at the mapping's first byte: the
  // even table, then the odd one.
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  slots_bytes_ = (2 * size_t(slot_count_) * sizeof(tw_agg_slot) + page - 1) / page * page;
  void* at = mmap(nullptr, slots_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(skel_->maps.agg_slots_table), 0);
  if (at == MAP_FAILED) {
    *failed = "mapping the slot tables";
    return -errno;
  }
  slots_ = static_cast<tw_agg_slot*>(at);
  return 0;
}

void BpfSession::Destroy() {
  if (slots_) munmap(slots_, slots_bytes_);
  slots_ = nullptr;
  if (skel_) tcpwarden_bpf__destroy(skel_);
  skel_ = nullptr;
}

int BpfSession::ring_fd() const { return bpf_map__fd(skel_->maps.events); }

void BpfSession::ReadCounters(KernelCounters* out) const {
  for (uint32_t tp = 0; tp < TW_TP_MAX; tp++) {
    out->seen[tp] = SumPerCpu(bpf_map__fd(skel_->maps.seen), tp);
    out->lost[tp] = SumPerCpu(bpf_map__fd(skel_->maps.lost), tp);
    out->aggregated[tp] = SumPerCpu(bpf_map__fd(skel_->maps.aggregated), tp);
    out->agg_full[tp] = SumPerCpu(bpf_map__fd(skel_->maps.agg_full), tp);
  }
}

int BpfSession::SetAggregation(uint32_t tp, bool on, uint32_t keep) const {
  tw_agg_ctl ctl{on ? 1u : 0u, keep};
  return bpf_map_update_elem(bpf_map__fd(skel_->maps.agg_ctl), &tp, &ctl, BPF_ANY);
}

void BpfSession::SetReaderAsleep(bool asleep) const {
  __atomic_store_n(&skel_->bss->reader_asleep, asleep ? 1u : 0u, __ATOMIC_SEQ_CST);
}

AggregateTables BpfSession::agg_tables(int parity) const {
  return {bpf_map__fd(parity ? skel_->maps.agg_odd : skel_->maps.agg_even), slots_ ? slots_ + size_t(parity) * slot_count_ : nullptr, slot_count_};
}
