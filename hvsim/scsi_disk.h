/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim: a SCSI disk backed by RAM, as the storage VSP's LUNs.
 *
 * The emulation follows OpenVMM's SimpleScsiDisk (see
 * reference/vsp-host-behaviour.md, E.2): a CDB and the initiator's data
 * buffer in, a SAM status, an SRB status, fixed-format sense data and the
 * bytes moved out.  The buffer is reached only through its copy function,
 * so that the VSP moves data through the guest's GPA ranges and KUnit
 * through a plain buffer.
 */
#ifndef _HVSIM_SCSI_DISK_H
#define _HVSIM_SCSI_DISK_H

#include <linux/types.h>
#include <linux/uuid.h>

/* SRB status values (reference B.2). */
#define HVSIM_SRB_SUCCESS		0x01
#define HVSIM_SRB_ABORTED		0x02
#define HVSIM_SRB_ERROR			0x04
#define HVSIM_SRB_INVALID_REQUEST	0x06
#define HVSIM_SRB_DATA_OVERRUN		0x12
#define HVSIM_SRB_INVALID_LUN		0x20
#define HVSIM_SRB_AUTOSENSE_VALID	0x80

/* SAM status. */
#define HVSIM_SAM_GOOD			0x00
#define HVSIM_SAM_CHECK_CONDITION	0x02

/* Sense keys and the additional sense codes the disk reports. */
#define HVSIM_SENSE_NO_SENSE		0x0
#define HVSIM_SENSE_MEDIUM_ERROR	0x3
#define HVSIM_SENSE_ILLEGAL_REQUEST	0x5
#define HVSIM_SENSE_UNIT_ATTENTION	0x6
#define HVSIM_ASC_WRITE_ERROR		0x0c
#define HVSIM_ASC_PARAM_LIST_LENGTH	0x1a
#define HVSIM_ASC_INVALID_OPCODE	0x20
#define HVSIM_ASC_LBA_OUT_OF_RANGE	0x21
#define HVSIM_ASC_INVALID_CDB_FIELD	0x24
#define HVSIM_ASC_INVALID_PARAM_FIELD	0x26
#define HVSIM_ASC_CAPACITY_CHANGED	0x2a	/* ASCQ 0x09 */
#define HVSIM_ASC_SAVING_UNSUPPORTED	0x39

/* Fixed-format sense data: response code 0x70, 18 bytes. */
#define HVSIM_SENSE_LEN			18

#define HVSIM_SCSI_BLOCK_SHIFT		9
#define HVSIM_SCSI_BLOCK_SIZE		(1U << HVSIM_SCSI_BLOCK_SHIFT)
/* Largest disk: the page array stays reasonable (16 GiB). */
#define HVSIM_SCSI_MAX_BYTES		(16ULL << 30)
/*
 * WRITE SAME at most 8 MiB at once (OpenVMM).  UNMAP at most 1 GiB in at
 * most 256 descriptors (OpenVMM: 4 GiB blocks, 4096): each command's
 * walk of the page array stays short, under the controller's lock.
 */
#define HVSIM_SCSI_MAX_WS_BLOCKS	((8U << 20) >> HVSIM_SCSI_BLOCK_SHIFT)
#define HVSIM_SCSI_MAX_UNMAP_BLOCKS	((1U << 30) >> HVSIM_SCSI_BLOCK_SHIFT)
#define HVSIM_SCSI_MAX_UNMAP_DESC	256

/* The data direction of a request, as the initiator set up its buffer. */
enum hvsim_scsi_dir {
	HVSIM_SCSI_DIR_OUT,	/* initiator to device (a write) */
	HVSIM_SCSI_DIR_IN,	/* device to initiator (a read) */
	HVSIM_SCSI_DIR_NONE,
};

/**
 * struct hvsim_scsi_buf - the initiator's data buffer of one command.
 * @len: its length in bytes (0: no buffer).
 * @dir: its direction.
 * @copy: move @n bytes at offset @off of the buffer to (@to_init) or
 *	from @kbuf; @off + @n never passes @len.  0 or a negative errno.
 * @ctx: for @copy.
 */
struct hvsim_scsi_buf {
	u32 len;
	enum hvsim_scsi_dir dir;
	int (*copy)(struct hvsim_scsi_buf *buf, u32 off, void *kbuf, u32 n,
		    bool to_init);
	void *ctx;
};

/**
 * struct hvsim_scsi_result - how a command ended.
 * @scsi_status: SAM status.
 * @srb_status: SRB status, HVSIM_SRB_AUTOSENSE_VALID set with sense.
 * @xfer: bytes moved to or from the buffer.
 * @sense: fixed-format sense data when @sense_len is not 0.
 * @sense_len: 0 or HVSIM_SENSE_LEN.
 */
struct hvsim_scsi_result {
	u8 scsi_status;
	u8 srb_status;
	u32 xfer;
	u8 sense[HVSIM_SENSE_LEN];
	u8 sense_len;
};

/**
 * struct hvsim_scsi_disk - one RAM disk.
 * @blocks: its size in 512-byte blocks.
 * @pages: its pages, NULL until written (reads as zeroes).
 * @npages: entries of @pages.
 * @id: identity (VPD serial and designators).
 * @ua_capacity: a UNIT ATTENTION (capacity changed) waits for the next
 *	command.
 * @sense: the sense of the last failed command, for REQUEST SENSE.
 * @has_sense: @sense is pending.
 * @allocated: pages allocated.
 *
 * No locking of its own: the caller serialises every call on a disk.
 */
struct hvsim_scsi_disk {
	u64 blocks;
	struct page **pages;
	u64 npages;
	guid_t id;
	bool ua_capacity;
	u8 sense[HVSIM_SENSE_LEN];
	bool has_sense;
	u64 allocated;
};

int hvsim_scsi_disk_init(struct hvsim_scsi_disk *disk, u64 bytes,
			 const guid_t *id);
void hvsim_scsi_disk_free(struct hvsim_scsi_disk *disk);
int hvsim_scsi_disk_resize(struct hvsim_scsi_disk *disk, u64 bytes);
void hvsim_scsi_disk_exec(struct hvsim_scsi_disk *disk, const u8 *cdb,
			  struct hvsim_scsi_buf *buf,
			  struct hvsim_scsi_result *res);
void hvsim_scsi_set_sense(struct hvsim_scsi_result *res, u8 srb, u8 key,
			  u8 asc, u8 ascq);
void hvsim_scsi_report_luns(const u8 *cdb, const u8 *luns, unsigned int n,
			    struct hvsim_scsi_buf *buf,
			    struct hvsim_scsi_result *res);
void hvsim_scsi_absent_lun(const u8 *cdb, struct hvsim_scsi_buf *buf,
			   struct hvsim_scsi_result *res);

#endif /* _HVSIM_SCSI_DISK_H */
