// SPDX-License-Identifier: GPL-2.0
/*
 * clock_mono: hv_clock's readings never go backwards while the host
 * changes the TSC page's scale and offset, for tests/vm/clock_mono.sh.
 *
 *   clock_mono NOW CHANGE N
 *
 * Two threads, pinned to CPU 0 and CPU 1, read NOW (hv_clock's debugfs
 * "now": "page P ref R valid V gap G") in a loop and check that P never
 * decreases from one reading to the next.  Meanwhile the main thread
 * writes N changes into CHANGE (hvsim's clock/change: "PPM STEP"), 20 ms
 * apart: scales alternately above and below the nominal one by 500 to
 * 5000 ppm, every fifth with a 100 us forward step of the offset; then
 * "0" (nominal scale again).  CLOCK_MONOTONIC is checked the same way.
 *
 * Prints one line per reader ("cpuC reads R errors E backwards B maxback
 * M mono_back K between W") and "changes N failed F"; the exit status is
 * 0 when every change was accepted, no reading failed or went backwards,
 * and each reader read at least once between every two changes on
 * average, 1 otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct reader {
	pthread_t th;
	int cpu;
	const char *path;
	unsigned long reads;
	unsigned long errors;
	unsigned long backwards;
	unsigned long long maxback;
	unsigned long mono_back;
	unsigned long during;	/* reads while changes were being made */
};

/* Flags between the threads, through C11 atomics. */
static _Atomic int stop;
static _Atomic int changing;

static int read_now(int fd, unsigned long long *page)
{
	char buf[128];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "page %llu", page) == 1 ? 0 : -1;
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *reader(void *arg)
{
	struct reader *r = arg;
	unsigned long long prev = 0, v;
	struct timespec pts = { 0, 0 }, ts;
	cpu_set_t set;
	int fd;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		r->errors++;
		return NULL;
	}
	fd = open(r->path, O_RDONLY);
	if (fd < 0) {
		r->errors++;
		return NULL;
	}
	while (!stop) {
		if (read_now(fd, &v)) {
			r->errors++;
			continue;
		}
		if (r->reads && v < prev) {
			r->backwards++;
			if (prev - v > r->maxback)
				r->maxback = prev - v;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (r->reads && ts_before(&ts, &pts))
			r->mono_back++;
		pts = ts;
		prev = v;
		r->reads++;
		if (changing)
			r->during++;
	}
	close(fd);
	return NULL;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&d, NULL);
}

int main(int argc, char **argv)
{
	struct reader r[2];
	int n, i, failed = 0, bad = 0;
	char cmd[64];

	if (argc != 4) {
		fprintf(stderr, "usage: clock_mono NOW CHANGE N\n");
		return 2;
	}
	n = atoi(argv[3]);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 2; i++) {
		r[i].cpu = i;
		r[i].path = argv[1];
		if (pthread_create(&r[i].th, NULL, reader, &r[i])) {
			perror("pthread_create");
			return 1;
		}
	}
	sleep_ms(200);
	changing = 1;
	for (i = 0; i < n; i++) {
		int ppm = 500 + (i * 731) % 4500;

		if (i % 2)
			ppm = -ppm;
		snprintf(cmd, sizeof(cmd), "%d %d\n", ppm, i % 5 == 4 ? 1000 : 0);
		if (write_str(argv[2], cmd))
			failed++;
		sleep_ms(20);
	}
	changing = 0;
	if (write_str(argv[2], "0\n"))
		failed++;
	sleep_ms(200);
	stop = 1;

	for (i = 0; i < 2; i++) {
		pthread_join(r[i].th, NULL);
		printf("cpu%d reads %lu errors %lu backwards %lu maxback %llu mono_back %lu between %lu\n",
		       r[i].cpu, r[i].reads, r[i].errors, r[i].backwards,
		       r[i].maxback, r[i].mono_back, r[i].during);
		if (r[i].errors || r[i].backwards || r[i].mono_back ||
		    r[i].during < (unsigned long)n)
			bad = 1;
	}
	printf("changes %d failed %d\n", n, failed);
	return bad || failed ? 1 : 0;
}
