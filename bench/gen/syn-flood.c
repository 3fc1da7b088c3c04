/*
 * A spoofed SYN flood for the benchmarks and tests, run inside a test's own network namespace:
 * raw IPv4 SYNs, sent in batches with sendmmsg(), from SOURCES addresses of a private prefix that
 * exists only inside the test's veth pair (the target namespace routes the prefix back over the
 * veth, where the replies die: the prefix is nobody's). Nothing leaves the host.
 *
 *   syn-flood DST PORT SECONDS SOURCE_PREFIX SOURCES [RATE]
 *
 * DST/PORT: the target; SOURCE_PREFIX: the first source address (e.g. 10.99.0.1), SOURCES
 * addresses counted up from it; RATE: packets per second (0 or absent: as fast as it can). Source
 * ports and sequence numbers vary per packet, so every SYN is a new connection attempt. Prints one
 * JSON line: packets sent, seconds, rate, sources, packets per source (min and max) and per source
 * per second, and the wall-clock start (epoch ms) that time-to-detect figures count from.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct packet {
	struct iphdr ip;
	struct tcphdr tcp;
} __attribute__((packed));

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t add16(uint32_t sum, const void *data, size_t len)
{
	const uint16_t *p = data;

	for (; len > 1; len -= 2)
		sum += *p++;
	return sum;
}

/* The TCP checksum covers a pseudo-header of the addresses, protocol and length. */
static uint16_t tcp_checksum(const struct packet *p)
{
	uint32_t sum = 0;

	sum = add16(sum, &p->ip.saddr, 4);
	sum = add16(sum, &p->ip.daddr, 4);
	sum += htons(IPPROTO_TCP);
	sum += htons(sizeof(p->tcp));
	sum = add16(sum, &p->tcp, sizeof(p->tcp));
	return fold(sum);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: syn-flood DST PORT SECONDS SOURCE_PREFIX SOURCES [RATE]\n");
		return 2;
	}
	struct in_addr dst, first;
	if (inet_pton(AF_INET, argv[1], &dst) != 1 || inet_pton(AF_INET, argv[4], &first) != 1) {
		fprintf(stderr, "syn-flood: DST and SOURCE_PREFIX must be IPv4 addresses\n");
		return 2;
	}
	int port = atoi(argv[2]);
	double seconds = atof(argv[3]);
	long sources = atol(argv[5]);
	double rate = argc > 6 ? atof(argv[6]) : 0;
	if (port <= 0 || port > 65535 || seconds <= 0 || sources <= 0 || sources > 65536) {
		fprintf(stderr, "syn-flood: PORT 1-65535, SECONDS > 0, SOURCES 1-65536\n");
		return 2;
	}

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("syn-flood: raw socket (needs CAP_NET_RAW)");
		return 1;
	}

	struct packet packets[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst, .sin_port = htons(port) };
	unsigned long *per_source = calloc(sources, sizeof(*per_source));
	if (!per_source)
		return 1;
	memset(packets, 0, sizeof(packets));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		struct packet *p = &packets[i];

		p->ip.version = 4;
		p->ip.ihl = 5;
		p->ip.ttl = 64;
		p->ip.protocol = IPPROTO_TCP;
		p->ip.tot_len = htons(sizeof(*p));
		p->ip.daddr = dst.s_addr;
		p->tcp.dest = htons(port);
		p->tcp.doff = 5;
		p->tcp.syn = 1;
		p->tcp.window = htons(64240);
		iov[i].iov_base = p;
		iov[i].iov_len = sizeof(*p);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}

	uint32_t base = ntohl(first.s_addr);
	unsigned long sent = 0, next = 0, failures = 0;
	uint32_t seq = 0x12345678;
	double started_at = clock_seconds(CLOCK_REALTIME);
	double start = now(), end = start + seconds, t;
	while ((t = now()) < end) {
		/* Paced: send only what the rate allows by now. */
		int n = BATCH;
		if (rate > 0) {
			double due = (t - start) * rate - sent;
			if (due < 1) {
				struct timespec pause = { 0, 200000 };
				nanosleep(&pause, NULL);
				continue;
			}
			if (due < n)
				n = (int)due;
		}
		for (int i = 0; i < n; i++) {
			struct packet *p = &packets[i];
			unsigned long k = next + i;

			p->ip.saddr = htonl(base + (uint32_t)(k % sources));
			p->ip.id = htons((uint16_t)k);
			p->tcp.source = htons(1024 + (uint16_t)((k / sources) % 64000));
			seq = seq * 1103515245 + 12345;
			p->tcp.seq = htonl(seq);
			p->tcp.check = 0;
			p->tcp.check = tcp_checksum(p);
			/* The kernel fills in the IP header checksum for IPPROTO_RAW. */
		}
		int done = sendmmsg(fd, msgs, n, 0);
		if (done < 0) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				failures++;
				continue;
			}
			perror("syn-flood: sendmmsg");
			return 1;
		}
		for (int i = 0; i < done; i++)
			per_source[(next + i) % sources]++;
		next += done;
		sent += done;
	}
	double took = now() - start;
	unsigned long lo = per_source[0], hi = per_source[0];
	for (long s = 1; s < sources; s++) {
		if (per_source[s] < lo)
			lo = per_source[s];
		if (per_source[s] > hi)
			hi = per_source[s];
	}
	printf("{\"sent\":%lu,\"seconds\":%.3f,\"rate\":%.0f,\"sources\":%ld,\"perSourceMin\":%lu,\"perSourceMax\":%lu,"
	       "\"perSourceRate\":%.1f,\"sendFailures\":%lu,\"startedAt\":%.3f}\n",
	       sent, took, sent / took, sources, lo, hi, sent / took / sources, failures, started_at * 1000);
	free(per_source);
	close(fd);
	return 0;
}
