/*
 * A benign client for the benchmarks: blocking connect()s to a real listener in a loop for a given
 * time, each closed as soon as its handshake completed. Counts completed handshakes and failures
 * (refused, timed out after 1 s): the connections per second the victim still serves.
 *
 *   handshake-loop SECONDS ADDRESS PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: handshake-loop SECONDS ADDRESS PORT\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
	/* A SYN lost to a full queue would otherwise wait out the kernel's retries (over a minute). */
	struct timeval timeout = { .tv_sec = 1 };
	unsigned long connects = 0, failures = 0;

	if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) {
		fprintf(stderr, "handshake-loop: ADDRESS must be an IPv4 address\n");
		return 2;
	}
	double start = now(), end = start + seconds;
	while (now() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0) {
			failures++;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			connects++;
		else
			failures++;
		close(fd);
	}
	double took = now() - start;
	printf("{\"connects\":%lu,\"failures\":%lu,\"seconds\":%.3f,\"rate\":%.0f}\n", connects, failures, took, connects / took);
	return 0;
}
