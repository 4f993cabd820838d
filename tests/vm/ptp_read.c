// SPDX-License-Identifier: GPL-2.0
/*
 * ptp_read DEV: print the seconds a PTP clock (/dev/ptpN) reads, or the
 * error of clock_gettime() on it (e.g. "error 116" for ESTALE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define FD_TO_CLOCKID(fd)	((~(clockid_t)(fd) << 3) | 3)

int main(int argc, char **argv)
{
	struct timespec ts;
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (clock_gettime(FD_TO_CLOCKID(fd), &ts)) {
		printf("error %d\n", errno);
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec);
	return 0;
}
