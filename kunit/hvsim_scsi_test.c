// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's SCSI disk emulation (hvsim/scsi_disk.c), the LUNs of
 * the storage VSP: CDB parsing, bounds, sense data, UNMAP and WRITE
 * SAME, the capacity-change UNIT ATTENTION, and the controller's REPORT
 * LUNS and absent-LUN answers.  The initiator's buffer is a plain kernel
 * buffer here.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/uuid.h>
#include "../hvsim/scsi_disk.h"

#define HST_MB		1
#define HST_BLOCKS	((HST_MB << 20) / HVSIM_SCSI_BLOCK_SIZE)
#define HST_BUF		(64 * 1024)

struct hst {
	struct hvsim_scsi_disk disk;
	struct hvsim_scsi_buf buf;
	struct hvsim_scsi_result res;
	u8 *data;
	u8 cdb[16];
};

static int hst_copy(struct hvsim_scsi_buf *buf, u32 off, void *kbuf, u32 n,
		    bool to_init)
{
	u8 *data = buf->ctx;

	if (off > buf->len || n > buf->len - off)
		return -EFAULT;
	if (to_init)
		memcpy(data + off, kbuf, n);
	else
		memcpy(kbuf, data + off, n);
	return 0;
}

static int hst_init(struct kunit *test)
{
	static const guid_t id = GUID_INIT(0x01234567, 0x89ab, 0xcdef, 0x01,
					   0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
					   0xef);
	struct hst *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->data = kunit_kzalloc(test, HST_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->data);
	KUNIT_ASSERT_EQ(test, hvsim_scsi_disk_init(&t->disk, HST_MB << 20,
						   &id), 0);
	t->buf.copy = hst_copy;
	t->buf.ctx = t->data;
	test->priv = t;
	return 0;
}

static void hst_exit(struct kunit *test)
{
	struct hst *t = test->priv;

	hvsim_scsi_disk_free(&t->disk);
}

/* Run t->cdb with a buffer of @len bytes in direction @dir. */
static void hst_run(struct hst *t, enum hvsim_scsi_dir dir, u32 len)
{
	t->buf.dir = dir;
	t->buf.len = len;
	hvsim_scsi_disk_exec(&t->disk, t->cdb, &t->buf, &t->res);
}

static void hst_cdb(struct hst *t, u8 op)
{
	memset(t->cdb, 0, sizeof(t->cdb));
	t->cdb[0] = op;
}

static void hst_rw16(struct hst *t, u8 op, u64 lba, u32 n)
{
	hst_cdb(t, op);
	put_unaligned_be64(lba, t->cdb + 2);
	put_unaligned_be32(n, t->cdb + 10);
}

static void hst_rw10(struct hst *t, u8 op, u32 lba, u16 n)
{
	hst_cdb(t, op);
	put_unaligned_be32(lba, t->cdb + 2);
	put_unaligned_be16(n, t->cdb + 7);
}

static void hst_expect_good(struct kunit *test, struct hst *t, u32 xfer)
{
	KUNIT_EXPECT_EQ(test, t->res.scsi_status, HVSIM_SAM_GOOD);
	KUNIT_EXPECT_EQ(test, t->res.srb_status, HVSIM_SRB_SUCCESS);
	KUNIT_EXPECT_EQ(test, t->res.xfer, xfer);
	KUNIT_EXPECT_EQ(test, t->res.sense_len, 0);
}

static void hst_expect_sense(struct kunit *test, struct hst *t, u8 srb,
			     u8 key, u8 asc, u8 ascq)
{
	KUNIT_EXPECT_EQ(test, t->res.scsi_status, HVSIM_SAM_CHECK_CONDITION);
	KUNIT_EXPECT_EQ(test, t->res.srb_status,
			srb | HVSIM_SRB_AUTOSENSE_VALID);
	KUNIT_EXPECT_EQ(test, t->res.xfer, 0);
	KUNIT_EXPECT_EQ(test, t->res.sense_len, HVSIM_SENSE_LEN);
	KUNIT_EXPECT_EQ(test, t->res.sense[0], 0x70);
	KUNIT_EXPECT_EQ(test, t->res.sense[2], key);
	KUNIT_EXPECT_EQ(test, t->res.sense[7], HVSIM_SENSE_LEN - 8);
	KUNIT_EXPECT_EQ(test, t->res.sense[12], asc);
	KUNIT_EXPECT_EQ(test, t->res.sense[13], ascq);
}

static void hst_expect_illegal(struct kunit *test, struct hst *t, u8 asc)
{
	hst_expect_sense(test, t, HVSIM_SRB_INVALID_REQUEST,
			 HVSIM_SENSE_ILLEGAL_REQUEST, asc, 0);
}

static void hvsim_scsi_test_inquiry_standard(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_cdb(t, 0x12);
	put_unaligned_be16(255, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_good(test, t, 36);
	KUNIT_EXPECT_EQ(test, t->data[0], 0x00);
	KUNIT_EXPECT_EQ(test, t->data[2], 0x05);
	KUNIT_EXPECT_EQ(test, t->data[4], 31);
	KUNIT_EXPECT_EQ(test, t->data[7], 0x02);
	KUNIT_EXPECT_EQ(test, memcmp(t->data + 8, "Msft    Virtual Disk    ",
				     24), 0);

	/* The allocation length cuts the answer. */
	put_unaligned_be16(5, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_good(test, t, 5);
	/* ... and so does the buffer. */
	put_unaligned_be16(255, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 8);
	hst_expect_good(test, t, 8);
}

static void hvsim_scsi_test_inquiry_bad_cdb(struct kunit *test)
{
	struct hst *t = test->priv;

	/* A page code without EVPD. */
	hst_cdb(t, 0x12);
	t->cdb[2] = 0x80;
	put_unaligned_be16(255, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	/* CmdDt. */
	t->cdb[1] = 0x02;
	t->cdb[2] = 0;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	/* A VPD page the disk does not have. */
	t->cdb[1] = 0x01;
	t->cdb[2] = 0x99;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	/* Data to a buffer of the wrong direction. */
	t->cdb[1] = 0;
	t->cdb[2] = 0;
	hst_run(t, HVSIM_SCSI_DIR_OUT, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
}

static void hvsim_scsi_test_inquiry_vpd(struct kunit *test)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };
	struct hst *t = test->priv;
	unsigned int i;

	hst_cdb(t, 0x12);
	t->cdb[1] = 0x01;
	put_unaligned_be16(255, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_good(test, t, 4 + sizeof(pages));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(t->data + 2), sizeof(pages));
	KUNIT_EXPECT_EQ(test, memcmp(t->data + 4, pages, sizeof(pages)), 0);

	/* Every listed page answers, with its code and length. */
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		t->cdb[2] = pages[i];
		hst_run(t, HVSIM_SCSI_DIR_IN, 255);
		KUNIT_EXPECT_EQ(test, t->res.srb_status, HVSIM_SRB_SUCCESS);
		KUNIT_EXPECT_EQ(test, t->data[1], pages[i]);
		KUNIT_EXPECT_EQ(test, t->res.xfer,
				4 + get_unaligned_be16(t->data + 2));
	}

	/* 0x83: a T10 vendor ID designator, then NAA 6 with MS's OUI. */
	t->cdb[2] = 0x83;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	KUNIT_EXPECT_EQ(test, t->data[5] & 0x0f, 0x01);
	KUNIT_EXPECT_EQ(test, memcmp(t->data + 8, "Msft    ", 8), 0);
	KUNIT_EXPECT_EQ(test, t->data[49] & 0x0f, 0x03);
	KUNIT_EXPECT_EQ(test, t->data[51], 16);
	KUNIT_EXPECT_EQ(test, t->data[52], 0x60);
	KUNIT_EXPECT_EQ(test, t->data[53], 0x02);
	KUNIT_EXPECT_EQ(test, t->data[54], 0x24);
	KUNIT_EXPECT_EQ(test, t->data[55] >> 4, 0x8);

	/*
	 * 0xb0: WSNZ; UNMAP of 1 GiB in 256 descriptors, granularity a
	 * page, aligned; WRITE SAME of 8 MiB.  0xb2: LBPU, thin.
	 */
	t->cdb[2] = 0xb0;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	KUNIT_EXPECT_EQ(test, t->data[4], 0x01);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 20), 0x200000);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 24), 256);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 28), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 32), 0x80000000);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(t->data + 36), 16384);
	t->cdb[2] = 0xb2;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	KUNIT_EXPECT_EQ(test, t->data[5] & 0x80, 0x80);
	KUNIT_EXPECT_EQ(test, t->data[6] & 0x07, 0x02);
}

static void hvsim_scsi_test_read_capacity(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_cdb(t, 0x25);
	hst_run(t, HVSIM_SCSI_DIR_IN, 8);
	hst_expect_good(test, t, 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data), HST_BLOCKS - 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 4), 512);

	/* Too small a buffer: DATA_OVERRUN, no sense. */
	hst_run(t, HVSIM_SCSI_DIR_IN, 4);
	KUNIT_EXPECT_EQ(test, t->res.srb_status, HVSIM_SRB_DATA_OVERRUN);
	KUNIT_EXPECT_EQ(test, t->res.sense_len, 0);

	hst_cdb(t, 0x9e);
	t->cdb[1] = 0x10;
	put_unaligned_be32(32, t->cdb + 10);
	hst_run(t, HVSIM_SCSI_DIR_IN, 32);
	hst_expect_good(test, t, 32);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(t->data), HST_BLOCKS - 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data + 8), 512);
	KUNIT_EXPECT_EQ(test, t->data[13], 3);
	KUNIT_EXPECT_EQ(test, t->data[14] & 0x80, 0x80);

	/* Another service action of 0x9e is an unknown command. */
	t->cdb[1] = 0x12;
	hst_run(t, HVSIM_SCSI_DIR_IN, 32);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_OPCODE);
}

static void hvsim_scsi_test_write_read(struct kunit *test)
{
	struct hst *t = test->priv;
	u32 i, n = 20;		/* 10 KiB from block 7: across pages */

	for (i = 0; i < n * 512; i++)
		t->data[i] = i * 7 + 3;
	hst_rw10(t, 0x2a, 7, n);
	hst_run(t, HVSIM_SCSI_DIR_OUT, n * 512);
	hst_expect_good(test, t, n * 512);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 4);

	memset(t->data, 0xee, HST_BUF);
	hst_rw16(t, 0x88, 7, n);
	hst_run(t, HVSIM_SCSI_DIR_IN, n * 512);
	hst_expect_good(test, t, n * 512);
	for (i = 0; i < n * 512; i++)
		if (t->data[i] != (u8)(i * 7 + 3))
			break;
	KUNIT_EXPECT_EQ(test, i, n * 512);

	/* Blocks never written read as zeroes. */
	memset(t->data, 0xee, HST_BUF);
	hst_rw10(t, 0x28, 100, 16);
	hst_run(t, HVSIM_SCSI_DIR_IN, 16 * 512);
	hst_expect_good(test, t, 16 * 512);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data, 0, 16 * 512), NULL);

	/* READ(6): transfer length 0 means 256 blocks, more than 64 KiB. */
	hst_cdb(t, 0x08);
	t->cdb[3] = 7;
	hst_run(t, HVSIM_SCSI_DIR_IN, HST_BUF);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
}

static void hvsim_scsi_test_read6_whole(struct kunit *test)
{
	struct hst *t = test->priv;
	u8 *big;

	big = kunit_kzalloc(test, 256 * 512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	t->buf.ctx = big;
	hst_cdb(t, 0x08);
	hst_run(t, HVSIM_SCSI_DIR_IN, 256 * 512);
	hst_expect_good(test, t, 256 * 512);
	t->buf.ctx = t->data;
}

static void hvsim_scsi_test_rw_bounds(struct kunit *test)
{
	struct hst *t = test->priv;

	/* The last block is fine, one past it is not. */
	hst_rw16(t, 0x88, HST_BLOCKS - 1, 1);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_expect_good(test, t, 512);
	hst_rw16(t, 0x88, HST_BLOCKS - 1, 2);
	hst_run(t, HVSIM_SCSI_DIR_IN, 1024);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	hst_rw16(t, 0x8a, HST_BLOCKS, 1);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	/* An LBA whose end wraps around. */
	hst_rw16(t, 0x88, U64_MAX, 2);
	hst_run(t, HVSIM_SCSI_DIR_IN, 1024);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	/* Length 0, and a length beyond the buffer. */
	hst_rw10(t, 0x28, 0, 0);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	hst_rw10(t, 0x28, 0, 2);
	hst_run(t, HVSIM_SCSI_DIR_IN, 1023);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	/* RELADR, and the wrong direction. */
	hst_rw10(t, 0x28, 0, 1);
	t->cdb[1] = 0x01;
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	hst_rw10(t, 0x2a, 0, 1);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 0);
}

static void hvsim_scsi_test_unknown_opcode(struct kunit *test)
{
	static const u8 ops[] = { 0xff, 0xa3, 0x85, 0x4d, 0x3b };
	struct hst *t = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		hst_cdb(t, ops[i]);
		hst_run(t, HVSIM_SCSI_DIR_IN, 512);
		hst_expect_illegal(test, t, HVSIM_ASC_INVALID_OPCODE);
	}
}

static void hvsim_scsi_test_request_sense(struct kunit *test)
{
	struct hst *t = test->priv;

	/* Nothing pending: NO SENSE. */
	hst_cdb(t, 0x03);
	t->cdb[4] = 252;
	hst_run(t, HVSIM_SCSI_DIR_IN, 252);
	hst_expect_good(test, t, HVSIM_SENSE_LEN);
	KUNIT_EXPECT_EQ(test, t->data[0], 0x70);
	KUNIT_EXPECT_EQ(test, t->data[2], HVSIM_SENSE_NO_SENSE);

	/* After an error, its sense, once. */
	hst_rw16(t, 0x88, HST_BLOCKS, 1);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_cdb(t, 0x03);
	t->cdb[4] = 252;
	hst_run(t, HVSIM_SCSI_DIR_IN, 252);
	hst_expect_good(test, t, HVSIM_SENSE_LEN);
	KUNIT_EXPECT_EQ(test, t->data[2], HVSIM_SENSE_ILLEGAL_REQUEST);
	KUNIT_EXPECT_EQ(test, t->data[12], HVSIM_ASC_LBA_OUT_OF_RANGE);
	hst_run(t, HVSIM_SCSI_DIR_IN, 252);
	KUNIT_EXPECT_EQ(test, t->data[2], HVSIM_SENSE_NO_SENSE);
}

static void hvsim_scsi_test_mode_sense(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_cdb(t, 0x1a);
	t->cdb[2] = 0x3f;
	t->cdb[4] = 255;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_good(test, t, 24);
	KUNIT_EXPECT_EQ(test, t->data[0], 23);
	KUNIT_EXPECT_EQ(test, t->data[2], 0x10);	/* DPOFUA, not WP */
	KUNIT_EXPECT_EQ(test, t->data[4], 0x08);
	KUNIT_EXPECT_EQ(test, t->data[6] & 0x04, 0x04);	/* WCE */

	hst_cdb(t, 0x5a);
	t->cdb[2] = 0x08;
	put_unaligned_be16(255, t->cdb + 7);
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_good(test, t, 28);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(t->data), 26);
	KUNIT_EXPECT_EQ(test, t->data[8], 0x08);

	/* Saved values, and a page the disk does not have. */
	t->cdb[2] = 0xc8;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_SAVING_UNSUPPORTED);
	t->cdb[2] = 0x0a;
	hst_run(t, HVSIM_SCSI_DIR_IN, 255);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
}

static void hvsim_scsi_test_no_data_commands(struct kunit *test)
{
	static const u8 ops[] = { 0x00, 0x35, 0x91, 0x1e, 0x1b, 0x2f };
	struct hst *t = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		hst_cdb(t, ops[i]);
		hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
		hst_expect_good(test, t, 0);
	}
	/* SYNCHRONIZE CACHE and VERIFY check their range. */
	hst_rw10(t, 0x35, HST_BLOCKS, 0);
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	hst_rw16(t, 0x8f, HST_BLOCKS - 1, 2);
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	/* START STOP UNIT with IMMED. */
	hst_cdb(t, 0x1b);
	t->cdb[1] = 0x01;
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
}

/* Write @n blocks of 0x5a from @lba. */
static void hst_fill(struct kunit *test, struct hst *t, u32 lba, u16 n)
{
	memset(t->data, 0x5a, n * 512);
	hst_rw10(t, 0x2a, lba, n);
	hst_run(t, HVSIM_SCSI_DIR_OUT, n * 512);
	hst_expect_good(test, t, n * 512);
}

static void hst_unmap_cdb(struct hst *t, u16 plen, u16 dlen, u16 bdlen)
{
	hst_cdb(t, 0x42);
	put_unaligned_be16(plen, t->cdb + 7);
	memset(t->data, 0, 64);
	put_unaligned_be16(dlen, t->data);
	put_unaligned_be16(bdlen, t->data + 2);
}

static void hvsim_scsi_test_unmap(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_fill(test, t, 0, 64);			/* 8 pages */
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 8);

	/* Blocks 4..27: pages 1 and 2 go, half of page 0 and 3 zeroed. */
	hst_unmap_cdb(t, 24, 22, 16);
	put_unaligned_be64(4, t->data + 8);
	put_unaligned_be32(24, t->data + 16);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_good(test, t, 24);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 6);

	hst_rw10(t, 0x28, 0, 32);
	hst_run(t, HVSIM_SCSI_DIR_IN, 32 * 512);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data, 0x5a, 4 * 512), NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data + 4 * 512, 0, 24 * 512),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data + 28 * 512, 0x5a,
					     4 * 512), NULL);

	/* Header lengths that do not agree. */
	hst_unmap_cdb(t, 24, 20, 16);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	hst_unmap_cdb(t, 24, 14, 8);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	/* A descriptor list longer than the parameter list. */
	hst_unmap_cdb(t, 24, 38, 32);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	/* A parameter list shorter than its header, or than the buffer. */
	hst_unmap_cdb(t, 6, 22, 16);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_illegal(test, t, HVSIM_ASC_PARAM_LIST_LENGTH);
	hst_unmap_cdb(t, 24, 22, 16);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 16);
	hst_expect_illegal(test, t, HVSIM_ASC_PARAM_LIST_LENGTH);

	/* A range past the end: nothing is unmapped. */
	hst_unmap_cdb(t, 40, 38, 32);
	put_unaligned_be64(32, t->data + 8);
	put_unaligned_be32(8, t->data + 16);
	put_unaligned_be64(HST_BLOCKS - 1, t->data + 24);
	put_unaligned_be32(2, t->data + 32);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 40);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 6);

	/* A parameter list length of 0 is no error. */
	hst_unmap_cdb(t, 0, 0, 0);
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_good(test, t, 0);
}

/* UNMAP descriptor @i of t->data: @n blocks at @lba. */
static void hst_unmap_desc(struct hst *t, u32 i, u64 lba, u32 n)
{
	put_unaligned_be64(lba, t->data + 8 + 16 * i);
	put_unaligned_be32(n, t->data + 8 + 16 * i + 8);
	memset(t->data + 8 + 16 * i + 12, 0, 4);
}

/* UNMAP past the block limits is refused before anything goes. */
static void hvsim_scsi_test_unmap_limits(struct kunit *test)
{
	static const guid_t id = GUID_INIT(0x01234567, 0x89ab, 0xcdef, 0x01,
					   0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
					   0xef);
	const u32 max = 0x200000;	/* 1 GiB of blocks */
	struct hst *t = test->priv;
	u32 i;

	/* A disk of 1 GiB + 1 MiB, a page written at each end. */
	hvsim_scsi_disk_free(&t->disk);
	KUNIT_ASSERT_EQ(test, hvsim_scsi_disk_init(&t->disk,
						   (1ULL << 30) + (1 << 20),
						   &id), 0);
	hst_fill(test, t, 0, 8);
	hst_fill(test, t, max, 8);
	KUNIT_ASSERT_EQ(test, t->disk.allocated, 2);

	/* One block more than the maximum, in one descriptor ... */
	hst_unmap_cdb(t, 24, 22, 16);
	hst_unmap_desc(t, 0, 0, max + 1);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 24);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	/* ... or in two, each within it ... */
	hst_unmap_cdb(t, 40, 38, 32);
	hst_unmap_desc(t, 0, 0, max / 2);
	hst_unmap_desc(t, 1, max / 2, max / 2 + 1);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 40);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	/* ... or 257 descriptors of a block each. */
	hst_unmap_cdb(t, 8 + 16 * 257, 6 + 16 * 257, 16 * 257);
	for (i = 0; i < 257; i++)
		hst_unmap_desc(t, i, i, 1);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 8 + 16 * 257);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_PARAM_FIELD);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 2);
	hst_rw10(t, 0x28, 0, 1);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	KUNIT_EXPECT_EQ(test, t->data[0], 0x5a);

	/* The limits themselves are taken: 256 descriptors, 1 GiB. */
	hst_unmap_cdb(t, 8 + 16 * 256, 6 + 16 * 256, 16 * 256);
	for (i = 0; i < 255; i++)
		hst_unmap_desc(t, i, 8 + i, 1);
	hst_unmap_desc(t, 255, 0, max - 255);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 8 + 16 * 256);
	hst_expect_good(test, t, 8 + 16 * 256);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 1);
}

static void hvsim_scsi_test_write_same(struct kunit *test)
{
	struct hst *t = test->priv;
	u32 i;

	/* One block of a pattern, written 40 times from block 3. */
	for (i = 0; i < 512; i++)
		t->data[i] = i;
	hst_rw16(t, 0x93, 3, 40);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_good(test, t, 512);

	hst_rw10(t, 0x28, 0, 48);
	hst_run(t, HVSIM_SCSI_DIR_IN, 48 * 512);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data, 0, 3 * 512), NULL);
	for (i = 3; i < 43; i++)
		KUNIT_EXPECT_EQ(test, t->data[i * 512 + 100], 100);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data + 43 * 512, 0, 5 * 512),
			    NULL);

	/* Zeroes (WRITE SAME(10)) give whole pages back. */
	memset(t->data, 0, 512);
	hst_rw10(t, 0x41, 0, 48);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_good(test, t, 512);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 0);

	/* NDOB: no buffer, zeroes. */
	hst_fill(test, t, 8, 8);
	hst_rw16(t, 0x93, 8, 8);
	t->cdb[1] = 0x01;
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_good(test, t, 0);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 0);

	/* Too long, length 0, past the end, without a block of data. */
	hst_rw16(t, 0x93, 0, HVSIM_SCSI_MAX_WS_BLOCKS + 1);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	hst_rw16(t, 0x93, 0, 0);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
	hst_rw16(t, 0x93, HST_BLOCKS - 4, 8);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	hst_rw16(t, 0x93, 0, 8);
	hst_run(t, HVSIM_SCSI_DIR_OUT, 256);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);
}

static void hvsim_scsi_test_resize(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_fill(test, t, HST_BLOCKS - 8, 8);
	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_resize(&t->disk, 3 << 19), 0);
	KUNIT_EXPECT_EQ(test, t->disk.blocks, 3 << 10);

	/* INQUIRY does not see the UNIT ATTENTION... */
	hst_cdb(t, 0x12);
	put_unaligned_be16(36, t->cdb + 3);
	hst_run(t, HVSIM_SCSI_DIR_IN, 36);
	hst_expect_good(test, t, 36);
	/* ... the next command does, once. */
	hst_cdb(t, 0x00);
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_sense(test, t, HVSIM_SRB_ERROR, HVSIM_SENSE_UNIT_ATTENTION,
			 HVSIM_ASC_CAPACITY_CHANGED, 0x09);
	hst_run(t, HVSIM_SCSI_DIR_NONE, 0);
	hst_expect_good(test, t, 0);

	/* The new size; the data written before is still there. */
	hst_cdb(t, 0x25);
	hst_run(t, HVSIM_SCSI_DIR_IN, 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data), (3 << 10) - 1);
	hst_rw10(t, 0x28, HST_BLOCKS - 8, 8);
	hst_run(t, HVSIM_SCSI_DIR_IN, 8 * 512);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->data, 0x5a, 8 * 512), NULL);

	/* A shrink: the disk ends earlier, REQUEST SENSE takes the UA. */
	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_resize(&t->disk, 1 << 19), 0);
	hst_cdb(t, 0x03);
	t->cdb[4] = 18;
	hst_run(t, HVSIM_SCSI_DIR_IN, 18);
	hst_expect_good(test, t, 18);
	KUNIT_EXPECT_EQ(test, t->data[2], HVSIM_SENSE_UNIT_ATTENTION);
	KUNIT_EXPECT_EQ(test, t->data[12], HVSIM_ASC_CAPACITY_CHANGED);
	hst_rw10(t, 0x28, 1 << 10, 1);
	hst_run(t, HVSIM_SCSI_DIR_IN, 512);
	hst_expect_illegal(test, t, HVSIM_ASC_LBA_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, t->disk.allocated, 0);

	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_resize(&t->disk, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_resize(&t->disk, 1000), -EINVAL);
}

static void hvsim_scsi_test_report_luns(struct kunit *test)
{
	static const u8 luns[] = { 0, 3, 9 };
	struct hst *t = test->priv;
	unsigned int i;

	hst_cdb(t, 0xa0);
	put_unaligned_be32(256, t->cdb + 6);
	t->buf.dir = HVSIM_SCSI_DIR_IN;
	t->buf.len = 256;
	hvsim_scsi_report_luns(t->cdb, luns, 3, &t->buf, &t->res);
	hst_expect_good(test, t, 32);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->data), 24);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(t->data + 8 + 8 * i),
				luns[i]);

	/* Cut to the allocation length; under 8 bytes: nothing. */
	put_unaligned_be32(16, t->cdb + 6);
	hvsim_scsi_report_luns(t->cdb, luns, 3, &t->buf, &t->res);
	hst_expect_good(test, t, 16);
	put_unaligned_be32(4, t->cdb + 6);
	hvsim_scsi_report_luns(t->cdb, luns, 3, &t->buf, &t->res);
	hst_expect_good(test, t, 0);
}

static void hvsim_scsi_test_absent_lun(struct kunit *test)
{
	struct hst *t = test->priv;

	hst_cdb(t, 0x12);
	put_unaligned_be16(96, t->cdb + 3);
	t->buf.dir = HVSIM_SCSI_DIR_IN;
	t->buf.len = 96;
	hvsim_scsi_absent_lun(t->cdb, &t->buf, &t->res);
	hst_expect_good(test, t, 36);
	KUNIT_EXPECT_EQ(test, t->data[0], 0x7f);

	t->cdb[1] = 0x01;
	hvsim_scsi_absent_lun(t->cdb, &t->buf, &t->res);
	hst_expect_illegal(test, t, HVSIM_ASC_INVALID_CDB_FIELD);

	hst_cdb(t, 0x00);
	hvsim_scsi_absent_lun(t->cdb, &t->buf, &t->res);
	KUNIT_EXPECT_EQ(test, t->res.scsi_status, HVSIM_SAM_CHECK_CONDITION);
	KUNIT_EXPECT_EQ(test, t->res.srb_status, HVSIM_SRB_INVALID_LUN);
	KUNIT_EXPECT_EQ(test, t->res.sense_len, 0);
}

static void hvsim_scsi_test_init_bad_size(struct kunit *test)
{
	struct hvsim_scsi_disk d;
	guid_t id = {};

	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_init(&d, 0, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_init(&d, 513, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_scsi_disk_init(&d, HVSIM_SCSI_MAX_BYTES +
						   512, &id), -EINVAL);
	hvsim_scsi_disk_free(&d);
}

static struct kunit_case hvsim_scsi_cases[] = {
	KUNIT_CASE(hvsim_scsi_test_inquiry_standard),
	KUNIT_CASE(hvsim_scsi_test_inquiry_bad_cdb),
	KUNIT_CASE(hvsim_scsi_test_inquiry_vpd),
	KUNIT_CASE(hvsim_scsi_test_read_capacity),
	KUNIT_CASE(hvsim_scsi_test_write_read),
	KUNIT_CASE(hvsim_scsi_test_read6_whole),
	KUNIT_CASE(hvsim_scsi_test_rw_bounds),
	KUNIT_CASE(hvsim_scsi_test_unknown_opcode),
	KUNIT_CASE(hvsim_scsi_test_request_sense),
	KUNIT_CASE(hvsim_scsi_test_mode_sense),
	KUNIT_CASE(hvsim_scsi_test_no_data_commands),
	KUNIT_CASE(hvsim_scsi_test_unmap),
	KUNIT_CASE(hvsim_scsi_test_unmap_limits),
	KUNIT_CASE(hvsim_scsi_test_write_same),
	KUNIT_CASE(hvsim_scsi_test_resize),
	KUNIT_CASE(hvsim_scsi_test_report_luns),
	KUNIT_CASE(hvsim_scsi_test_absent_lun),
	KUNIT_CASE(hvsim_scsi_test_init_bad_size),
	{}
};

static struct kunit_suite hvsim_scsi_suite = {
	.name = "hvsim_scsi",
	.init = hst_init,
	.exit = hst_exit,
	.test_cases = hvsim_scsi_cases,
};
kunit_test_suite(hvsim_scsi_suite);
