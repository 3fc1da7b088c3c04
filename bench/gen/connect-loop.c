/*
 * Load generator for the collector benchmark: non-blocking connect()s to a closed loopback port
 * in a tight loop for a given time. Each one is five TCP tracepoint events (two state changes, a
 * reset sent, a reset received, a socket destroyed). Prints the number of connects and the rate.
 *
 *   connect-loop SECONDS [PORT] [ADDRESS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
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
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(argc > 2 ? atoi(argv[2]) : 9) };
	unsigned long connects = 0, failures = 0;
	double start, end;

	inet_pton(AF_INET, argc > 3 ? argv[3] : "127.0.0.1", &addr.sin_addr);
	start = now();
	end = start + seconds;
	while ((connects & 255) || now() < end) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0) {
			failures++;
			continue;
		}
		/* On loopback the SYN and its reset are processed before connect() returns, even when it
		 * says EINPROGRESS: the five events have happened by close(). */
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 || (errno != EINPROGRESS && errno != ECONNREFUSED))
			failures++;
		close(fd);
		connects++;
	}
	printf("{\"connects\":%lu,\"failures\":%lu,\"seconds\":%.6f,\"rate\":%.0f}\n", connects, failures, now() - start,
	       connects / (now() - start));
	return 0;
}
