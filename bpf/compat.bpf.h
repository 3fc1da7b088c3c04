/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every kernel-layout difference the program meets, one block each: the old layout as a
 * `___suffix` struct (CO-RE matches it to the kernel's type by the name before `___`), and one
 * helper built on bpf_core_*_exists(). The program calls the helpers and never tests versions.
 * vmlinux.h, generated from the build machine's kernel, supplies the current layouts.
 */
#ifndef TCPWARDEN_COMPAT_BPF_H
#define TCPWARDEN_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TW_AF_INET 2
#define TW_AF_INET6 10

/*
 * Before 6.10, tcp_send_reset and tcp_retransmit_skb were both events of the class
 * tcp_event_sk_skb: ports and 4- and 16-byte addresses, fired only for full sockets.
 * 6.10, with the reset reasons (enum sk_rst_reason), gave tcp_send_reset its own layout:
 * sockaddr-sized addresses, a reason, and resets sent with no socket. 6.17 gave
 * tcp_retransmit_skb its own layout with `err`, and the class disappeared.
 * `family` was added to the class in 5.18; before that the socket's family is read instead.
 */
struct trace_event_raw_tcp_event_sk_skb___old {
	const void *skbaddr;
	const void *skaddr;
	int state;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
} __attribute__((preserve_access_index));

/* CO-RE matches an enum field only to an enum: a stand-in for the kernel's enum sk_rst_reason. */
enum sk_rst_reason___tw { SK_RST_REASON___TW_NOT_SPECIFIED = 0 };

struct trace_event_raw_tcp_send_reset___new {
	const void *skbaddr;
	const void *skaddr;
	int state;
	enum sk_rst_reason___tw reason;
	__u8 saddr[28];
	__u8 daddr[28];
} __attribute__((preserve_access_index));

struct trace_event_raw_tcp_retransmit_skb___new {
	const void *skbaddr;
	const void *skaddr;
	int state;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
	int err;
} __attribute__((preserve_access_index));

/* True on 6.10+, where tcp_send_reset has its own layout and fires for no-socket resets too. */
static __always_inline bool send_reset_has_own_layout(void)
{
	return bpf_core_type_exists(struct trace_event_raw_tcp_send_reset___new);
}

/* True on 6.17+, where tcp_retransmit_skb has its own layout (with `err`). */
static __always_inline bool retransmit_skb_has_own_layout(void)
{
	return bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb___new);
}

/* The class layout's family (from the stack copy of the record); before 5.18, the socket's. */
static __always_inline __u16 sk_skb_event_family(struct trace_event_raw_tcp_event_sk_skb___old *ctx)
{
	const struct sock *sk;

	if (bpf_core_field_exists(ctx->family))
		return ctx->family;
	sk = ctx->skaddr;
	return BPF_CORE_READ(sk, __sk_common.skc_family);
}

/*
 * tcp_retransmit_synack and the tcp_event_sk class (tcp_receive_reset, tcp_destroy_sock) got
 * `family` in 5.18 as well; before that the request sock's or the socket's own family is read.
 */
static __always_inline __u16 synack_event_family(struct trace_event_raw_tcp_retransmit_synack *ctx, const struct request_sock *req)
{
	if (bpf_core_field_exists(ctx->family))
		return ctx->family;
	return BPF_CORE_READ(req, __req_common.skc_family);
}

static __always_inline __u16 sk_event_family(struct trace_event_raw_tcp_event_sk *ctx, const struct sock *sk)
{
	if (bpf_core_field_exists(ctx->family))
		return ctx->family;
	return BPF_CORE_READ(sk, __sk_common.skc_family);
}

/*
 * skb:kfree_skb's `reason` appeared in 5.17, and the enum's numbering changes between kernels:
 * resolve SKB_DROP_REASON_NO_SOCKET by name. Returns -1 where the kernel has no such reason.
 */
static __always_inline int drop_reason_no_socket(void)
{
	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return -1;
	return bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET);
}

/*
 * 6.2 (a35b9af4ec2c, "bpf: Add a kfunc for generic type cast") added bpf_rdonly_cast(): through
 * the pointer it returns, a tracing program reads kernel memory with plain loads, which the JIT
 * guards against faults, and the verifier turns the call itself into a move. Before, every such
 * read is a bpf_probe_read_kernel() call: three for a socket's namespace, three for a segment's
 * flags, and on the reset path of a closed-port flood those calls were a quarter of a run
 * (docs/benchmarks.md, "Plain loads instead of probe reads"). The loader sets `cast_reads` when
 * the running kernel's BTF has the kfunc; without it the cast branches are dead code, which the
 * verifier drops, and libbpf leaves the weak extern unresolved.
 */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym __weak;
const volatile bool cast_reads = false;

/* `ptr` as a read-only pointer to the kernel's `type` (only where cast_reads). */
#define TW_CAST(type, ptr) ((const type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))

/* The network namespace (inode) of a socket, and of the device an skb came through. */
static __always_inline __u32 sk_netns(const struct sock *sk)
{
	if (cast_reads)
		return TW_CAST(struct sock, sk)->__sk_common.skc_net.net->ns.inum;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline __u32 skb_netns(const struct sk_buff *skb)
{
	if (cast_reads)
		return TW_CAST(struct sk_buff, skb)->dev->nd_net.net->ns.inum;
	return BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
}

/* The flags byte of the TCP header an skb carries: CWR ECE URG ACK PSH RST SYN FIN. */
static __always_inline __u8 skb_tcp_flags(const struct sk_buff *skb)
{
	__u8 f = 0;

	if (cast_reads) {
		const struct sk_buff *s = TW_CAST(struct sk_buff, skb);

		/* Byte 13 of the header holds the flags' bitfields, which the verifier lets a byte load read. */
		return *((const volatile __u8 *)TW_CAST(struct tcphdr, s->head + s->transport_header) + 13);
	}
	bpf_probe_read_kernel(&f, 1, BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, transport_header) + 13);
	return f;
}

#endif /* TCPWARDEN_COMPAT_BPF_H */
