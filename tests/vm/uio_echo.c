// SPDX-License-Identifier: GPL-2.0
/*
 * uio_echo: hvsim's echo device driven from user space through the
 * kernel's uio_hv_generic, for tests/vm/uio_hv_generic.sh.
 *
 *   uio_echo echo DEV RING [LEN [COUNT]]
 *	COUNT (default 1) in-band packets of LEN (default 61) bytes to the
 *	host, one at a time: write it into the tx ring, signal the host
 *	through DEV when the ring protocol says so, wait for the interrupt,
 *	check the echo in the rx ring.  RING, mapped as well, must show the
 *	same pages as DEV's map 0.
 *   uio_echo maps DEV
 *	each of DEV's maps can be mapped at its size and read.
 *   uio_echo limits DEV RING
 *	maps beyond a map's size or past the last map, and reads and writes
 *	of other than 4 bytes, fail with EINVAL.
 *   uio_echo second DEV RING
 *	a second open of DEV maps the same rings; closing it leaves the
 *	channel open for the first, which still exchanges a packet.
 *   uio_echo closed RING
 *	while DEV is closed (and so the channel), RING cannot be mapped.
 *   uio_echo subchannels DEV RING N
 *	ask the echo device for N sub-channels (a control packet on the
 *	primary channel), wait for uio_hv_generic to open them and show
 *	their ring files, and exchange a packet on each through its ring
 *	file; their interrupts come through DEV too.
 *
 * DEV is /dev/uioN, RING the channel's sysfs "ring" file.  What the
 * program finds is printed as TAP comments; the exit status is 0 when
 * every check passed, 1 otherwise.
 *
 * The layout is uio_hv_generic's: map 0 is the guest-to-host (tx) ring
 * followed by the host-to-guest (rx) ring, both of the same size, each a
 * 4 KiB control page and then the data area.  A packet is a 16-byte
 * descriptor, its payload padded to 8 bytes, and an 8-byte trailer
 * holding the packet's start index in its upper half.  The writer
 * publishes the write index after the packet; the reader publishes the
 * read index after copying the packet out.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RING_CTL_SIZE		4096
#define VM_PKT_DATA_INBAND	6
#define PKT_TRAILER		8
#define UIO_MAX_MAPS		5
#define WAIT_MS			10000
#define MAX_PAYLOAD		16384

/* include/hvguest/hvsim_echo.h: a request to the echo VSP. */
#define ECHO_CTL_MAGIC		0x4f484345
#define ECHO_OP_SUBCHANNELS	1
#define MAX_SUBCHANNELS		15

#define ALIGN8(x)		(((x) + 7U) & ~7U)

/* The start of the control page, as struct hv_ring_buffer has it. */
struct ring_ctl {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved1[12];
	uint32_t feature_bits;
};

static_assert(offsetof(struct ring_ctl, read_index) == 4, "read_index");
static_assert(offsetof(struct ring_ctl, interrupt_mask) == 8,
	      "interrupt_mask");
static_assert(offsetof(struct ring_ctl, pending_send_sz) == 12,
	      "pending_send_sz");
static_assert(offsetof(struct ring_ctl, feature_bits) == 64,
	      "feature_bits");

/* struct vmpacket_descriptor */
struct pkt_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
};

static_assert(sizeof(struct pkt_desc) == 16, "descriptor size");
static_assert(offsetof(struct pkt_desc, trans_id) == 8, "trans_id");

struct echo_ctl {
	uint32_t magic;
	uint32_t op;
	uint32_t arg;
	int32_t status;
};

static_assert(sizeof(struct echo_ctl) == 16, "echo control size");

struct ring {
	const char *name;
	struct ring_ctl *ctl;
	uint8_t *data;
	uint32_t size;		/* of the data area */
};

struct uio {
	int fd;
	uint8_t *map;
	size_t size;		/* of map 0: both rings */
	struct ring tx;
	struct ring rx;
	unsigned long spurious;	/* wake-ups that found no packet */
	unsigned long signals;	/* writes to the device */
};

static long page_size;

static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

/* One line about a failed check; returns -1 for the caller to pass on. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	return -1;
}

/* "uioN" of "/dev/uioN". */
static const char *uio_name(const char *dev)
{
	const char *slash = strrchr(dev, '/');

	return slash ? slash + 1 : dev;
}

/* A map's attribute (name, size...) from sysfs; -1 when it has none. */
static int map_attr(const char *dev, int map, const char *attr, char *buf,
		    size_t len)
{
	char path[256];
	FILE *f;
	char *nl;

	snprintf(path, sizeof(path), "/sys/class/uio/%s/maps/map%d/%s",
		 uio_name(dev), map, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* A map's size from sysfs; 0 when it has none. */
static size_t map_size(const char *dev, int map)
{
	char buf[64];

	if (map_attr(dev, map, "size", buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 0);
}

static void ring_init(struct ring *r, const char *name, uint8_t *base,
		      size_t size)
{
	r->name = name;
	r->ctl = (struct ring_ctl *)base;
	r->data = base + RING_CTL_SIZE;
	r->size = size - RING_CTL_SIZE;
}

static bool ring_index_ok(const struct ring *r, uint32_t idx)
{
	return idx < r->size && !(idx & 7);
}

static uint32_t ring_used(const struct ring *r, uint32_t read, uint32_t write)
{
	return write >= read ? write - read : r->size - read + write;
}

/* Copy @len bytes in at @at, across the end of the data area if need be. */
static uint32_t ring_put(struct ring *r, uint32_t at, const void *src,
			 uint32_t len)
{
	uint32_t first = len < r->size - at ? len : r->size - at;

	memcpy(r->data + at, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
	return (at + len) % r->size;
}

static uint32_t ring_get(const struct ring *r, uint32_t at, void *dst,
			 uint32_t len)
{
	uint32_t first = len < r->size - at ? len : r->size - at;

	memcpy(dst, r->data + at, first);
	memcpy((uint8_t *)dst + first, r->data, len - first);
	return (at + len) % r->size;
}

/*
 * Write one in-band packet at the write index and publish it.  Returns 1
 * when the host is owed a signal (it has interrupts on in this ring and
 * the ring was empty before the packet), 0 when not, -1 on an error.
 */
static int ring_send(struct ring *tx, const void *payload, uint32_t len,
		     uint64_t trans_id)
{
	static const uint8_t zeros[8];
	uint32_t plen = ALIGN8(sizeof(struct pkt_desc) + len);
	struct pkt_desc desc = {
		.type = VM_PKT_DATA_INBAND,
		.offset8 = sizeof(desc) / 8,
		.len8 = plen / 8,
		.flags = 0,
		.trans_id = trans_id,
	};
	uint32_t read, write, at;
	uint64_t trailer;

	/* Only the guest writes the write index of this ring. */
	write = __atomic_load_n(&tx->ctl->write_index, __ATOMIC_RELAXED);
	read = __atomic_load_n(&tx->ctl->read_index, __ATOMIC_ACQUIRE);
	if (!ring_index_ok(tx, write) || !ring_index_ok(tx, read))
		return fail("tx: bad indices: write %u read %u size %u",
			    write, read, tx->size);
	/* Equal indices mean empty: the ring is never filled completely. */
	if (tx->size - ring_used(tx, read, write) <= plen + PKT_TRAILER)
		return fail("tx: no room for %u bytes", plen + PKT_TRAILER);

	at = ring_put(tx, write, &desc, sizeof(desc));
	at = ring_put(tx, at, payload, len);
	at = ring_put(tx, at, zeros, plen - sizeof(desc) - len);
	trailer = (uint64_t)write << 32;
	at = ring_put(tx, at, &trailer, sizeof(trailer));

	/* The packet before the index that shows it to the host. */
	__atomic_store_n(&tx->ctl->write_index, at, __ATOMIC_RELEASE);
	/* The new index before the host's mask and read index are read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !__atomic_load_n(&tx->ctl->interrupt_mask, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&tx->ctl->read_index, __ATOMIC_RELAXED) == write;
}

/*
 * Copy the packet at the read index into @buf, check its framing and
 * release its room.  Returns the packet's length without the trailer, 0
 * when the ring is empty, -1 when the host's packet is malformed or does
 * not fit @buf.  *@signal tells whether the host waits for room
 * (pending_send_sz) that this read made.
 */
static int ring_recv(struct ring *rx, void *buf, uint32_t bufsize,
		     bool *signal)
{
	struct pkt_desc desc;
	uint32_t read, write, used, len, at, pending, room;
	uint64_t trailer;

	*signal = false;
	/* The index before the packets it covers. */
	write = __atomic_load_n(&rx->ctl->write_index, __ATOMIC_ACQUIRE);
	read = __atomic_load_n(&rx->ctl->read_index, __ATOMIC_RELAXED);
	if (!ring_index_ok(rx, write) || !ring_index_ok(rx, read))
		return fail("rx: bad indices: write %u read %u size %u",
			    write, read, rx->size);
	if (read == write)
		return 0;
	used = ring_used(rx, read, write);
	if (used < sizeof(desc) + PKT_TRAILER)
		return fail("rx: %u bytes, less than a packet", used);

	ring_get(rx, read, &desc, sizeof(desc));
	len = desc.len8 * 8U;
	if (desc.offset8 < 2 || desc.offset8 > desc.len8 ||
	    len + PKT_TRAILER > used || len > bufsize)
		return fail("rx: packet offset8 %u len8 %u, %u bytes there",
			    desc.offset8, desc.len8, used);
	at = ring_get(rx, read, buf, len);
	at = ring_get(rx, at, &trailer, sizeof(trailer));
	/* What was checked, should the host have changed it since. */
	memcpy(buf, &desc, sizeof(desc));
	if (trailer >> 32 != read)
		return fail("rx: trailer %#llx, packet at %u",
			    (unsigned long long)trailer, read);

	room = rx->size - used;
	/* The packet is copied out before the host may reuse its room. */
	__atomic_store_n(&rx->ctl->read_index, at, __ATOMIC_RELEASE);
	/* The new index before the host's pending_send_sz is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = __atomic_load_n(&rx->ctl->pending_send_sz, __ATOMIC_RELAXED);
	*signal = pending && room < pending &&
		  room + len + PKT_TRAILER >= pending;
	return len;
}

static int uio_open(struct uio *u, const char *dev)
{
	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->size = map_size(dev, 0);
	/* Two rings, each a control page and some data pages. */
	if (u->size < 4 * RING_CTL_SIZE || u->size % (2 * page_size))
		return fail("%s: map 0 size %#zx", dev, u->size);
	u->fd = open(dev, O_RDWR);
	if (u->fd < 0)
		return fail("open %s: %s", dev, strerror(errno));
	u->map = mmap(NULL, u->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      u->fd, 0);
	if (u->map == MAP_FAILED) {
		u->map = NULL;
		return fail("mmap %s map 0 (%#zx bytes): %s", dev, u->size,
			    strerror(errno));
	}
	ring_init(&u->tx, "tx", u->map, u->size / 2);
	ring_init(&u->rx, "rx", u->map + u->size / 2, u->size / 2);
	return 0;
}

static void uio_close(struct uio *u)
{
	if (u->map)
		munmap(u->map, u->size);
	if (u->fd >= 0)
		close(u->fd);
	u->map = NULL;
	u->fd = -1;
}

/*
 * Interrupts on in the rx ring (irqcontrol 1), which also signals the
 * host (the echo device's channel has no monitor page).
 */
static int uio_signal(struct uio *u)
{
	int32_t on = 1;

	if (write(u->fd, &on, sizeof(on)) != sizeof(on))
		return fail("write to the uio device: %s", strerror(errno));
	u->signals++;
	return 0;
}

/*
 * Wait (up to WAIT_MS) for the host to wait for data: interrupt_mask 0 in
 * the tx ring.  Just after the channel opens, the host may still be in
 * its first look at the ring.
 */
static void uio_host_waits(struct uio *u)
{
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (!__atomic_load_n(&u->tx.ctl->interrupt_mask,
				     __ATOMIC_ACQUIRE))
			return;
		usleep(1000);
	}
	diag("the host still reads the tx ring after %d ms", WAIT_MS);
}

/* Wait for an interrupt; returns the interrupt count, -1 on a timeout. */
static int64_t uio_wait(struct uio *u)
{
	struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
	int32_t count;
	int n;

	n = poll(&pfd, 1, WAIT_MS);
	if (n < 0)
		return fail("poll: %s", strerror(errno));
	if (n == 0)
		return fail("no interrupt within %d ms (rx write %u read %u mask %u)",
			    WAIT_MS, u->rx.ctl->write_index,
			    u->rx.ctl->read_index, u->rx.ctl->interrupt_mask);
	if (read(u->fd, &count, sizeof(count)) != sizeof(count))
		return fail("read from the uio device: %s", strerror(errno));
	return count;
}

static void fill(uint8_t *p, uint32_t len, unsigned int seq)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seq * 7 + 1);
}

/*
 * One packet to the host and its echo back.  @ring, when not NULL, is
 * the sysfs ring file's mapping, which must show what map 0 shows.
 */
static int exchange(struct uio *u, const uint8_t *ring, uint32_t len,
		    unsigned int seq)
{
	static uint8_t out[MAX_PAYLOAD], in[MAX_PAYLOAD + 64];
	const struct pkt_desc *desc = (const struct pkt_desc *)in;
	uint32_t sent_at, tx_write, i;
	bool more;
	int owed, got, tries;
	int64_t count = 0;

	fill(out, len, seq);
	sent_at = u->tx.ctl->write_index;
	owed = ring_send(&u->tx, out, len, 0x5eed0000ULL + seq);
	if (owed < 0)
		return -1;
	tx_write = u->tx.ctl->write_index;
	/* Only the guest writes tx data: both mappings show the same. */
	if (ring && memcmp(ring + RING_CTL_SIZE, u->tx.data, u->tx.size))
		return fail("packet %u: the ring file shows other tx data",
			    seq);
	/*
	 * Only when owed: a host that is still reading (interrupt_mask 1)
	 * takes a last look before it waits, and counts needless signals.
	 */
	if (owed && uio_signal(u))
		return -1;

	/* Wake-ups before the echo was written (counted) are waited over. */
	for (tries = 0; tries < 10; tries++) {
		count = uio_wait(u);
		if (count < 0)
			return -1;
		got = ring_recv(&u->rx, in, sizeof(in), &more);
		if (got)
			break;
		u->spurious++;
	}
	if (got < 0)
		return -1;
	if (!got)
		return fail("packet %u: interrupts but no echo", seq);
	if (more && uio_signal(u))
		return -1;
	if (more)
		diag("packet %u: the host waited for room in rx", seq);

	if (desc->type != VM_PKT_DATA_INBAND || desc->flags ||
	    desc->trans_id || desc->offset8 != 2)
		return fail("packet %u: echo type %u flags %#x trans_id %#llx offset8 %u",
			    seq, desc->type, desc->flags,
			    (unsigned long long)desc->trans_id,
			    desc->offset8);
	/* The payload comes back with the padding that was sent. */
	if ((uint32_t)got - sizeof(*desc) != ALIGN8(len))
		return fail("packet %u: echo of %u bytes for %u sent", seq,
			    got - (int)sizeof(*desc), len);
	for (i = 0; i < len; i++)
		if (in[sizeof(*desc) + i] != out[i])
			return fail("packet %u: byte %u is %#x, sent %#x", seq,
				    i, in[sizeof(*desc) + i], out[i]);
	for (; i < ALIGN8(len); i++)
		if (in[sizeof(*desc) + i])
			return fail("packet %u: padding byte %u is %#x", seq,
				    i, in[sizeof(*desc) + i]);

	/* The host consumed the packet before it wrote the echo. */
	if (u->tx.ctl->read_index != tx_write)
		return fail("packet %u: tx read index %u, write index %u", seq,
			    u->tx.ctl->read_index, tx_write);
	if (u->rx.ctl->read_index != u->rx.ctl->write_index)
		return fail("packet %u: more than one packet came back", seq);
	if (seq < 2)
		diag("packet %u: %u bytes at tx %u, echo at rx %u, interrupt count %lld",
		     seq, len, sent_at,
		     (u->rx.ctl->read_index + u->rx.size - got - PKT_TRAILER) %
		     u->rx.size, (long long)count);
	return 0;
}

/* The sysfs ring file, mapped with @len bytes at page @pgoff. */
static void *map_ring_file(const char *path, size_t len, off_t pgoff,
			   int *err)
{
	void *p;
	int fd;

	fd = open(path, O_RDWR);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 pgoff * page_size);
	*err = p == MAP_FAILED ? errno : 0;
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int cmd_echo(const char *dev, const char *ring_path, uint32_t len,
		    unsigned int count)
{
	uint32_t tx_start, rx_start, wraps = 0, last;
	struct uio u;
	uint8_t *ring;
	unsigned int i;
	int err, ret = -1;

	if (len > MAX_PAYLOAD)
		return fail("payload of %u bytes: at most %u", len,
			    MAX_PAYLOAD);
	if (uio_open(&u, dev))
		goto out;
	diag("%s: map 0 is %#zx bytes: tx and rx rings of %#x data bytes each",
	     dev, u.size, u.tx.size);
	ring = map_ring_file(ring_path, u.size, 0, &err);
	if (!ring) {
		fail("mmap %s: %s", ring_path, strerror(err));
		goto out;
	}
	if (memcmp(ring, u.map, RING_CTL_SIZE)) {
		fail("%s: another tx control page than map 0's", ring_path);
		goto unmap;
	}

	/* The channel opened with interrupts on in rx: the mask is 0. */
	if (u.rx.ctl->interrupt_mask) {
		fail("rx interrupt_mask %u after open",
		     u.rx.ctl->interrupt_mask);
		goto unmap;
	}
	/* Then the first packet is owed a signal, through the device. */
	uio_host_waits(&u);

	tx_start = u.tx.ctl->write_index;
	rx_start = u.rx.ctl->read_index;
	last = tx_start;
	for (i = 0; i < count; i++) {
		if (exchange(&u, ring, len, i))
			goto unmap;
		if (u.tx.ctl->write_index < last)
			wraps++;
		last = u.tx.ctl->write_index;
	}
	diag("%u packets of %u bytes: tx index %u -> %u, rx %u -> %u, %u wraps, %lu spurious wake-ups, signals %lu",
	     count, len, tx_start, u.tx.ctl->write_index, rx_start,
	     u.rx.ctl->read_index, wraps, u.spurious, u.signals);
	ret = 0;
unmap:
	munmap(ring, u.size);
out:
	uio_close(&u);
	return ret;
}

static int cmd_maps(const char *dev)
{
	char name[64];
	const uint8_t *p;
	size_t size;
	int fd, i, n = 0;
	void *m;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		return fail("open %s: %s", dev, strerror(errno));
	for (i = 0; i < UIO_MAX_MAPS; i++) {
		size = map_size(dev, i);
		if (!size)
			break;
		if (map_attr(dev, i, "name", name, sizeof(name)))
			snprintf(name, sizeof(name), "?");
		m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, i * page_size);
		if (m == MAP_FAILED) {
			close(fd);
			return fail("mmap map %d (%s, %#zx bytes): %s", i, name,
				    size, strerror(errno));
		}
		/* Fault in the first and the last page. */
		p = m;
		__atomic_load_n(&p[0], __ATOMIC_RELAXED);
		__atomic_load_n(&p[size - 1], __ATOMIC_RELAXED);
		munmap(m, size);
		diag("map %d: %s, %#zx bytes", i, name, size);
		n++;
	}
	close(fd);
	if (n != UIO_MAX_MAPS)
		return fail("%d maps, uio_hv_generic has %d", n, UIO_MAX_MAPS);
	return 0;
}

/* A mapping that must fail with EINVAL. */
static int want_einval(const char *what, void *p)
{
	if (p != MAP_FAILED) {
		munmap(p, page_size);
		return fail("%s: mapped", what);
	}
	if (errno != EINVAL)
		return fail("%s: %s, want EINVAL", what, strerror(errno));
	diag("%s: EINVAL", what);
	return 0;
}

static int cmd_limits(const char *dev, const char *ring_path)
{
	size_t size = map_size(dev, 0);
	int fd, rfd, ret = 0;
	int32_t v = 1;
	void *p;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		return fail("open %s: %s", dev, strerror(errno));

	p = mmap(NULL, size + page_size, PROT_READ, MAP_SHARED, fd, 0);
	ret |= want_einval("map 0 one page beyond its size", p);
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, fd,
		 UIO_MAX_MAPS * page_size);
	ret |= want_einval("a map past the last one", p);

	if (read(fd, &v, 2) != -1 || errno != EINVAL)
		ret |= fail("a 2-byte read: not EINVAL");
	else
		diag("a 2-byte read: EINVAL");
	if (write(fd, &v, 2) != -1 || errno != EINVAL)
		ret |= fail("a 2-byte write: not EINVAL");
	else
		diag("a 2-byte write: EINVAL");

	rfd = open(ring_path, O_RDWR);
	if (rfd < 0) {
		ret |= fail("open %s: %s", ring_path, strerror(errno));
	} else {
		p = mmap(NULL, size + page_size, PROT_READ, MAP_SHARED, rfd,
			 0);
		ret |= want_einval("the ring file one page beyond its size",
				   p);
		p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, rfd, size);
		ret |= want_einval("the ring file at its end", p);
		close(rfd);
	}

	/* And what was refused took nothing: the whole map still maps. */
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		ret |= fail("map 0 after the refusals: %s", strerror(errno));
	else
		munmap(p, size);
	close(fd);
	return ret ? -1 : 0;
}

static int cmd_second(const char *dev, const char *ring_path)
{
	struct uio a, b;
	uint8_t *ring = NULL;
	int err, ret = -1;

	if (uio_open(&a, dev))
		goto out_a;
	if (uio_open(&b, dev))
		goto out_b;
	if (memcmp(a.map, b.map, RING_CTL_SIZE * 2)) {
		fail("the second open maps another ring");
		goto out_b;
	}
	diag("a second open maps the same rings");
	uio_close(&b);
	/* The channel stays open while the first file is. */
	ring = map_ring_file(ring_path, a.size, 0, &err);
	if (!ring) {
		fail("mmap %s after the second close: %s", ring_path,
		     strerror(err));
		goto out_a;
	}
	if (exchange(&a, ring, 100, 0))
		goto out_a;
	diag("after the second close, the first still exchanges a packet");
	ret = 0;
out_b:
	uio_close(&b);
out_a:
	if (ring)
		munmap(ring, a.size);
	uio_close(&a);
	return ret;
}

static int cmd_closed(const char *ring_path)
{
	int err;
	void *p;

	p = map_ring_file(ring_path, page_size, 0, &err);
	if (p) {
		munmap(p, page_size);
		return fail("%s mapped with the channel closed", ring_path);
	}
	if (err != ENODEV)
		return fail("%s: %s, want ENODEV", ring_path, strerror(err));
	diag("%s with the channel closed: ENODEV", ring_path);
	return 0;
}

/* Send @ctl on the primary channel; the answer replaces it. */
static int echo_request(struct uio *u, struct echo_ctl *ctl)
{
	static uint8_t in[256];
	const struct pkt_desc *desc = (const struct pkt_desc *)in;
	bool more;
	int owed, got, tries;

	owed = ring_send(&u->tx, ctl, sizeof(*ctl), 1);
	if (owed < 0 || (owed && uio_signal(u)))
		return -1;
	for (tries = 0; tries < 10; tries++) {
		if (uio_wait(u) < 0)
			return -1;
		got = ring_recv(&u->rx, in, sizeof(in), &more);
		if (got)
			break;
	}
	if (got <= 0)
		return got ? -1 : fail("no answer to the control request");
	if (more && uio_signal(u))
		return -1;
	if (desc->type != VM_PKT_DATA_INBAND ||
	    got != (int)(sizeof(*desc) + sizeof(*ctl)))
		return fail("control answer: type %u, %d bytes", desc->type,
			    got);
	memcpy(ctl, in + sizeof(*desc), sizeof(*ctl));
	return 0;
}

/* The ring files of the sub-channels beside @ring_path's channel. */
static int find_subchannels(const char *ring_path, char paths[][256],
			    int max)
{
	char chans[256], *primary, *slash;
	struct dirent *e;
	struct stat st;
	int n = 0;
	DIR *d;

	/* .../channels/RELID/ring: the directory of the channels, RELID. */
	snprintf(chans, sizeof(chans), "%s", ring_path);
	slash = strrchr(chans, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(chans, '/');
	if (!slash)
		return fail("%s: not a channel's ring file", ring_path);
	*slash = '\0';
	primary = slash + 1;
	d = opendir(chans);
	if (!d)
		return fail("opendir %s: %s", chans, strerror(errno));
	while ((e = readdir(d)) != NULL && n < max) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, primary))
			continue;
		if (snprintf(paths[n], 256, "%s/%s/ring", chans,
			     e->d_name) >= 256)
			continue;
		if (!stat(paths[n], &st))
			n++;
	}
	closedir(d);
	return n;
}

static int cmd_subchannels(const char *dev, const char *ring_path,
			   unsigned int want)
{
	static char paths[MAX_SUBCHANNELS][256];
	struct echo_ctl ctl = {
		.magic = ECHO_CTL_MAGIC,
		.op = ECHO_OP_SUBCHANNELS,
		.arg = want,
	};
	struct uio u, sc;
	struct stat st;
	uint8_t *map;
	int i, n = 0, ms, err, ret = -1;

	if (!want || want > MAX_SUBCHANNELS)
		return fail("%u sub-channels: 1 to %d", want, MAX_SUBCHANNELS);
	if (uio_open(&u, dev))
		goto out;
	uio_host_waits(&u);
	if (echo_request(&u, &ctl))
		goto out;
	if (ctl.status != (int32_t)want) {
		fail("the device has %d sub-channels, asked for %u",
		     ctl.status, want);
		goto out;
	}
	diag("the echo device offered %u sub-channels", want);

	/* uio_hv_generic opens each as it comes and shows its ring file. */
	for (ms = 0; ms < WAIT_MS; ms += 10) {
		n = find_subchannels(ring_path, paths, MAX_SUBCHANNELS);
		if (n < 0 || n == (int)want)
			break;
		usleep(10000);
	}
	if (n != (int)want) {
		fail("%d sub-channel ring files, want %u", n, want);
		goto out;
	}

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) || st.st_size < 4 * RING_CTL_SIZE) {
			fail("%s: no size", paths[i]);
			goto out;
		}
		map = map_ring_file(paths[i], st.st_size, 0, &err);
		if (!map) {
			fail("mmap %s: %s", paths[i], strerror(err));
			goto out;
		}
		/* The sub-channel's rings; its interrupts come through DEV. */
		sc = u;
		sc.map = NULL;
		ring_init(&sc.tx, "tx", map, st.st_size / 2);
		ring_init(&sc.rx, "rx", map + st.st_size / 2, st.st_size / 2);
		uio_host_waits(&sc);
		err = exchange(&sc, NULL, 100 + i, i);
		munmap(map, st.st_size);
		if (err) {
			fail("on %s", paths[i]);
			goto out;
		}
		diag("%s: %#llx bytes, a packet there and back", paths[i],
		     (unsigned long long)st.st_size);
	}
	ret = 0;
out:
	uio_close(&u);
	return ret;
}

static int bad_args(void)
{
	fprintf(stderr,
		"usage: uio_echo echo DEV RING [LEN [COUNT]]\n"
		"       uio_echo maps DEV\n"
		"       uio_echo limits DEV RING\n"
		"       uio_echo second DEV RING\n"
		"       uio_echo closed RING\n"
		"       uio_echo subchannels DEV RING N\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	uint32_t len = 61;
	unsigned int count = 1;
	int ret;

	page_size = sysconf(_SC_PAGESIZE);
	if (!strcmp(cmd, "echo") && argc >= 4 && argc <= 6) {
		if (argc >= 5)
			len = strtoul(argv[4], NULL, 0);
		if (argc >= 6)
			count = strtoul(argv[5], NULL, 0);
		ret = cmd_echo(argv[2], argv[3], len, count);
	} else if (!strcmp(cmd, "maps") && argc == 3) {
		ret = cmd_maps(argv[2]);
	} else if (!strcmp(cmd, "limits") && argc == 4) {
		ret = cmd_limits(argv[2], argv[3]);
	} else if (!strcmp(cmd, "second") && argc == 4) {
		ret = cmd_second(argv[2], argv[3]);
	} else if (!strcmp(cmd, "closed") && argc == 3) {
		ret = cmd_closed(argv[2]);
	} else if (!strcmp(cmd, "subchannels") && argc == 5) {
		ret = cmd_subchannels(argv[2], argv[3],
				      strtoul(argv[4], NULL, 0));
	} else {
		return bad_args();
	}
	return ret ? 1 : 0;
}
