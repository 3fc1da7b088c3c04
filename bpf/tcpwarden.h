/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The record the BPF program writes to the ring buffer and the addon hands to JavaScript,
 * fixed-width and ordered largest field first so there is no hidden padding. The JavaScript
 * decoder mirrors it in src/collector/record-layout.ts; the addon exports sizeof/offsetof so
 * the collector refuses to run if the two ever disagree.
 */
#ifndef TCPWARDEN_H
#define TCPWARDEN_H

#define TW_COMM_LEN 16

/* Which tracepoint produced a record; also the index of the per-tracepoint counters. */
enum tw_tracepoint {
	TW_TP_RETRANSMIT_SYNACK = 0, /* tcp:tcp_retransmit_synack */
	TW_TP_RETRANSMIT_SKB = 1,    /* tcp:tcp_retransmit_skb */
	TW_TP_SEND_RESET = 2,        /* tcp:tcp_send_reset */
	TW_TP_RECEIVE_RESET = 3,     /* tcp:tcp_receive_reset */
	TW_TP_DESTROY_SOCK = 4,      /* tcp:tcp_destroy_sock */
	TW_TP_SET_STATE = 5,         /* sock:inet_sock_set_state (TCP only) */
	TW_TP_PROBE = 6,             /* tcp:tcp_probe (off unless asked for) */
	TW_TP_KFREE_SKB = 7,         /* skb:kfree_skb, NO_SOCKET TCP drops, only before 6.10 */
	TW_TP_MAX = 8,
};

/* Record flags. */
#define TW_F_NO_SOCKET 0x01 /* no socket: addresses come from the segment (send_reset, kfree_skb) */
#define TW_F_SEG_SYN 0x02   /* the segment that caused a no-socket reset/drop carried SYN */
#define TW_F_SEG_RST 0x04   /* ... carried RST (the kernel answers no reset to a reset) */
#define TW_F_SEG_ACK 0x08   /* ... carried ACK */
#define TW_F_AGGREGATE 0x10 /* an aggregate: `count` packets of one key in one time slice (see below) */

/*
 * In-kernel aggregation (docs/architecture.md, "Aggregation under load"). While it is on for a
 * tracepoint, a record is not written to the ring buffer but counted in a per-CPU hash map whose
 * key is the record itself with its per-packet fields cleared: ts_ns and count always, cookie
 * always (user space never reads it), and the peer's port, the socket and the task (pid, comm)
 * unless `keep` says a rule needs them. Two maps alternate by wall-clock time slice (even and odd
 * slice numbers), so the reader drains one while the kernel counts into the other. A key the
 * full map cannot take becomes a full record: nothing vanishes. In front of each map is a table of
 * slots per CPU (struct tw_agg_slot), tried first: a key whose slot another key holds goes on to the map.
 */
#define TW_KEEP_RPORT 0x1 /* keep the peer's port in the key */
#define TW_KEEP_SOCK 0x2  /* keep skaddr (the event's `sock`) */
#define TW_KEEP_TASK 0x4  /* keep pid and comm */

/* Per tracepoint, written by the reader: whether to aggregate now, and what the key keeps. */
struct tw_agg_ctl {
	__u32 on;
	__u32 keep; /* TW_KEEP_* */
};

/* Per key and CPU: packets counted, and the first one's time (CLOCK_MONOTONIC). */
struct tw_agg_value {
	__u64 count;
	__u64 first_ns;
};

struct tw_record {
	__u64 ts_ns;           /* CLOCK_MONOTONIC (once per jiffy for aggregates: tick_now()); the addon adds the wall-clock offset */
	__u64 skaddr;          /* socket identity (request sock for synack retransmits), 0 if none */
	__u64 cookie;          /* sock_cookie where the tracepoint carries it, else 0 */
	__u8 saddr[16];        /* the tracepoint's source address; IPv4 in the first 4 bytes */
	__u8 daddr[16];        /* the tracepoint's destination address */
	__u32 netns;           /* network namespace inode number */
	__u32 pid;             /* best effort: tracepoints in softirq see whoever was on the CPU */
	__u32 count;           /* packets this record stands for: 1, or an aggregate's count */
	__u16 sport;           /* host byte order */
	__u16 dport;
	__u16 family;          /* AF_INET (2) or AF_INET6 (10) */
	__u8 tracepoint;       /* enum tw_tracepoint */
	__u8 state;            /* TCP state where known (newstate for set_state), else 0 */
	__u8 oldstate;         /* set_state only */
	__u8 reason;           /* send_reset: enum sk_rst_reason value; names come from the kernel's BTF */
	__u8 flags;            /* TW_F_* */
	__u8 _pad;
	char comm[TW_COMM_LEN];
};

/*
 * One slot of a direct-mapped table in front of the aggregation maps (docs/architecture.md,
 * "Aggregation under load"): a key's count on one CPU. The programs add to `count` atomically and
 * the reader takes it with an atomic exchange, so a packet is counted once even while the reader
 * drains a slot a program is adding to. The key and first_ns change only while count is 0.
 */
struct tw_agg_slot {
	struct tw_record key;
	__u64 count;
	__u64 first_ns; /* CLOCK_MONOTONIC of the slot's first packet */
};

#endif /* TCPWARDEN_H */
