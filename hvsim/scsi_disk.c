// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: a SCSI disk backed by RAM (scsi_disk.h).
 *
 * Decisions (reference/vsp-host-behaviour.md, E.2, OpenVMM's disk):
 *  - 512-byte logical blocks, 4 KiB physical; pages are allocated on the
 *    first write and read as zeroes before; UNMAP and an all-zero WRITE
 *    SAME give whole pages back (thin provisioning, LBPU; no LBPRZ).
 *  - Block limits (VPD 0xb0): UNMAP of at most 1 GiB in 256 descriptors
 *    and WRITE SAME of 8 MiB, not 0 blocks (WSNZ); more is ILLEGAL
 *    REQUEST, INVALID FIELD IN PARAMETER LIST or IN CDB, as SBC says.
 *  - Errors are CHECK CONDITION with fixed-format sense and srb
 *    INVALID_REQUEST for illegal requests, ERROR for the rest; the last
 *    one stays for REQUEST SENSE.  READ CAPACITY(10) into less than 8
 *    bytes is srb DATA_OVERRUN.
 *  - A transfer length of 0 or one longer than the buffer, or a range
 *    past the end, is LBA OUT OF RANGE; a buffer of the wrong direction
 *    is INVALID FIELD IN CDB.
 *  - After a resize the next command but INQUIRY and REQUEST SENSE gets
 *    UNIT ATTENTION, CAPACITY DATA HAS CHANGED (srb ERROR); REQUEST SENSE
 *    returns that sense instead.
 *  - Unknown opcodes and service actions: ILLEGAL REQUEST, INVALID
 *    COMMAND OPERATION CODE.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": scsi: " fmt

#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "scsi_disk.h"

/* Opcodes. */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_FORMAT_UNIT		0x04
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_RESERVE_6		0x16
#define OP_RELEASE_6		0x17
#define OP_MODE_SENSE_6		0x1a
#define OP_START_STOP		0x1b
#define OP_PREVENT_ALLOW	0x1e
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_VERIFY_10		0x2f
#define OP_SYNC_CACHE_10	0x35
#define OP_WRITE_SAME_10	0x41
#define OP_UNMAP		0x42
#define OP_MODE_SENSE_10	0x5a
#define OP_READ_16		0x88
#define OP_WRITE_16		0x8a
#define OP_VERIFY_16		0x8f
#define OP_SYNC_CACHE_16	0x91
#define OP_WRITE_SAME_16	0x93
#define OP_SERVICE_ACTION_IN_16	0x9e
#define OP_REPORT_LUNS		0xa0
#define OP_READ_12		0xa8
#define OP_WRITE_12		0xaa
#define SAI_READ_CAPACITY_16	0x10

#define HVSIM_SCSI_PAGE_BLOCKS	(PAGE_SIZE >> HVSIM_SCSI_BLOCK_SHIFT)
/* Physical blocks of 4 KiB: 2^3 logical blocks each. */
#define HVSIM_SCSI_PHYS_EXP	3
/* Microsoft's IEEE OUI, of the NAA designator. */
#define HVSIM_SCSI_MSFT_OUI	0x002248

static const char hvsim_scsi_vendor[8] = "Msft    ";
static const char hvsim_scsi_product[16] = "Virtual Disk    ";
static const char hvsim_scsi_revision[4] = "1.0 ";

/* The VPD pages, in order (the list of page 0x00). */
static const u8 hvsim_scsi_vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1,
					   0xb2 };

/* What a page never written reads as. */
static u8 hvsim_scsi_zeroes[PAGE_SIZE];

/* Standard INQUIRY data: 36 bytes, additional length 31. */
#define HVSIM_INQUIRY_LEN	36

static void hvsim_scsi_good(struct hvsim_scsi_result *res)
{
	res->scsi_status = HVSIM_SAM_GOOD;
	res->srb_status = HVSIM_SRB_SUCCESS;
}

/**
 * hvsim_scsi_set_sense() - end a command with CHECK CONDITION and sense.
 * @res: the result.
 * @srb: the SRB status (AUTOSENSE_VALID is added).
 * @key: the sense key.
 * @asc: additional sense code.
 * @ascq: its qualifier.
 *
 * Context: any.
 */
void hvsim_scsi_set_sense(struct hvsim_scsi_result *res, u8 srb, u8 key,
			  u8 asc, u8 ascq)
{
	memset(res->sense, 0, sizeof(res->sense));
	res->sense[0] = 0x70;			/* current, fixed format */
	res->sense[2] = key & 0x0f;
	res->sense[7] = HVSIM_SENSE_LEN - 8;	/* additional length */
	res->sense[12] = asc;
	res->sense[13] = ascq;
	res->sense_len = HVSIM_SENSE_LEN;
	res->scsi_status = HVSIM_SAM_CHECK_CONDITION;
	res->srb_status = srb | HVSIM_SRB_AUTOSENSE_VALID;
	res->xfer = 0;
}

static void hvsim_scsi_illegal(struct hvsim_scsi_result *res, u8 asc)
{
	hvsim_scsi_set_sense(res, HVSIM_SRB_INVALID_REQUEST,
			     HVSIM_SENSE_ILLEGAL_REQUEST, asc, 0);
}

/*
 * Return @len bytes of @data, at most @alloc (the CDB's allocation
 * length) and the buffer: a shorter buffer is no error, as on a real
 * target.
 */
static void hvsim_scsi_reply(struct hvsim_scsi_buf *buf,
			     struct hvsim_scsi_result *res, void *data,
			     u32 len, u32 alloc)
{
	u32 n = min3(len, alloc, buf->len);

	if (n && buf->dir != HVSIM_SCSI_DIR_IN) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (n && buf->copy(buf, 0, data, n, true)) {
		res->scsi_status = HVSIM_SAM_GOOD;
		res->srb_status = HVSIM_SRB_ERROR;
		res->xfer = 0;
		return;
	}
	hvsim_scsi_good(res);
	res->xfer = n;
}

/* ------------------------------------------------------------------------
 * The RAM behind the disk.
 */

static u64 hvsim_scsi_npages(u64 blocks)
{
	return DIV_ROUND_UP(blocks, HVSIM_SCSI_PAGE_BLOCKS);
}

/**
 * hvsim_scsi_disk_init() - a new disk, all zeroes.
 * @disk: the disk, zeroed by the caller or not.
 * @bytes: its size, a multiple of 512 from 512 to HVSIM_SCSI_MAX_BYTES.
 * @id: its identity (serial number, designators).
 *
 * Context: process context.
 * Return: 0; -EINVAL for a bad size; -ENOMEM.
 */
int hvsim_scsi_disk_init(struct hvsim_scsi_disk *disk, u64 bytes,
			 const guid_t *id)
{
	memset(disk, 0, sizeof(*disk));
	if (!bytes || bytes > HVSIM_SCSI_MAX_BYTES ||
	    bytes % HVSIM_SCSI_BLOCK_SIZE)
		return -EINVAL;
	disk->blocks = bytes >> HVSIM_SCSI_BLOCK_SHIFT;
	disk->npages = hvsim_scsi_npages(disk->blocks);
	disk->pages = kvcalloc(disk->npages, sizeof(*disk->pages), GFP_KERNEL);
	if (!disk->pages)
		return -ENOMEM;
	disk->id = *id;
	return 0;
}

/*
 * Free the pages of [@from, @to): only allocated ones are visited (the
 * page array is scanned for the next one), none once the disk has none.
 */
static void hvsim_scsi_free_pages(struct hvsim_scsi_disk *disk, u64 from,
				  u64 to)
{
	u64 i = from, freed = 0;
	u8 *next;

	while (i < to && disk->allocated) {
		next = memchr_inv(&disk->pages[i], 0,
				  (to - i) * sizeof(*disk->pages));
		if (!next)
			break;
		i = (next - (u8 *)disk->pages) / sizeof(*disk->pages);
		__free_page(disk->pages[i]);
		disk->pages[i] = NULL;
		disk->allocated--;
		i++;
		if (!(++freed % 1024))
			cond_resched();
	}
}

/**
 * hvsim_scsi_disk_free() - give a disk's memory back.
 * @disk: the disk; may be one whose init failed.
 *
 * Context: process context.
 */
void hvsim_scsi_disk_free(struct hvsim_scsi_disk *disk)
{
	if (disk->pages)
		hvsim_scsi_free_pages(disk, 0, disk->npages);
	kvfree(disk->pages);
	disk->pages = NULL;
	disk->npages = 0;
	disk->blocks = 0;
}

/**
 * hvsim_scsi_disk_resize() - change a disk's size.
 * @disk: the disk.
 * @bytes: the new size (as for hvsim_scsi_disk_init()).
 *
 * Data below the new size stays; growing adds zeroes.  The next command
 * but INQUIRY and REQUEST SENSE reports the change (UNIT ATTENTION).
 *
 * Context: process context.
 * Return: 0; -EINVAL for a bad size; -ENOMEM (the disk is unchanged).
 */
int hvsim_scsi_disk_resize(struct hvsim_scsi_disk *disk, u64 bytes)
{
	u64 blocks = bytes >> HVSIM_SCSI_BLOCK_SHIFT, npages;
	struct page **pages;

	if (!bytes || bytes > HVSIM_SCSI_MAX_BYTES ||
	    bytes % HVSIM_SCSI_BLOCK_SIZE)
		return -EINVAL;
	if (blocks == disk->blocks)
		return 0;
	npages = hvsim_scsi_npages(blocks);
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	if (npages < disk->npages)
		hvsim_scsi_free_pages(disk, npages, disk->npages);
	memcpy(pages, disk->pages, min(npages, disk->npages) * sizeof(*pages));
	kvfree(disk->pages);
	disk->pages = pages;
	disk->npages = npages;
	/* A shrink within the last page: what lies past the end is zero. */
	if (blocks % HVSIM_SCSI_PAGE_BLOCKS && pages[npages - 1] &&
	    blocks < disk->blocks) {
		u32 keep = (blocks % HVSIM_SCSI_PAGE_BLOCKS) <<
			   HVSIM_SCSI_BLOCK_SHIFT;

		memzero_page(pages[npages - 1], keep, PAGE_SIZE - keep);
	}
	disk->blocks = blocks;
	disk->ua_capacity = true;
	return 0;
}

/*
 * Move @n blocks at @lba between the disk and the buffer (from offset 0).
 * 0, -EIO when the buffer could not be reached, -ENOMEM when a page
 * could not be allocated.
 */
static int hvsim_scsi_rw(struct hvsim_scsi_disk *disk,
			 struct hvsim_scsi_buf *buf, u64 lba, u32 n,
			 bool write, u32 *moved)
{
	u64 pos = lba << HVSIM_SCSI_BLOCK_SHIFT;
	u64 len = (u64)n << HVSIM_SCSI_BLOCK_SHIFT;
	u32 off = 0, chunk, in_page;
	struct page *page;
	void *va;
	int ret;

	*moved = 0;
	while (len) {
		in_page = offset_in_page(pos);
		chunk = min_t(u64, len, PAGE_SIZE - in_page);
		page = disk->pages[pos >> PAGE_SHIFT];
		if (write && !page) {
			page = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!page)
				return -ENOMEM;
			disk->pages[pos >> PAGE_SHIFT] = page;
			disk->allocated++;
		}
		if (page) {
			va = kmap_local_page(page);
			ret = buf->copy(buf, off, va + in_page, chunk, !write);
			kunmap_local(va);
		} else {
			ret = buf->copy(buf, off, hvsim_scsi_zeroes, chunk,
					true);
		}
		if (ret)
			return -EIO;
		pos += chunk;
		off += chunk;
		len -= chunk;
		*moved = off;
	}
	return 0;
}

/* Zero the bytes [@from, @to) of one page, if it is allocated. */
static void hvsim_scsi_zero_part(struct hvsim_scsi_disk *disk, u64 from,
				 u64 to)
{
	struct page *page;

	if (from >= to)
		return;
	page = disk->pages[from >> PAGE_SHIFT];
	if (page)
		memzero_page(page, offset_in_page(from), to - from);
}

/* Zero @n blocks at @lba; whole pages go back. */
static void hvsim_scsi_zero(struct hvsim_scsi_disk *disk, u64 lba, u64 n)
{
	u64 pos = lba << HVSIM_SCSI_BLOCK_SHIFT;
	u64 end = (lba + n) << HVSIM_SCSI_BLOCK_SHIFT;
	u64 first = DIV_ROUND_UP(pos, PAGE_SIZE), last = end >> PAGE_SHIFT;

	if (first >= last) {
		/* Within one page. */
		hvsim_scsi_zero_part(disk, pos, end);
		return;
	}
	hvsim_scsi_zero_part(disk, pos, first << PAGE_SHIFT);
	hvsim_scsi_free_pages(disk, first, last);
	hvsim_scsi_zero_part(disk, last << PAGE_SHIFT, end);
}

static bool hvsim_scsi_range_ok(struct hvsim_scsi_disk *disk, u64 lba, u64 n)
{
	return lba <= disk->blocks && n <= disk->blocks - lba;
}

/* ------------------------------------------------------------------------
 * Commands.
 */

static void hvsim_scsi_inquiry_std(u8 *d, bool present)
{
	memset(d, 0, HVSIM_INQUIRY_LEN);
	d[0] = present ? 0x00 : 0x7f;	/* disk; or no LU here */
	d[2] = 0x05;			/* SPC-3 */
	d[3] = 0x02;			/* response data format 2 */
	d[4] = HVSIM_INQUIRY_LEN - 5;
	d[7] = 0x02;			/* CmdQue */
	if (present) {
		memcpy(d + 8, hvsim_scsi_vendor, 8);
		memcpy(d + 16, hvsim_scsi_product, 16);
		memcpy(d + 32, hvsim_scsi_revision, 4);
	}
}

/* The disk's identity as 32 hex digits. */
static void hvsim_scsi_id_hex(struct hvsim_scsi_disk *disk, char *out)
{
	bin2hex(out, disk->id.b, sizeof(disk->id.b));
}

/* Provisioning threshold exponent: the size in 2^exp blocks fits 32 bits. */
static u8 hvsim_scsi_threshold_exp(u64 blocks)
{
	u8 exp = 1;

	while (exp < 63 && (blocks >> exp) > U32_MAX)
		exp++;
	return exp;
}

static void hvsim_scsi_inquiry(struct hvsim_scsi_disk *disk, const u8 *cdb,
			       struct hvsim_scsi_buf *buf,
			       struct hvsim_scsi_result *res)
{
	u32 alloc = get_unaligned_be16(cdb + 3), len;
	u8 d[72] = {};
	char hex[32];

	if (cdb[1] & 0x02 || (!(cdb[1] & 0x01) && cdb[2])) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (!(cdb[1] & 0x01)) {
		hvsim_scsi_inquiry_std(d, true);
		hvsim_scsi_reply(buf, res, d, HVSIM_INQUIRY_LEN, alloc);
		return;
	}

	d[1] = cdb[2];
	switch (cdb[2]) {
	case 0x00:
		memcpy(d + 4, hvsim_scsi_vpd_pages,
		       sizeof(hvsim_scsi_vpd_pages));
		len = 4 + sizeof(hvsim_scsi_vpd_pages);
		break;
	case 0x80:	/* unit serial number */
		hvsim_scsi_id_hex(disk, hex);
		memcpy(d + 4, hex, sizeof(hex));
		len = 4 + sizeof(hex);
		break;
	case 0x83:	/* device identification */
		/* T10 vendor ID: vendor, then the disk's identity. */
		d[4] = 0x02;			/* ASCII */
		d[5] = 0x01;			/* LU, T10 vendor ID */
		d[7] = 8 + sizeof(hex);
		memcpy(d + 8, hvsim_scsi_vendor, 8);
		hvsim_scsi_id_hex(disk, hex);
		memcpy(d + 16, hex, sizeof(hex));
		/* NAA 6: Microsoft's OUI and 100 bits of the identity. */
		d[48] = 0x01;			/* binary */
		d[49] = 0x03;			/* LU, NAA */
		d[51] = 16;
		d[52] = 0x60 | ((HVSIM_SCSI_MSFT_OUI >> 20) & 0x0f);
		d[53] = (HVSIM_SCSI_MSFT_OUI >> 12) & 0xff;
		d[54] = (HVSIM_SCSI_MSFT_OUI >> 4) & 0xff;
		d[55] = ((HVSIM_SCSI_MSFT_OUI & 0x0f) << 4) |
			(disk->id.b[0] & 0x0f);
		memcpy(d + 56, disk->id.b + 1, 12);
		len = 68;
		break;
	case 0xb0:	/* block limits */
		len = 64;
		d[4] = 0x01;		/* WSNZ: WRITE SAME of 0 blocks refused */
		put_unaligned_be32(HVSIM_SCSI_MAX_UNMAP_BLOCKS, d + 20);
		put_unaligned_be32(HVSIM_SCSI_MAX_UNMAP_DESC, d + 24);
		put_unaligned_be32(HVSIM_SCSI_PAGE_BLOCKS, d + 28);
		d[32] = 0x80;				/* alignment valid */
		put_unaligned_be64(HVSIM_SCSI_MAX_WS_BLOCKS, d + 36);
		break;
	case 0xb1:	/* block device characteristics */
		len = 64;
		put_unaligned_be16(1, d + 4);		/* non-rotating */
		break;
	case 0xb2:	/* logical block provisioning */
		len = 8;
		d[4] = hvsim_scsi_threshold_exp(disk->blocks);
		d[5] = 0x80;				/* LBPU */
		d[6] = 0x02;				/* thin */
		break;
	default:
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	put_unaligned_be16(len - 4, d + 2);
	hvsim_scsi_reply(buf, res, d, len, alloc);
}

static void hvsim_scsi_read_capacity(struct hvsim_scsi_disk *disk,
				     const u8 *cdb,
				     struct hvsim_scsi_buf *buf,
				     struct hvsim_scsi_result *res)
{
	u8 d[32] = {};

	if (cdb[0] == OP_READ_CAPACITY_10) {
		if (buf->len < 8) {
			res->scsi_status = HVSIM_SAM_GOOD;
			res->srb_status = HVSIM_SRB_DATA_OVERRUN;
			res->xfer = 0;
			return;
		}
		put_unaligned_be32(min_t(u64, disk->blocks - 1, U32_MAX), d);
		put_unaligned_be32(HVSIM_SCSI_BLOCK_SIZE, d + 4);
		hvsim_scsi_reply(buf, res, d, 8, 8);
		return;
	}
	put_unaligned_be64(disk->blocks - 1, d);
	put_unaligned_be32(HVSIM_SCSI_BLOCK_SIZE, d + 8);
	d[13] = HVSIM_SCSI_PHYS_EXP;
	d[14] = 0x80;					/* LBPME */
	hvsim_scsi_reply(buf, res, d, sizeof(d),
			 get_unaligned_be32(cdb + 10));
}

/* MODE SENSE(6) and (10): the caching page only (and "all pages"). */
static void hvsim_scsi_mode_sense(const u8 *cdb, struct hvsim_scsi_buf *buf,
				  struct hvsim_scsi_result *res)
{
	bool ten = cdb[0] == OP_MODE_SENSE_10;
	u8 pc = cdb[2] >> 6, page = cdb[2] & 0x3f, sub = cdb[3];
	u32 hdr = ten ? 8 : 4, alloc, len;
	u8 d[8 + 20] = {};

	alloc = ten ? get_unaligned_be16(cdb + 7) : cdb[4];
	if (pc == 3) {
		hvsim_scsi_illegal(res, HVSIM_ASC_SAVING_UNSUPPORTED);
		return;
	}
	if ((page != 0x08 && page != 0x3f) ||
	    (sub && !(page == 0x3f && sub == 0xff))) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	len = hdr + 20;
	/* Caching page: WCE on, nothing changeable. */
	d[hdr] = 0x08;
	d[hdr + 1] = 0x12;
	if (pc != 1)
		d[hdr + 2] = 0x04;
	if (ten) {
		put_unaligned_be16(len - 2, d);
		d[3] = 0x10;				/* DPOFUA */
	} else {
		d[0] = len - 1;
		d[2] = 0x10;
	}
	hvsim_scsi_reply(buf, res, d, len, alloc);
}

static void hvsim_scsi_request_sense(struct hvsim_scsi_disk *disk,
				     const u8 *cdb,
				     struct hvsim_scsi_buf *buf,
				     struct hvsim_scsi_result *res)
{
	struct hvsim_scsi_result s = {};

	if (cdb[1] & 0x01) {		/* descriptor format: not offered */
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (disk->ua_capacity) {
		hvsim_scsi_set_sense(&s, 0, HVSIM_SENSE_UNIT_ATTENTION,
				     HVSIM_ASC_CAPACITY_CHANGED, 0x09);
		disk->ua_capacity = false;
	} else if (disk->has_sense) {
		memcpy(s.sense, disk->sense, sizeof(s.sense));
	} else {
		hvsim_scsi_set_sense(&s, 0, HVSIM_SENSE_NO_SENSE, 0, 0);
	}
	disk->has_sense = false;
	hvsim_scsi_reply(buf, res, s.sense, HVSIM_SENSE_LEN, cdb[4]);
}

/* The LBA and length of a READ, WRITE, VERIFY or WRITE SAME CDB. */
static bool hvsim_scsi_lba_len(const u8 *cdb, u64 *lba, u32 *n)
{
	switch (cdb[0]) {
	case OP_READ_6:
	case OP_WRITE_6:
		*lba = get_unaligned_be24(cdb + 1) & 0x1fffff;
		*n = cdb[4] ? cdb[4] : 256;
		return true;
	case OP_READ_10:
	case OP_WRITE_10:
	case OP_VERIFY_10:
	case OP_WRITE_SAME_10:
	case OP_SYNC_CACHE_10:
		*lba = get_unaligned_be32(cdb + 2);
		*n = get_unaligned_be16(cdb + 7);
		/* RELADR is obsolete: a target may refuse it. */
		return !(cdb[1] & 0x01) || cdb[0] == OP_SYNC_CACHE_10;
	case OP_READ_12:
	case OP_WRITE_12:
		*lba = get_unaligned_be32(cdb + 2);
		*n = get_unaligned_be32(cdb + 6);
		return !(cdb[1] & 0x01);
	default:
		*lba = get_unaligned_be64(cdb + 2);
		*n = get_unaligned_be32(cdb + 10);
		return true;
	}
}

static void hvsim_scsi_read_write(struct hvsim_scsi_disk *disk,
				  const u8 *cdb, bool write,
				  struct hvsim_scsi_buf *buf,
				  struct hvsim_scsi_result *res)
{
	enum hvsim_scsi_dir want = write ? HVSIM_SCSI_DIR_OUT :
					   HVSIM_SCSI_DIR_IN;
	u32 n, moved;
	u64 lba;
	int ret;

	if (!hvsim_scsi_lba_len(cdb, &lba, &n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (!n || ((u64)n << HVSIM_SCSI_BLOCK_SHIFT) > buf->len ||
	    !hvsim_scsi_range_ok(disk, lba, n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (buf->dir != want) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	ret = hvsim_scsi_rw(disk, buf, lba, n, write, &moved);
	if (ret == -ENOMEM) {
		hvsim_scsi_set_sense(res, HVSIM_SRB_ERROR,
				     HVSIM_SENSE_MEDIUM_ERROR,
				     HVSIM_ASC_WRITE_ERROR, 0);
		return;
	}
	if (ret) {
		/* The initiator's buffer could not be reached. */
		res->scsi_status = HVSIM_SAM_GOOD;
		res->srb_status = HVSIM_SRB_ERROR;
		res->xfer = 0;
		return;
	}
	hvsim_scsi_good(res);
	res->xfer = moved;
}

static void hvsim_scsi_verify(struct hvsim_scsi_disk *disk, const u8 *cdb,
			      struct hvsim_scsi_result *res)
{
	u64 lba;
	u32 n;

	if (!hvsim_scsi_lba_len(cdb, &lba, &n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (!hvsim_scsi_range_ok(disk, lba, n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	hvsim_scsi_good(res);
	res->xfer = 0;
}

static void hvsim_scsi_sync_cache(struct hvsim_scsi_disk *disk,
				  const u8 *cdb,
				  struct hvsim_scsi_result *res)
{
	u64 lba;
	u32 n;

	hvsim_scsi_lba_len(cdb, &lba, &n);
	/* Length 0: to the end of the medium. */
	if (lba >= disk->blocks || !hvsim_scsi_range_ok(disk, lba, n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	/* RAM: nothing is cached. */
	hvsim_scsi_good(res);
	res->xfer = 0;
}

static void hvsim_scsi_write_same(struct hvsim_scsi_disk *disk,
				  const u8 *cdb,
				  struct hvsim_scsi_buf *buf,
				  struct hvsim_scsi_result *res)
{
	bool ndob = cdb[0] == OP_WRITE_SAME_16 && (cdb[1] & 0x01);
	u8 *block;
	u64 lba, i;
	u32 n, moved;
	bool zero;
	int ret = 0;

	hvsim_scsi_lba_len(cdb, &lba, &n);
	if (!n || n > HVSIM_SCSI_MAX_WS_BLOCKS ||
	    (cdb[0] == OP_WRITE_SAME_10 && (cdb[1] & 0x01))) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (!hvsim_scsi_range_ok(disk, lba, n)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!ndob && (buf->dir != HVSIM_SCSI_DIR_OUT ||
		      buf->len < HVSIM_SCSI_BLOCK_SIZE)) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	block = kzalloc(HVSIM_SCSI_BLOCK_SIZE, GFP_KERNEL);
	if (!block) {
		hvsim_scsi_set_sense(res, HVSIM_SRB_ERROR,
				     HVSIM_SENSE_MEDIUM_ERROR,
				     HVSIM_ASC_WRITE_ERROR, 0);
		return;
	}
	if (!ndob && buf->copy(buf, 0, block, HVSIM_SCSI_BLOCK_SIZE, false)) {
		res->scsi_status = HVSIM_SAM_GOOD;
		res->srb_status = HVSIM_SRB_ERROR;
		res->xfer = 0;
		goto out;
	}
	zero = !memchr_inv(block, 0, HVSIM_SCSI_BLOCK_SIZE);
	if (zero) {
		hvsim_scsi_zero(disk, lba, n);
	} else {
		struct hvsim_scsi_buf one = *buf;

		/* Each block from the one block of data. */
		one.len = HVSIM_SCSI_BLOCK_SIZE;
		for (i = 0; i < n && !ret; i++)
			ret = hvsim_scsi_rw(disk, &one, lba + i, 1, true,
					    &moved);
	}
	if (ret) {
		hvsim_scsi_set_sense(res, HVSIM_SRB_ERROR,
				     HVSIM_SENSE_MEDIUM_ERROR,
				     HVSIM_ASC_WRITE_ERROR, 0);
		goto out;
	}
	hvsim_scsi_good(res);
	res->xfer = ndob ? 0 : HVSIM_SCSI_BLOCK_SIZE;
out:
	kfree(block);
}

static void hvsim_scsi_unmap(struct hvsim_scsi_disk *disk, const u8 *cdb,
			     struct hvsim_scsi_buf *buf,
			     struct hvsim_scsi_result *res)
{
	u32 plen = get_unaligned_be16(cdb + 7), dlen, bdlen, i, ndesc;
	u64 lba, total = 0;
	u32 n;
	u8 *p;

	if (cdb[1] & 0x01) {		/* ANCHOR: not supported */
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	if (!plen) {
		hvsim_scsi_good(res);
		res->xfer = 0;
		return;
	}
	if (plen < 8 || plen > buf->len || buf->dir != HVSIM_SCSI_DIR_OUT) {
		hvsim_scsi_illegal(res, HVSIM_ASC_PARAM_LIST_LENGTH);
		return;
	}
	plen = min_t(u32, plen, 8 + 16 * HVSIM_SCSI_MAX_UNMAP_DESC + 16);
	p = kvmalloc(plen, GFP_KERNEL);
	if (!p) {
		hvsim_scsi_set_sense(res, HVSIM_SRB_ERROR,
				     HVSIM_SENSE_MEDIUM_ERROR,
				     HVSIM_ASC_WRITE_ERROR, 0);
		return;
	}
	if (buf->copy(buf, 0, p, plen, false)) {
		res->scsi_status = HVSIM_SAM_GOOD;
		res->srb_status = HVSIM_SRB_ERROR;
		res->xfer = 0;
		goto out;
	}
	dlen = get_unaligned_be16(p);
	bdlen = get_unaligned_be16(p + 2);
	ndesc = bdlen / 16;
	if (dlen != bdlen + 6 || bdlen % 16 || bdlen + 8 > plen) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_PARAM_FIELD);
		goto out;
	}
	if (ndesc > HVSIM_SCSI_MAX_UNMAP_DESC) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_PARAM_FIELD);
		goto out;
	}
	/* All are checked before any is done. */
	for (i = 0; i < ndesc; i++) {
		lba = get_unaligned_be64(p + 8 + 16 * i);
		n = get_unaligned_be32(p + 8 + 16 * i + 8);
		if (!hvsim_scsi_range_ok(disk, lba, n)) {
			hvsim_scsi_illegal(res, HVSIM_ASC_LBA_OUT_OF_RANGE);
			goto out;
		}
		total += n;
	}
	/* SBC: more than MAXIMUM UNMAP LBA COUNT in all. */
	if (total > HVSIM_SCSI_MAX_UNMAP_BLOCKS) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_PARAM_FIELD);
		goto out;
	}
	for (i = 0; i < ndesc; i++)
		hvsim_scsi_zero(disk, get_unaligned_be64(p + 8 + 16 * i),
				get_unaligned_be32(p + 8 + 16 * i + 8));
	hvsim_scsi_good(res);
	res->xfer = plen;
out:
	kvfree(p);
}

static void hvsim_scsi_dispatch(struct hvsim_scsi_disk *disk, const u8 *cdb,
				struct hvsim_scsi_buf *buf,
				struct hvsim_scsi_result *res)
{
	switch (cdb[0]) {
	case OP_INQUIRY:
		hvsim_scsi_inquiry(disk, cdb, buf, res);
		break;
	case OP_REQUEST_SENSE:
		hvsim_scsi_request_sense(disk, cdb, buf, res);
		break;
	case OP_READ_CAPACITY_10:
		hvsim_scsi_read_capacity(disk, cdb, buf, res);
		break;
	case OP_SERVICE_ACTION_IN_16:
		if ((cdb[1] & 0x1f) == SAI_READ_CAPACITY_16)
			hvsim_scsi_read_capacity(disk, cdb, buf, res);
		else
			hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_OPCODE);
		break;
	case OP_READ_6:
	case OP_READ_10:
	case OP_READ_12:
	case OP_READ_16:
		hvsim_scsi_read_write(disk, cdb, false, buf, res);
		break;
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_12:
	case OP_WRITE_16:
		hvsim_scsi_read_write(disk, cdb, true, buf, res);
		break;
	case OP_VERIFY_10:
	case OP_VERIFY_16:
		hvsim_scsi_verify(disk, cdb, res);
		break;
	case OP_SYNC_CACHE_10:
	case OP_SYNC_CACHE_16:
		hvsim_scsi_sync_cache(disk, cdb, res);
		break;
	case OP_WRITE_SAME_10:
	case OP_WRITE_SAME_16:
		hvsim_scsi_write_same(disk, cdb, buf, res);
		break;
	case OP_UNMAP:
		hvsim_scsi_unmap(disk, cdb, buf, res);
		break;
	case OP_MODE_SENSE_6:
	case OP_MODE_SENSE_10:
		hvsim_scsi_mode_sense(cdb, buf, res);
		break;
	case OP_START_STOP:
		if (cdb[1] & 0x01) {	/* IMMED */
			hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
			break;
		}
		fallthrough;
	case OP_TEST_UNIT_READY:
	case OP_FORMAT_UNIT:
	case OP_RESERVE_6:
	case OP_RELEASE_6:
	case OP_PREVENT_ALLOW:
		hvsim_scsi_good(res);
		res->xfer = 0;
		break;
	default:
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_OPCODE);
		break;
	}
}

/**
 * hvsim_scsi_disk_exec() - execute one command.
 * @disk: the disk.
 * @cdb: the CDB, 16 bytes (shorter CDBs padded).
 * @buf: the initiator's buffer.
 * @res: filled in.
 *
 * Context: process context; the caller serialises calls on @disk.
 */
void hvsim_scsi_disk_exec(struct hvsim_scsi_disk *disk, const u8 *cdb,
			  struct hvsim_scsi_buf *buf,
			  struct hvsim_scsi_result *res)
{
	memset(res, 0, sizeof(*res));
	if (disk->ua_capacity && cdb[0] != OP_INQUIRY &&
	    cdb[0] != OP_REQUEST_SENSE && cdb[0] != OP_REPORT_LUNS) {
		disk->ua_capacity = false;
		hvsim_scsi_set_sense(res, HVSIM_SRB_ERROR,
				     HVSIM_SENSE_UNIT_ATTENTION,
				     HVSIM_ASC_CAPACITY_CHANGED, 0x09);
	} else {
		hvsim_scsi_dispatch(disk, cdb, buf, res);
	}
	if (res->sense_len) {
		memcpy(disk->sense, res->sense, sizeof(disk->sense));
		disk->has_sense = true;
	}
}

/**
 * hvsim_scsi_report_luns() - REPORT LUNS, answered by the controller.
 * @cdb: the CDB.
 * @luns: the LUNs present on the request's path and target, ascending.
 * @n: how many.
 * @buf: the initiator's buffer.
 * @res: filled in.
 *
 * As OpenVMM: the list is cut to the buffer; a buffer or allocation
 * length under 8 bytes gets nothing, successfully.
 *
 * Context: process context.
 */
void hvsim_scsi_report_luns(const u8 *cdb, const u8 *luns, unsigned int n,
			    struct hvsim_scsi_buf *buf,
			    struct hvsim_scsi_result *res)
{
	u32 alloc = get_unaligned_be32(cdb + 6), len = 8 + 8 * n, i;
	u8 *d;

	memset(res, 0, sizeof(*res));
	if (alloc < 8 || buf->len < 8) {
		hvsim_scsi_good(res);
		return;
	}
	d = kzalloc(len, GFP_KERNEL);
	if (!d) {
		res->scsi_status = HVSIM_SAM_GOOD;
		res->srb_status = HVSIM_SRB_ERROR;
		return;
	}
	put_unaligned_be32(8 * n, d);
	for (i = 0; i < n; i++)
		put_unaligned_be16(luns[i], d + 8 + 8 * i);
	hvsim_scsi_reply(buf, res, d, len, alloc);
	kfree(d);
}

/**
 * hvsim_scsi_absent_lun() - a command to a LUN that is not there.
 * @cdb: the CDB.
 * @buf: the initiator's buffer.
 * @res: filled in.
 *
 * As OpenVMM: a standard INQUIRY gets peripheral qualifier 3 (no LU),
 * other INQUIRYs ILLEGAL REQUEST, everything else srb INVALID_LUN.
 *
 * Context: process context.
 */
void hvsim_scsi_absent_lun(const u8 *cdb, struct hvsim_scsi_buf *buf,
			   struct hvsim_scsi_result *res)
{
	u32 alloc = get_unaligned_be16(cdb + 3);
	u8 d[HVSIM_INQUIRY_LEN];

	memset(res, 0, sizeof(*res));
	if (cdb[0] != OP_INQUIRY) {
		res->scsi_status = HVSIM_SAM_CHECK_CONDITION;
		res->srb_status = HVSIM_SRB_INVALID_LUN;
		return;
	}
	if (cdb[1] & 0x03 || cdb[2] || buf->dir != HVSIM_SCSI_DIR_IN ||
	    alloc < 5) {
		hvsim_scsi_illegal(res, HVSIM_ASC_INVALID_CDB_FIELD);
		return;
	}
	hvsim_scsi_inquiry_std(d, false);
	hvsim_scsi_reply(buf, res, d, sizeof(d), alloc);
}
