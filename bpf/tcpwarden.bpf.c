// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP tracepoints -> ring buffer records (tcpwarden.h). Filters and records only: what counts
 * as an attack is decided in user space by the rules. Kernel layout differences are in
 * compat.bpf.h. Under load records are counted per key in maps instead (tcpwarden.h); every record
 * that can be neither aggregated nor written is counted in `lost`, per tracepoint.
 */
#include "compat.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tcpwarden.h"

#define TW_IPPROTO_TCP 6
#define TW_ETH_P_IP 0x0800
#define TW_ETH_P_IPV6 0x86DD

/* Set by the loader before load. 0 = every network namespace. */
const volatile __u32 targ_netns = 0;
/* CLOCK_REALTIME - CLOCK_MONOTONIC at load, and the aggregation time slice. */
const volatile __u64 wall_offset_ns = 0;
const volatile __u64 agg_slice_ns = 100000000;
/* Slots per CPU in each slot table (a power of two), and a table's slots over all possible CPUs. */
const volatile __u32 agg_slots = 4096;
const volatile __u32 agg_table_slots = 4096;
/*
 * Set by the reader while it sleeps past its poll interval because its last poll found the ring
 * empty: the record that ends the quiet wakes it (emit()). Otherwise records wake nobody.
 */
volatile __u32 reader_asleep = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* the loader resizes it before load */
} events SEC(".maps");

/* Per tracepoint: records that passed the filters, and those the full ring buffer dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TW_TP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TW_TP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Per tracepoint: records counted into an aggregate, and those a full aggregation map sent to the ring. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TW_TP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} aggregated SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TW_TP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} agg_full SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TW_TP_MAX);
	__type(key, __u32);
	__type(value, struct tw_agg_ctl);
} agg_ctl SEC(".maps");

/* The aggregates of even and odd time slices; the loader sets max_entries. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tw_record);
	__type(value, struct tw_agg_value);
} agg_even SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tw_record);
	__type(value, struct tw_agg_value);
} agg_odd SEC(".maps");

/*
 * The slot tables of even and odd slices (tcpwarden.h), one array: the even table, then the odd
 * one, each CPU c's slots from c * agg_slots. One map, so the verifier inlines the lookup: a map
 * picked at run time between two is a call. A plain array the reader maps into its memory, so it
 * drains them without a syscall; the loader sets max_entries.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tw_agg_slot);
} agg_slots_table SEC(".maps");

/* Per CPU: the jiffy of this CPU's last precise clock read, what it read, and its slice's parity (tick_now()). */
struct tw_tick_clock {
	__u64 jiffies;
	__u64 ns;
	__u64 odd;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tw_tick_clock);
} tick_clock SEC(".maps");

static __always_inline void count(void *map, __u32 tp)
{
	__u64 *n = bpf_map_lookup_elem(map, &tp);

	if (n)
		*n += 1;
}

/*
 * Starts the event's record on the program's stack, or returns false when the namespace filter
 * rejects it. The caller fills it and hands it to emit(), which adds the time, and the task (pid,
 * comm) only where it is kept.
 */
static __always_inline bool begin(struct tw_record *r, __u32 tp, __u32 netns)
{
	if (targ_netns && netns != targ_netns)
		return false;
	count(&seen, tp);
	__builtin_memset(r, 0, sizeof(*r));
	r->netns = netns;
	r->tracepoint = tp;
	r->count = 1;
	return true;
}

/*
 * The task on the CPU (best effort, see tcpwarden.h). Read only for records written in full or
 * aggregated with TW_KEEP_TASK: the two helper calls were a sixth of an aggregated record's run
 * time, and an aggregate's key clears them anyway.
 */
static __always_inline void add_task(struct tw_record *r)
{
	r->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
}

/*
 * The time aggregated packets are stamped with, and the parity of its slice: CLOCK_MONOTONIC read
 * once per CPU and jiffy, at the CPU's first aggregated packet of that jiffy, so at most a tick
 * behind the packet. A precise read goes through the clock source (the hypervisor's, on a VM,
 * where it was a fifth of an aggregated run) and the slice takes a division; jiffies are a load.
 * bpf_ktime_get_coarse_ns() would be as cheap, but tracing programs may not call it. The reader
 * waits a tick more before draining a slice (native/collector.cc).
 */
static __always_inline const struct tw_tick_clock *tick_now(void)
{
	__u32 zero = 0;
	struct tw_tick_clock *c = bpf_map_lookup_elem(&tick_clock, &zero);
	__u64 j = bpf_jiffies64();

	if (c && c->jiffies != j) {
		c->jiffies = j;
		c->ns = bpf_ktime_get_ns();
		/* The slice follows the wall clock, as the engine's window slices do. */
		c->odd = ((c->ns + wall_offset_ns) / agg_slice_ns) & 1;
	}
	return c;
}

#define TW_KEY_WORDS (sizeof(struct tw_record) / 8)
/*
 * The words of an aggregate's key that can be non-zero when it keeps neither the socket nor the
 * task: the addresses, netns (beside pid), the ports (beside count), and family to flags. The
 * others (ts_ns, skaddr, cookie, comm) are zero in every such key, so they need no hashing or
 * comparing.
 */
#define TW_KEY_FIRST_LIVE (offsetof(struct tw_record, saddr) / 8)
#define TW_KEY_LAST_LIVE (offsetof(struct tw_record, comm) / 8)

/* The sum of words [from, to) of a key, each times its own odd constant: independent multiplies that overlap. */
static __always_inline __u64 sum_words(const __u64 *w, int from, int to)
{
	__u64 h = 0;

#pragma unroll
	for (int i = from; i < to; i++)
		h += w[i] * (0x9E3779B97F4A7C15ULL + 2 * i);
	return h;
}

/* Whether words [from, to) of two keys differ. */
static __always_inline __u64 diff_words(const __u64 *x, const __u64 *y, int from, int to)
{
	__u64 diff = 0;

#pragma unroll
	for (int i = from; i < to; i++)
		diff |= x[i] ^ y[i];
	return diff;
}

/*
 * The key's slot on this CPU in the table of its slice's parity: a multiply per word, then one
 * mixing round, inline; the live words only unless the key keeps the socket or the task (`whole`).
 * The hash map's jhash over the same 96 bytes and its bucket walk were more than half of an
 * aggregated run, which the slot table skips for most packets.
 */
static __always_inline __u32 slot_of(const struct tw_record *key, bool whole, bool odd)
{
	const __u64 *w = (const __u64 *)key;
	__u64 h = sum_words(w, TW_KEY_FIRST_LIVE, TW_KEY_LAST_LIVE);

	if (whole)
		h += sum_words(w, 0, TW_KEY_FIRST_LIVE) + sum_words(w, TW_KEY_LAST_LIVE, TW_KEY_WORDS);
	h ^= h >> 32;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return (odd ? agg_table_slots : 0) + bpf_get_smp_processor_id() * agg_slots + (h & (agg_slots - 1));
}

static __always_inline bool same_key(const struct tw_record *a, const struct tw_record *b, bool whole)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 diff = diff_words(x, y, TW_KEY_FIRST_LIVE, TW_KEY_LAST_LIVE);

	if (whole)
		diff |= diff_words(x, y, 0, TW_KEY_FIRST_LIVE) | diff_words(x, y, TW_KEY_LAST_LIVE, TW_KEY_WORDS);
	return diff == 0;
}

/*
 * Counts the key in slot `at` if the slot is free or holds the key already. The count is added
 * last and atomically: the reader, which may be draining this table on another CPU, reads a
 * slot's key only once its count is set, and takes the count with an exchange. A claimed slot
 * gets the whole key, so that the reader reads it as is.
 */
static __always_inline bool count_at(__u32 at, const struct tw_record *key, bool whole, __u64 ts_ns)
{
	struct tw_agg_slot *s = bpf_map_lookup_elem(&agg_slots_table, &at);

	if (!s)
		return false;
	if (s->count == 0) {
		__builtin_memcpy(&s->key, key, sizeof(*key));
		s->first_ns = ts_ns;
	} else if (!same_key(&s->key, key, whole)) {
		return false;
	}
	__sync_fetch_and_add(&s->count, 1);
	return true;
}

/*
 * Counts the key in its slot on this CPU, or in the slot beside it (two ways: with 1,024 keys
 * in 4,096 slots, about one key in nine found its one slot taken and went on to the map, which
 * took an eighth of the program's time; with two, about one in thirty). A key in both slots (a
 * reader a slice late emptied the first) is summed by the reader like any key met twice.
 */
static __always_inline bool count_in_slot(const struct tw_record *key, __u32 keep, bool odd, __u64 ts_ns)
{
	bool whole = keep & (TW_KEEP_SOCK | TW_KEEP_TASK);
	__u32 at = slot_of(key, whole, odd);

	return count_at(at, key, whole, ts_ns) || count_at(at ^ 1, key, whole, ts_ns);
}

/*
 * Counts the record under its key in its slot, else in the map of its time slice (tcpwarden.h).
 * Returns false when the map is full and has no entry for the key: the caller writes the full
 * record instead.
 */
static __always_inline bool aggregate(const struct tw_record *r, __u32 keep, bool odd)
{
	struct tw_agg_value first = { .count = 1, .first_ns = r->ts_ns };
	struct tw_agg_value *v;
	struct tw_record key;
	void *map;

	__builtin_memcpy(&key, r, sizeof(key));
	key.ts_ns = 0;
	key.count = 0;
	key.cookie = 0;
	if (!(keep & TW_KEEP_RPORT)) {
		/* skb:kfree_skb records keep the segment's direction: the peer is the source. */
		if (r->tracepoint == TW_TP_KFREE_SKB)
			key.sport = 0;
		else
			key.dport = 0;
	}
	if (!(keep & TW_KEEP_SOCK))
		key.skaddr = 0;
	/* pid and comm are still zero unless the key keeps the task (emit()). */
	if (count_in_slot(&key, keep, odd, r->ts_ns))
		return true;
	map = odd ? (void *)&agg_odd : (void *)&agg_even;
	v = bpf_map_lookup_elem(map, &key);
	if (!v) {
		if (bpf_map_update_elem(map, &key, &first, BPF_NOEXIST) == 0)
			return true;
		/* Another CPU added the key meanwhile (this CPU's slot is then zero), or the map is full. */
		v = bpf_map_lookup_elem(map, &key);
		if (!v)
			return false;
	}
	if (v->count == 0)
		v->first_ns = r->ts_ns;
	/*
	 * A plain add: the slot is this CPU's alone, and a tracepoint program never interrupts
	 * another on the same CPU (the kernel's bpf_prog_active guard), so nothing races it.
	 */
	v->count += 1;
	return true;
}

/*
 * Aggregates the record while that is on for its tracepoint, else writes it to the ring buffer,
 * or counts it lost when the ring is full: seen = delivered + aggregated + lost, per tracepoint.
 * Records are written without waking the reader while it polls: wakeups cost the traced workload
 * more than the records. Measured during development with the connect() loop of bench/: a wakeup
 * per record left it 21% of its untraced rate, one per 2,048 records 79%, none 81% (bpftrace
 * counting in a map: 80%). The reader polls the ring on a short timer instead (maxDelayMs) while
 * records come in, and sleeps when they stop; only a record that finds it asleep wakes it.
 */
static __always_inline void emit(struct tw_record *r)
{
	__u32 tp = r->tracepoint;
	struct tw_agg_ctl *ctl = bpf_map_lookup_elem(&agg_ctl, &tp);
	const struct tw_tick_clock *now;
	bool has_task = false;

	if (ctl && ctl->on && (now = tick_now())) {
		r->ts_ns = now->ns;
		has_task = ctl->keep & TW_KEEP_TASK;
		if (has_task)
			add_task(r);
		if (aggregate(r, ctl->keep, now->odd)) {
			count(&aggregated, tp);
			return;
		}
		count(&agg_full, tp);
	} else {
		r->ts_ns = bpf_ktime_get_ns();
	}
	if (!has_task)
		add_task(r);
	if (bpf_ringbuf_output(&events, r, sizeof(*r), reader_asleep ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		count(&lost, tp);
}

/*
 * Each program first copies its tracepoint's record to the stack with one helper call, then
 * reads fields with plain loads: a helper call per field would cost the traced workload several
 * times more, and the verifier refuses loads through pointers computed from the context, which
 * CO-RE relocations produce. CO-RE still relocates every field offset in the copy, and the copy
 * is exactly as long as the running kernel's record type.
 */
#define CTX_COPY_MAX 160
#define ctx_size(type) (bpf_core_type_size(type) < CTX_COPY_MAX ? bpf_core_type_size(type) : CTX_COPY_MAX)

/* The 4-byte / 16-byte address pair layout most TCP tracepoints share. */
static __always_inline void copy_addrs(struct tw_record *r, __u16 family, const __u8 *s4, const __u8 *d4,
				       const __u8 *s6, const __u8 *d6)
{
	r->family = family;
	if (family == TW_AF_INET) {
		__builtin_memcpy(r->saddr, s4, 4);
		__builtin_memcpy(r->daddr, d4, 4);
	} else {
		__builtin_memcpy(r->saddr, s6, 16);
		__builtin_memcpy(r->daddr, d6, 16);
	}
}

/* Ports and addresses of the tracepoints with sport/dport and 4- and 16-byte address fields. */
#define copy_endpoints(r, ctx, fam)                                                              \
	do {                                                                                     \
		(r)->sport = (ctx)->sport;                                                       \
		(r)->dport = (ctx)->dport;                                                       \
		copy_addrs(r, fam, (ctx)->saddr, (ctx)->daddr, (ctx)->saddr_v6, (ctx)->daddr_v6); \
	} while (0)

/*
 * A sockaddr_in / sockaddr_in6 kept in a tracepoint's 28-byte field (tcp_send_reset 6.10+,
 * tcp_probe): family in host order, port in network order, the address after sin6_flowinfo.
 */
static __always_inline void copy_sockaddr(__u8 *addr, __u16 *port, __u16 *family, const __u8 *sa)
{
	*family = sa[0] | sa[1] << 8;
	*port = sa[2] << 8 | sa[3];
	if (*family == TW_AF_INET)
		__builtin_memcpy(addr, sa + 4, 4);
	else
		__builtin_memcpy(addr, sa + 8, 16);
}

/* The TCP flags of the segment an skb carries, as TW_F_SEG_* bits. */
static __always_inline __u8 segment_flags(const struct sk_buff *skb)
{
	__u8 f = skb_tcp_flags(skb), out = 0;

	if (f & 0x02)
		out |= TW_F_SEG_SYN;
	if (f & 0x04)
		out |= TW_F_SEG_RST;
	if (f & 0x10)
		out |= TW_F_SEG_ACK;
	return out;
}

SEC("tracepoint/tcp/tcp_retransmit_synack")
int tcp_retransmit_synack(void *raw)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_tcp_retransmit_synack *ctx = (void *)copy;
	const struct request_sock *req;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_retransmit_synack), raw);
	sk = ctx->skaddr;
	req = ctx->req;
	if (!begin(r, TW_TP_RETRANSMIT_SYNACK, sk_netns(sk)))
		return 0;
	/* The half-open connection is the request sock, not the listener. */
	r->skaddr = (__u64)req;
	r->state = BPF_CORE_READ(req, __req_common.skc_state);
	copy_endpoints(r, ctx, synack_event_family(ctx, req));
	emit(r);
	return 0;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb(void *raw)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_tcp_retransmit_skb___new *ctx = (void *)copy;
	struct trace_event_raw_tcp_event_sk_skb___old *old = (void *)copy;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	if (retransmit_skb_has_own_layout())
		bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_retransmit_skb___new), raw);
	else
		bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_event_sk_skb___old), raw);
	if (retransmit_skb_has_own_layout()) {
		/* 6.17+ also fires for retransmits that failed to go out; earlier kernels only for sent ones. */
		if (ctx->err)
			return 0;
		sk = ctx->skaddr;
	} else {
		sk = old->skaddr;
	}
	if (!begin(r, TW_TP_RETRANSMIT_SKB, sk_netns(sk)))
		return 0;
	r->skaddr = (__u64)sk;
	if (retransmit_skb_has_own_layout()) {
		r->state = ctx->state;
		copy_endpoints(r, ctx, ctx->family);
	} else {
		r->state = old->state;
		copy_endpoints(r, old, sk_skb_event_family(old));
	}
	emit(r);
	return 0;
}

SEC("tracepoint/tcp/tcp_send_reset")
int tcp_send_reset(void *raw)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_tcp_send_reset___new *ctx = (void *)copy;
	struct trace_event_raw_tcp_event_sk_skb___old *old = (void *)copy;
	const struct sk_buff *skb;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	if (send_reset_has_own_layout())
		bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_send_reset___new), raw);
	else
		bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_event_sk_skb___old), raw);
	if (send_reset_has_own_layout()) {
		sk = ctx->skaddr;
		skb = ctx->skbaddr;
	} else {
		sk = old->skaddr;
		skb = old->skbaddr;
	}
	if (!begin(r, TW_TP_SEND_RESET, sk ? sk_netns(sk) : skb_netns(skb)))
		return 0;
	r->skaddr = (__u64)sk;
	if (send_reset_has_own_layout()) {
		/* 6.10+: addresses are stored as the reset's own direction, for a socket or not. */
		r->state = ctx->state;
		r->reason = ctx->reason;
		copy_sockaddr(r->saddr, &r->sport, &r->family, ctx->saddr);
		copy_sockaddr(r->daddr, &r->dport, &r->family, ctx->daddr);
		if (!sk && skb)
			r->flags = TW_F_NO_SOCKET | segment_flags(skb);
	} else {
		r->state = old->state;
		copy_endpoints(r, old, sk_skb_event_family(old));
	}
	emit(r);
	return 0;
}

/* tcp_receive_reset and tcp_destroy_sock share the class tcp_event_sk (with sock_cookie). */
static __always_inline int tcp_event_sk(void *raw, __u32 tp)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_tcp_event_sk *ctx = (void *)copy;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_event_sk), raw);
	sk = ctx->skaddr;
	if (!begin(r, tp, sk_netns(sk)))
		return 0;
	r->skaddr = (__u64)sk;
	if (bpf_core_field_exists(ctx->sock_cookie))
		r->cookie = ctx->sock_cookie;
	/* Read before tcp_done(): a refused connect() is still SYN_SENT here. */
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	copy_endpoints(r, ctx, sk_event_family(ctx, sk));
	emit(r);
	return 0;
}

SEC("tracepoint/tcp/tcp_receive_reset")
int tcp_receive_reset(void *ctx)
{
	return tcp_event_sk(ctx, TW_TP_RECEIVE_RESET);
}

SEC("tracepoint/tcp/tcp_destroy_sock")
int tcp_destroy_sock(void *ctx)
{
	return tcp_event_sk(ctx, TW_TP_DESTROY_SOCK);
}

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(void *raw)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_inet_sock_set_state *ctx = (void *)copy;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_inet_sock_set_state), raw);
	if (ctx->protocol != TW_IPPROTO_TCP)
		return 0;
	sk = ctx->skaddr;
	if (!begin(r, TW_TP_SET_STATE, sk_netns(sk)))
		return 0;
	r->skaddr = (__u64)sk;
	r->oldstate = ctx->oldstate;
	r->state = ctx->newstate;
	copy_endpoints(r, ctx, ctx->family);
	emit(r);
	return 0;
}

SEC("tracepoint/tcp/tcp_probe")
int tcp_probe(void *raw)
{
	__u64 copy[CTX_COPY_MAX / 8]; /* 8-byte aligned: fields are read as words */
	struct trace_event_raw_tcp_probe *ctx = (void *)copy;
	const struct sock *sk;
	struct tw_record rec, *r = &rec;

	bpf_probe_read_kernel(copy, ctx_size(struct trace_event_raw_tcp_probe), raw);
	sk = ctx->skaddr;
	if (!begin(r, TW_TP_PROBE, sk_netns(sk)))
		return 0;
	r->skaddr = (__u64)sk;
	r->cookie = ctx->sock_cookie;
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	copy_sockaddr(r->saddr, &r->sport, &r->family, ctx->saddr);
	copy_sockaddr(r->daddr, &r->dport, &r->family, ctx->daddr);
	emit(r);
	return 0;
}

/*
 * Before 6.10 a SYN to a closed port fires no tcp_send_reset: the kernel drops the segment with
 * SKB_DROP_REASON_NO_SOCKET instead. kfree_skb is very frequent, so everything but TCP segments
 * dropped for that reason is rejected first. The loader attaches this only on those kernels.
 */
SEC("tracepoint/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	int no_socket = drop_reason_no_socket();
	const struct sk_buff *skb;
	unsigned char *head;
	struct tw_record rec, *r = &rec;
	__u16 proto, nh, th;
	__u8 l4 = 0;

	if (no_socket < 0 || (int)ctx->reason != no_socket)
		return 0;
	proto = ctx->protocol; /* the tracepoint stores ntohs(skb->protocol) */
	if (proto != TW_ETH_P_IP && proto != TW_ETH_P_IPV6)
		return 0;
	skb = ctx->skbaddr;
	head = BPF_CORE_READ(skb, head);
	nh = BPF_CORE_READ(skb, network_header);
	th = BPF_CORE_READ(skb, transport_header);
	if (proto == TW_ETH_P_IP)
		bpf_probe_read_kernel(&l4, 1, head + nh + 9); /* iphdr.protocol */
	else
		bpf_probe_read_kernel(&l4, 1, head + nh + 6); /* ipv6hdr.nexthdr (no extension headers) */
	if (l4 != TW_IPPROTO_TCP)
		return 0;

	if (!begin(r, TW_TP_KFREE_SKB, skb_netns(skb)))
		return 0;
	/* The segment's own direction: source is the peer. */
	if (proto == TW_ETH_P_IP) {
		r->family = TW_AF_INET;
		bpf_probe_read_kernel(r->saddr, 4, head + nh + 12);
		bpf_probe_read_kernel(r->daddr, 4, head + nh + 16);
	} else {
		r->family = TW_AF_INET6;
		bpf_probe_read_kernel(r->saddr, 16, head + nh + 8);
		bpf_probe_read_kernel(r->daddr, 16, head + nh + 24);
	}
	bpf_probe_read_kernel(&r->sport, 2, head + th);
	bpf_probe_read_kernel(&r->dport, 2, head + th + 2);
	r->sport = bpf_ntohs(r->sport);
	r->dport = bpf_ntohs(r->dport);
	r->flags = TW_F_NO_SOCKET | segment_flags(skb);
	emit(r);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
