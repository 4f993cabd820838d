// SPDX-License-Identifier: GPL-2.0
/*
 * ptp_read DEVICE: print the PTP clock's time (seconds since the epoch)
 * that DEVICE (/dev/ptpN) serves, read as a dynamic POSIX clock.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

/* A dynamic clock's ID from its file descriptor (clock_gettime(2)). */
#define FD_TO_CLOCKID(fd)	((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

int main(int argc, char **argv)
{
	struct timespec ts;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: ptp_read /dev/ptpN\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "ptp_read: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (clock_gettime(FD_TO_CLOCKID(fd), &ts)) {
		fprintf(stderr, "ptp_read: clock_gettime: %s\n",
			strerror(errno));
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec);
	close(fd);
	return 0;
}
