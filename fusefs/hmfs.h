/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmemfs: the kernel's memory sysfs, on FUSE, backed by the engine.
 *
 * All mutable state of the program lives in one struct hmfs_ctx, and
 * there are no globals: the FUSE handlers, the control socket, the
 * notifier thread and the state file all get it passed in.
 *
 * Files: fs.c the FUSE operations; tree.c the inodes and directories;
 * attrs.c show()/store() of each attribute; machine.c the context and
 * hmfs_change(), the one path by which a client changes the machine;
 * ctl.c the control commands (request in, reply out); ctlsock.c the
 * control socket (connections, event streams); json.c devices and block
 * runs in JSON (control replies and state file); state.c the state file;
 * events.c engine events to uevents, invalidations and clients; dev.c
 * DIMMs and virtio-mem; uevent.c the uevent sinks; main.c startup.
 */
#ifndef HMFS_H
#define HMFS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <json-c/json_types.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctlargs.h" /* hmfs_errno_name() */
#include "hotmem.h"
#include "sysfs_parse.h"
#include "uevent.h"

/*
 * The QEMU machine hotmemfs models, QEMU 7.2's -M pc (i440FX, the
 * qemu-512m guest of tests/kernel/): /machine's QOM type with "-machine"
 * (ctl.c) and hotmem-enter's DMI product_version and chassis_version
 * (enter.c): one fact, one place (reread17 I)
 */
#define HMFS_QEMU_MACHINE "pc-i440fx-7.2"

/* ---- inode numbers -------------------------------------------------- */
/*
 * Inode numbers are computed, not allocated: a block's files are a
 * function of its id (and incarnation, below), so 32768 blocks cost no
 * inode table and FORGET has nothing to free.  Top byte = class.
 */
enum hmfs_class {
	HMFS_C_STATIC = 0, /* fixed tree: ino = index + 1 (root = 1) */
	HMFS_C_BLOCK = 1, /* memoryN and below: key << 8 | sub, key = incarnation << 28 | id */
	HMFS_C_NODE = 2, /* nodeN and below: node key << 8 | sub (below) */
	HMFS_C_NODELINK = 3, /* nodeN/memoryM: block key << 8 | nid (HMFS_NODELINK_INO) */
	HMFS_C_BUSLINK = 4, /* bus/memory/devices/memoryM: the block's key (its incarnation, HMFS_BUSLINK_INO) */
	HMFS_C_FWMAP = 5, /* firmware/memmap/N and its files: N << 8 | sub */
	HMFS_C_ACPI = 6, /* a DIMM slot's PNP0C80:xx and its files: slot << 8 | sub */
	HMFS_C_ACPI_PHYS = 7, /* PNP0C80:xx/physical_nodeK: slot << 40 | K */
	HMFS_C_NODECPU = 8, /* nodeN/cpuM: node key << 16 | M */
};

#define HMFS_INO(c, v) (((uint64_t)(c) << 56) | (v))
#define HMFS_INO_CLASS(ino) ((int)((ino) >> 56))
#define HMFS_INO_VAL(ino) ((ino) & ((1ULL << 56) - 1))
#define HMFS_BLOCK_INO(id, sub) HMFS_INO(HMFS_C_BLOCK, ((uint64_t)(id) << 8) | (sub))
/*
 * A memory block's inodes carry its incarnation's key (incarn.c): its id
 * until the block of that id first goes, then a key no block had before
 * in this mount, above every id (HMFS_BLOCK_ID_BITS: 2^52 bytes / 128
 * MiB blocks is 2^25 ids).  kernfs makes new nodes for a block added
 * again, and the FUSE client caches inodes by number, so the new block
 * needs new numbers: else a directory held open across device_del and
 * device_add reaches the new block's files.  HMFS_INO_KEY(): the key in
 * a block's number.  Poll events are kept by the block's id
 * (hmfs_event_ino()).
 */
#define HMFS_BLOCK_ID_BITS 28
#define HMFS_BLOCK_ID_MAX ((1UL << HMFS_BLOCK_ID_BITS) - 1)
#define HMFS_INO_KEY(ino) (HMFS_INO_VAL(ino) >> 8)
/*
 * A NUMA node's inodes carry its incarnation's key the same way: its nid
 * until the node first goes (try_offline_node() -> unregister_one_node(),
 * whose kernfs_nodes are gone for good; a node onlined again is
 * registered anew), then one of a per-mount counter above every nid.  Its
 * files (HMFS_C_NODE) and cpuM links (HMFS_C_NODECPU) carry it (its
 * memoryM links their block's key), so that a directory held open across
 * the node's going and coming back is the removed node's
 * (tests/fusefs/55-stale-node-dir.t).  HMFS_NODE_KEY_LIMIT: the keys' bound.
 */
#define HMFS_NODE_ID_MAX ((1UL << 8) - 1)
#define HMFS_NODE_KEY_BITS (56 - HMFS_BLOCK_ID_BITS)
#define HMFS_NODE_KEY_LIMIT (1ULL << HMFS_NODE_KEY_BITS)
#define HMFS_NODE_INO(key, sub) HMFS_INO(HMFS_C_NODE, ((uint64_t)(key) << 8) | (sub))
/*
 * bus/memory/devices/memoryM and nodeN/memoryM: kernfs_nodes of block
 * M's incarnation (a removed block's link is not the next one's: a chown
 * through the old one's inode landed on the new link, review7 #5a).  A
 * node link carries the block's key and the nid, not the node's key: a
 * node goes only once its blocks went (try_offline_node()), so a link of
 * a node that went is of a block that went too.
 */
#define HMFS_BUSLINK_INO(block_key) HMFS_INO(HMFS_C_BUSLINK, (block_key))
#define HMFS_NODELINK_INO(block_key, nid) \
	HMFS_INO(HMFS_C_NODELINK, ((uint64_t)(block_key) << 8) | (nid))
#define HMFS_NODELINK_NID(ino) ((unsigned long)(HMFS_INO_VAL(ino) & 0xff))
#define HMFS_NODELINK_KEY(ino) (HMFS_INO_VAL(ino) >> 8) /* the block's */
#define HMFS_NODECPU_INO(key, cpu) HMFS_INO(HMFS_C_NODECPU, ((uint64_t)(key) << 16) | (cpu))
/* a DIMM slot's PNP0C80:xx/physical_nodeK (acpi.c: hmfs_acpi_block_link(), hmfs_acpi_link_block()) */
#define HMFS_ACPI_PHYS_INO(slot, k) HMFS_INO(HMFS_C_ACPI_PHYS, ((uint64_t)(slot) << 40) | (k))
#define HMFS_ACPI_PHYS_SLOT(ino) (HMFS_INO_VAL(ino) >> 40)
#define HMFS_ACPI_PHYS_K(ino) (HMFS_INO_VAL(ino) & ((1ULL << 40) - 1))

/* Entries of a memoryN/ directory, in the reference's readdir order. */
enum {
	BSUB_DIR = 0,
	BSUB_UEVENT,
	BSUB_NODE,
	BSUB_POWER,
	BSUB_ONLINE,
	BSUB_PHYS_DEVICE,
	BSUB_PHYS_INDEX,
	BSUB_VALID_ZONES,
	BSUB_SUBSYSTEM,
	BSUB_STATE,
	BSUB_REMOVABLE,
	BSUB_FIRMWARE_NODE, /* a DIMM's block only (acpi.c) */
	BSUB_END,
	SUB_PWR = 16, /* power/ files: SUB_PWR + k */
	/* nodeK of a boot block spanning nodes, K not its nid (BSUB_NODE's): BSUB_NODE_MORE + K */
	BSUB_NODE_MORE = 64,
};
/*
 * power/ files of a device directory: the first NR_PWR_BASE every device
 * has, the rest CONFIG_PM_ADVANCED_DEBUG's (profile pm_advanced_debug;
 * tree.c power_ents[], hmfs_nr_power())
 */
#define NR_PWR_BASE 5
#define NR_PWR 9

/*
 * Entries of a slot's PNP0C80:xx/ (drivers/acpi/device_sysfs.c), sorted as
 * ls shows them; physical_node, physical_node1 ... come between path and
 * power.  ASUB_BUSLINK: the slot's link in bus/acpi/devices.
 */
enum {
	ASUB_DIR = 0,
	ASUB_EJECT,
	ASUB_HID,
	ASUB_MODALIAS,
	ASUB_PATH,
	ASUB_POWER,
	ASUB_STATUS,
	ASUB_SUBSYSTEM,
	ASUB_UEVENT,
	ASUB_UID,
	ASUB_END,
	ASUB_BUSLINK = 0xff,
};

/* What a file shows and stores. */
enum hmfs_attr {
	A_NONE,
	/* sys/devices/system/memory */
	A_AUTO_ONLINE,
	A_BLOCK_SIZE,
	A_UEVENT_NOSUBSYS,
	A_PROBE,
	A_SOFT_OFFLINE,
	A_HARD_OFFLINE,
	/* power/ of any device */
	A_PWR_AUTOSUSPEND,
	A_PWR_CONTROL,
	A_PWR_ACTIVE_TIME,
	A_PWR_STATUS,
	A_PWR_SUSPENDED_TIME,
	A_PWR_ASYNC,		/* CONFIG_PM_ADVANCED_DEBUG's four */
	A_PWR_USAGE,
	A_PWR_ACTIVE_KIDS,
	A_PWR_ENABLED,
	/* sys/devices/system/node */
	A_NODE_HAS_CPU,
	A_NODE_HAS_GI,
	A_NODE_HAS_MEMORY,
	A_NODE_HAS_NORMAL,
	A_NODE_ONLINE,
	A_NODE_POSSIBLE,
	/* sys/bus/memory */
	A_BUS_AUTOPROBE,
	A_BUS_PROBE,
	A_BUS_UEVENT,
	/* sys/module/memory_hotplug/parameters */
	A_P_NUMA_AWARE,
	A_P_RATIO,
	A_P_MEMMAP,
	A_P_POLICY,
	/* sys/module/virtio_mem/parameters */
	A_P_VMEM_UNPLUG_ONLINE,
	A_P_VMEM_FORCE_BBM,
	A_P_VMEM_BBM_BLOCK_SIZE,
	/* proc */
	A_MEMINFO,
	A_ZONEINFO,
	A_BUDDYINFO,
	A_VMSTAT,
	A_CMDLINE,
	A_IOMEM,
	A_CRASH_HOTPLUG,
	/* sys/firmware/memmap/N */
	A_FW_START,
	A_FW_END,
	A_FW_TYPE,
	/* debugfs notifier-error-inject */
	A_INJ_GOING_ONLINE,
	A_INJ_GOING_OFFLINE,
	/* memoryN */
	A_B_ONLINE,
	A_B_PHYS_DEVICE,
	A_B_PHYS_INDEX,
	A_B_REMOVABLE,
	A_B_STATE,
	A_B_VALID_ZONES,
	A_B_UEVENT,
	/* nodeN */
	A_N_MEMINFO,
	A_N_NUMASTAT,
	A_N_UEVENT,
	A_N_COMPACT,
	A_N_CPULIST,
	A_N_CPUMAP,
	A_N_DISTANCE,
	A_N_RECLAIM,
	A_N_VMSTAT,
	/* nodeN/hugepages/hugepages-2048kB */
	A_N_HP_FREE,
	A_N_HP_NR,
	A_N_HP_SURPLUS,
	/* nodeN/memory_failure (CONFIG_MEMORY_FAILURE) */
	A_N_MF_TOTAL,
	A_N_MF_IGNORED,
	A_N_MF_FAILED,
	A_N_MF_DELAYED,
	A_N_MF_RECOVERED,
	/* a static file whose show is its snode's text */
	A_TEXT,
	/* an ACPI device's uevent: the text; a write sends it (SUBSYSTEM=acpi) */
	A_ACPI_UEVENT,
	/* system/container/PNP0A06:04/online */
	A_CONTAINER_ONLINE,
	/* a DIMM slot's PNP0C80:xx */
	A_ACPI_EJECT,
	A_ACPI_HID,
	A_ACPI_MODALIAS,
	A_ACPI_PATH,
	A_ACPI_STATUS,
	A_ACPI_SLOT_UEVENT,
	A_ACPI_UID,
	/*
	 * sys/kernel/mm/hugepages/hugepages-2048kB: the default hstate's
	 * global files (mm/hugetlb_sysfs.c hstate_attrs[], 6.18)
	 */
	A_HP_NR,
	A_HP_NR_MEMPOLICY,
	A_HP_OVERCOMMIT,
	A_HP_FREE,
	A_HP_RESV,
	A_HP_SURPLUS,
	/* proc/sys/vm: the same pool's sysctls (mm/hugetlb_sysctl.c, 6.18) */
	A_SYSCTL_NR_HUGEPAGES,
	A_SYSCTL_NR_HUGEPAGES_MEMPOLICY,
	A_SYSCTL_NR_OVERCOMMIT,
	/* pagetypeinfo.c: the machine's pageblocks and free lists (0400, mm/vmstat.c) */
	A_PAGETYPEINFO,
	/*
	 * proc/sys/vm/min_free_kbytes, watermark_scale_factor,
	 * lowmem_reserve_ratio (6.12 mm/page_alloc.c page_alloc_sysctl_table,
	 * 0644): the machine's watermarks' own
	 */
	A_SYSCTL_MIN_FREE_KBYTES,
	/*
	 * proc/sys/vm/watermark_boost_factor (the same table's, 0644
	 * proc_dointvec_minmax() from 0): boost_watermark()'s cap
	 */
	A_SYSCTL_WATERMARK_BOOST_FACTOR,
	A_SYSCTL_WATERMARK_SCALE_FACTOR,
	/*
	 * proc/sys/vm/percpu_pagelist_high_fraction (the same table's, 0644
	 * proc_dointvec_minmax() from 0, 1..7 refused): the pagesets' limits
	 */
	A_SYSCTL_PERCPU_PAGELIST_HIGH_FRACTION,
	A_SYSCTL_LOWMEM_RESERVE_RATIO,
	/*
	 * proc/sys/vm/hugetlb_optimize_vmemmap (6.12 mm/hugetlb_vmemmap.c,
	 * 0644 proc_dobool): the machine's vmemmap_optimize_enabled, booted
	 * from hugetlb_free_vmemmap= (inside hotmem-enter it was the host's
	 * file, which a write would have changed: abuse30c K3)
	 */
	A_SYSCTL_HUGETLB_OPTIMIZE_VMEMMAP,
	/* proc/sys/vm/user_reserve_kbytes, admin_reserve_kbytes (6.12 mm/mmap.c's, 0644) */
	A_SYSCTL_USER_RESERVE,
	A_SYSCTL_ADMIN_RESERVE,
	/*
	 * proc/kpageflags, kpagecount (6.12 fs/proc/page.c, 0400): an entry a
	 * pfn, read at any offset (kpage.c), never rendered as a text
	 */
	A_KPAGEFLAGS,
	A_KPAGECOUNT,
	/*
	 * proc/sys/kernel/random/boot_id (drivers/char/random.c, 0444): the
	 * machine's own, made with it and kept in its state file
	 */
	A_BOOT_ID,
};

/* Which dynamic children a static directory has. */
enum hmfs_dyn {
	DYN_NONE,
	DYN_BLOCKS,
	DYN_NODES,
	DYN_BUSLINKS,
	DYN_NODE_BUSLINKS, /* bus/node/devices/nodeN */
	DYN_FWMAP,
	DYN_ACPI_SLOTS, /* PNP0A06:04/PNP0C80:xx */
	DYN_ACPI_BUSLINKS, /* bus/acpi/devices/PNP0C80:xx */
};

/* the static tree's size: sn_add() never grows it (tree.c) */
#define HMFS_MAX_SNODES 256
/* the static tree's buses (tree.c sn_bus()'s: 4) */
#define HMFS_MAX_BUSES 8

struct hmfs_snode {
	const char *name;
	int parent;
	int first_child, next_sibling;
	mode_t mode; /* S_IFDIR|0755, S_IFREG|0644, S_IFLNK|0777 */
	enum hmfs_attr attr;
	enum hmfs_dyn dyn;
	const char *target; /* symlinks */
	const char *text; /* A_TEXT, A_ACPI_UEVENT: what a read shows */
	/* A_BUS_AUTOPROBE: its bus's drivers_autoprobe is 0 (hmfs_bus_autoprobe*()) */
	bool autoprobe_off;
};

/* What a FUSE inode is, decoded. */
struct hmfs_node {
	uint64_t ino;
	mode_t mode;
	enum hmfs_attr attr;
	unsigned long id; /* block id or nid (key of the attr) */
	int snode; /* static index, or -1 */
	enum hmfs_dyn dyn;
	char target[96]; /* symlinks */
	int nlink;
	bool removed; /* of a removed block's incarnation (tree.c: hmfs_node_get_removed()) */
	uint64_t fw_start, fw_end; /* firmware/memmap/N and below: the entry's range (inclusive) */
	/* proc/iomem opened without CAP_SYS_ADMIN: r_show()'s zeros (fs.c hmfs_open()) */
	bool iomem_no_addrs;
};

/* ---- per-open state (kernfs_open_file) ----------------------------- */
struct hmfs_open {
	uint64_t ino;
	struct hmfs_node node;
	int event; /* of->event: 0 until the first read; under ctx->poll_lock */
	uint64_t gen; /* a block's or node's: its key at open (hmfs_went()): went, ENODEV */
	struct fuse_pollhandle *ph;
	struct hmfs_open *next, *prev; /* ctx->polled, when ph was given */
	struct hmfs_open *o_next, *o_prev; /* ctx->opened: every open file, under poll_lock */
	bool listed;
	/*
	 * an O_APPEND open: FUSE sends its writes at the cached i_size, not
	 * at the file's own position, which procfs keeps (it ignores
	 * O_APPEND); wpos counts the bytes answered to its writes, that
	 * position (reread31 R10)
	 */
	bool append;
	uint64_t wpos;
	bool have; /* buf (or seq) holds the show() of offset 0 */
	char *seq; /* a seq_file's text (hmfs_show_seq()), else NULL: buf's */
	/*
	 * seq_file's m->lock: reads sharing this open file are serialised,
	 * so one read's show() never overwrites buf under another's copy
	 * (torn preads, #16.10).  A default mutex: nothing to destroy.
	 */
	pthread_mutex_t lock;
	size_t len;
	char buf[HMFS_PAGE_SIZE + 1];
};

/* ---- hardware: DIMMs and virtio-mem --------------------------------- */
/* a DIMM slot, \_SB.MHPC.MPxx: the guest's PNP0C80:xx (acpi.c) */
struct hmfs_acpi_slot {
	uint64_t start, size; /* the DIMM's range while present */
	bool present; /* _STA: QEMU has a DIMM in the slot (realized) */
	bool enumerated; /* the kernel saw it present once: modalias shows */
	/*
	 * the guest's device check ran for the present DIMM: its scan
	 * handler attached (6.12 acpi_scan_attach_handler()), eject takes
	 * a write; not while its add waits behind a guest's offline
	 */
	bool attached;
	/*
	 * acpi_bind_memory_blocks() linked the DIMM's blocks: their
	 * memoryN/firmware_node and the slot's physical_nodeK are there.  Only
	 * once all its blocks are added and ADDed (6.12 acpi_memory_enable_device():
	 * __add_memory(), then the binding): an agent handling the first ADD
	 * never sees a link while the DIMM's other blocks are still to come.
	 */
	bool bound;
	unsigned long plug_gen; /* DIMMs plugged in it so far: which one a queued binding is for */
	/*
	 * the guest's last _OST of the slot, kept after its DIMM goes (QEMU's
	 * MemStatus ost_event, ost_status; 0, 0 until the first): what
	 * query-acpi-ospm-status lists
	 */
	int ost_source, ost_status;
};
enum hmfs_dev_type { HMFS_PC_DIMM, HMFS_VIRTIO_MEM };

struct hmfs_dev {
	char id[64];
	enum hmfs_dev_type type;
	/*
	 * QEMU's node property, a PXM (device_add node=, query-memory-devices,
	 * the state file); the guest puts it on hotmem_pxm_to_node()'s node id
	 */
	int node;
	uint64_t addr, size; /* pc-dimm: the range; virtio-mem: region */
	int slot; /* pc-dimm: QEMU's slot property (acpi.c); virtio-mem: -1 */
	bool memmap_on_memory;
	int group; /* engine memory group */
	/*
	 * pc-dimm the guest refused: add_memory()'s -errno (0: its memory is
	 * added), and what device_add said of it.  QEMU keeps such a DIMM
	 * (slot taken, listed) until device_del, whose eject has no memory
	 * to offline (dev.c dimm_refused()).
	 */
	int guest_refused;
	char *refused_why;
	/* virtio-mem: QEMU's properties; the guest's driver is the engine's */
	uint64_t block_size; /* plug granularity */
	uint64_t requested;
	struct hotmem_virtio_mem *vm;
	bool from_profile; /* booted from the profile's hotplug/virtio_mem lines (hmfs_dev_boot()) */
	/*
	 * virtio-mem: the guest driver's retry timer (6.12's vm->retry_timer
	 * and retry_timer_ms; dev.c), under dev_lock: armed until @retry_at
	 * (CLOCK_MONOTONIC); @retry_ms its next period (0: the 50 s minimum);
	 * @retry_fired: expired, its run not taken yet (hmfs_dev_due());
	 * @probe_work: the work queued for the timers' thread to run at once:
	 * a restore's probe's (virtio_mem_probe()'s queue_work()), or a run a
	 * config change stopped (6.12's "goto retry": dev.c vmem_run_task())
	 */
	bool retry_armed, retry_fired, probe_work;
	/*
	 * virtio-mem: a qom-set requested-size queued behind a guest's offline
	 * (hmfs_dev_queue_requested()): @queued_requested, the host's value
	 * until the queued change takes it into @requested under change_lock;
	 * @queued_gen counts the qom-sets queued, written atomically under
	 * dev_lock: a driver run of the device reads it without dev_lock, its
	 * config interrupt (dev.c vmem_config_changed()); @taken_gen the
	 * queued_gen requested-size was last given (taken, dropped, or left
	 * for the driver's retry: dev.c queue_settled()), likewise
	 */
	bool resize_queued;
	uint64_t queued_requested, queued_gen, taken_gen;
	/*
	 * virtio-mem: the guest's driver read the queued value at once (dev.c
	 * vmem_read_early(): 6.12's work reads the config, and logs the sizes,
	 * before it blocks behind the offline), at queued_gen @read_gen; the
	 * run that takes it says no sizes again unless a qom-set was queued
	 * since (6.12's work reads that one after the offline).  Under
	 * dev_lock; never saved
	 */
	bool config_read_early;
	uint64_t read_gen;
	/*
	 * virtio-mem: the queue put back by an undo of the change that took
	 * it (hmfs_dev_queue_back()), taken again not before @queue_retry_at
	 * (CLOCK_MONOTONIC), under dev_lock; never saved
	 */
	bool queue_retry;
	struct timespec queue_retry_at;
	/*
	 * virtio-mem: the last qom-set made at once (dev.c vmem_set():
	 * VMEM_SET, under change_lock) dropped a queue, left in
	 * @queued_requested and @queue_retry*: its undo puts it back
	 * (hmfs_dev_queue_keep(): HMFS_QUEUE_DROPPED); never saved
	 */
	bool queue_dropped;
	/*
	 * virtio-mem: the refused device_dels' reasons logged (dev.c
	 * vmem_del_check(), a bit each of enum vmem_del_why), under dev_lock:
	 * a client retrying device_del would log the same line each time;
	 * cleared when requested-size changes (vmem_set(): a new episode);
	 * never saved (a restart says it once again)
	 */
	unsigned int del_refused_said;
	/*
	 * this device object's number (dev.c dev_link(): ctx->dev_incarnations,
	 * never reused), which a device added later under the same id does not
	 * carry: QEMU's device_del names the DeviceState, not its id
	 */
	uint64_t incarnation;
	/*
	 * virtio-mem: the device_del request pending for this object, under
	 * dev_lock (dev.c del_request_owns()): a QMP device_del accepted
	 * behind a guest's offline (hmfs_dev_del_request()), answered {}, its
	 * removal queued for the timers' thread, DEVICE_DELETED once it is
	 * done, as QEMU's (del_queued); or held by the hotmemctl device_dels
	 * that wait, how many (del_waiters: hmfs_dev_del_take_over(), a queued
	 * one taken over).  The request is theirs until the last of them ends
	 * (hmfs_dev_del_wait_end()), not the first (reread23a R2).  At most
	 * one of the two is set.
	 */
	bool del_queued;
	unsigned int del_waiters;
	/*
	 * QEMU's device_add answered behind a guest's offline
	 * (hmfs_dev_add_request()): the device is QEMU's (listed, placed,
	 * @vm NULL; a DIMM's slot taken, no memory group), the guest has not
	 * probed it yet (a DIMM: its ACPI add not run); the probe queued for
	 * the timers' thread (dev.c vmem_probe_queued()), under dev_lock.  A
	 * probe that failed leaves it false and @vm NULL (a DIMM: its
	 * guest_refused); @probe_stopped when it never ran (the change
	 * refused before it: hotmemfs frozen), dropped as a queued device_del
	 * is.  dev.c hmfs_dev_unprobed() reads them.
	 */
	bool probe_queued, probe_stopped;
	unsigned int retry_ms;
	struct timespec retry_at;
	struct hmfs_dev *next;
};

/*
 * A device plugged without an id has none in QEMU (qdev_set_id()): it is
 * the QOM child /machine/peripheral-anon/device[N], and query-memory-devices,
 * ACPI_DEVICE_OST and DEVICE_DELETED leave its id out (usereye7 #4).  hotmemfs
 * keys such a device by that QOM path, which no id can be (QEMU's
 * id_wellformed(): a letter first), so that every id stays the user's.
 */
#define HMFS_ANON_PATH "/machine/peripheral-anon/device["
#define HMFS_PERIPHERAL "/machine/peripheral/"

/* @key (a struct hmfs_dev's id) is an anonymous device's QOM path */
static inline bool hmfs_dev_anon(const char *key)
{
	return key && key[0] == '/';
}

/* @key is an anonymous device's QOM path, its device[N] number in *@n */
static inline bool hmfs_dev_anon_nr(const char *key, unsigned int *n)
{
	return hmfs_dev_anon(key) && sscanf(key, HMFS_ANON_PATH "%u]", n) == 1;
}

/* QEMU's id of the device keyed @key: NULL for an anonymous one */
static inline const char *hmfs_dev_qdev_id(const char *key)
{
	return hmfs_dev_anon(key) ? NULL : key;
}

/* the device's canonical QOM path, at most @len bytes (@child: its QOM child's, or NULL) */
static inline void hmfs_dev_qom_path(const char *key, const char *child, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", key[0] == '/' ? "" : HMFS_PERIPHERAL, key,
		 child ? "/" : "", child ? child : "");
}

/* ---- the notifier queue (engine events -> uevents, invals, clients) -- */
struct hmfs_qev {
	enum hm_event_type type;
	bool synth; /* about no memory block: a uevent file write, a node device */
	/*
	 * hotmemfs's QMP event, not the engine's: text device id ("" none);
	 * an OST's nid source, ret status, zid slot
	 */
	enum hmfs_qmp_event {
		HMFS_QMP_NONE,
		HMFS_QMP_OST,
		HMFS_QMP_DEVICE_DELETED,
		HMFS_QMP_SIZE_CHANGE, /* text device id, nr_pages its plugged size in bytes */
		HMFS_QMP_ACPI_BIND, /* no QMP event: slot zid's blocks linked (acpi.c) */
		/*
		 * no QMP event: the engine's HM_EV_LINK, blocks [block_id,
		 * block_id + nr_pages) linked under node nid, its holds up to
		 * gone_key released (nodelink.c)
		 */
		HMFS_QMP_NODE_LINK,
	} qmp;
	bool released; /* a SIZE_CHANGE the rate limit kept, queued again at its period's end */
	char *env; /* synth: NUL-separated SYNTH_UUID=, SYNTH_ARG_*=, or NULL */
	unsigned long long seqnum; /* a uevent's SEQNUM, taken as it was queued (events.c) */
	size_t env_len;
	enum hm_uevent_action action;
	unsigned long block_id;
	uint64_t gone_key; /* a block's or node's REMOVE: the key of the incarnation that went (incarn.c) */
	int level;
	char action_name[16];
	char subsys[16];
	char text[224]; /* devpath, log line or trace fn */
	/* HM_EV_TRACE */
	bool exit;
	uint64_t start_pfn, nr_pages;
	int nid, zid, ret;
	long extra;
	struct timespec ts;
	struct hmfs_qev *next;
};

/*
 * htab.c: records kept by a 64-bit key, each beginning with its
 * hmfs_hnode; no lock of its own (its user's)
 */
struct hmfs_hnode {
	uint64_t key;
	struct hmfs_hnode *next;
};
struct hmfs_htab {
	struct hmfs_hnode **b;
	unsigned long buckets, nr;
};
struct hmfs_hnode *hmfs_htab_find(const struct hmfs_htab *t, uint64_t key);
/* false: no memory for a table at all (one that cannot grow still takes it) */
bool hmfs_htab_add(struct hmfs_htab *t, struct hmfs_hnode *n);
/* @key's record unlinked, or NULL; the buckets go with the last one */
struct hmfs_hnode *hmfs_htab_del(struct hmfs_htab *t, uint64_t key);
/* every record in one list (by ->next), the table emptied: to free them */
struct hmfs_hnode *hmfs_htab_take_all(struct hmfs_htab *t);
/* @fn on each record, which it must not unlink */
void hmfs_htab_each(const struct hmfs_htab *t, void (*fn)(struct hmfs_hnode *n, void *arg),
		    void *arg);

/* kernfs_open_node->event of inode key.key (events.c evtab) */
struct hmfs_evnode {
	struct hmfs_hnode h;
	int event;
};

struct hmfs_iattr; /* iattr.c */

/* incarn.c: the present key of each id that went, and back */
enum hmfs_inc_kind { HMFS_INC_BLOCK, HMFS_INC_NODE, HMFS_INC_KINDS };
struct hmfs_inc;
struct hmfs_inc_tab {
	struct hmfs_inc **ids, **keys; /* buckets chains each, by id and by key */
	unsigned long buckets, nr;
	uint64_t first, next; /* the first key above every id; the next to give */
	uint64_t limit; /* no key reaches it (what the inode numbers hold) */
	bool any; /* an id went: the fast paths read it unlocked */
	bool full; /* next reached limit: said once, ids that go keep their key */
};

struct conn;

/*
 * What an event client may have queued and unsent (its socket's own
 * buffer comes on top): beyond it, events are lost for that client alone
 * and counted (#16.1).  A few thousand events' worth.
 */
#define HMFS_SUB_QBYTES (1024 * 1024)
/* Control connections served at once; one more is told so and closed. */
#define HMFS_CTL_MAX_CLIENTS 64

struct hmfs_subline;

struct hmfs_sub { /* a control connection in QMP's command mode: its events (ctlsock.c) */
	struct hmfs_ctx *ctx;
	int fd;
	int wake_fd; /* eventfd: lines were queued */
	bool follow; /* `events`: hotmem's own too (UEVENT, LOG), not QEMU's alone */
	bool trace; /* `events` trace: also HM_EV_TRACE */
	/* under ctx->sub_lock; only the client's own thread takes from head */
	struct hmfs_subline *head, *tail;
	size_t q_bytes;
	unsigned long lost; /* since the client was last told */
	unsigned long lost_total;
	struct hmfs_sub *next;
};

struct hmfs_loop;
struct hmfs_uring;
struct hmfs_kfcache;
struct hmfs_acpi_work;

/* the state file's "machine" keys (state.c: machine_keys[]) */
#define HMFS_STATE_KEYS 19
/* a UUID as "%pU" prints it: 8-4-4-4-12 lowercase hex digits */
#define HMFS_BOOT_ID_LEN 36

/* a page soft_offline_page or hard_offline_page retired (kept for the state file) */
struct hmfs_retired {
	uint64_t pfn;
	bool hard; /* memory_failure(), not soft_offline_page() */
	int result; /* memory_failure()'s outcome counted (HM_MF_*; soft: HM_MF_NONE) */
};

/* the machine's CPUs: the host's, placed on the nodes (nodecpu.c) */
struct hmfs_cpus {
	int nr_cpu_ids; /* the host's possible CPUs: cpumap's width */
	int nr_cpus; /* NR_CPUS: the host's kernel_max + 1 (cpumap's and cpulist's st_size) */
	int *nid; /* a possible CPU's node while present, else -1 */
	unsigned char *online; /* cpu_online_mask */
};

struct hmfs_ctx {
	struct hotmem *hm;
	struct hotmem_config cfg;
	char profile[PATH_MAX]; /* builtin name or file path */
	/*
	 * a profile file's machine as hotmem_config_describe() puts it, one
	 * line a setting, kept at start (main.c boot(), before --cmdline and
	 * the CPUs' placement change ctx->cfg); NULL for a built-in profile
	 */
	char *profile_lines;
	char mountpoint[PATH_MAX]; /* absolute, for hotmemctl export */
	/*
	 * the mount's st_dev (0: unknown, statx() without STATX_MNT_ID), set
	 * before the control socket answers: hotmemctl export checks the tree
	 * it copies is on it, not another FUSE mount at the same path
	 */
	dev_t mount_dev;
	char cmdline[HM_COMMAND_LINE_SIZE];
	/*
	 * proc/sys/kernel/random/boot_id's UUID: made when the machine is
	 * (a fresh start, every start of -S none), restored from the state
	 * file, so that a restart on it is the same boot (hotmemd's
	 * boot-blocks record is keyed on it)
	 */
	char boot_id[HMFS_BOOT_ID_LEN + 1];
	uint64_t block_size;
	struct fuse_session *se;
	struct timespec mount_time;
	double attr_timeout;
	bool no_opendir; /* kernel skips OPENDIR/RELEASEDIR */
	struct hmfs_loop *loop; /* fs.c: store workers while the session runs */
	struct hmfs_uring *uring; /* --io-uring's transport (uring.c), from the mount; NULL: /dev/fuse */
	/* FUSE requests received, by opcode (0: any opcode beyond the table) */
#define HMFS_FUSE_OPS 64
	unsigned long fuse_requests[HMFS_FUSE_OPS];
	/*
	 * memoryN/state and /online writes by their result: [0] done, [e]
	 * refused with errno e (the last slot: any larger errno).  An agent's
	 * EINVAL races with the kernel's auto-online show here whether or not
	 * the agent logs them (hotmem-conform).
	 */
#define HMFS_STATE_WRITE_ERRNOS 134
	unsigned long state_writes[HMFS_STATE_WRITE_ERRNOS];
	/* of the EINVALs, a value the store could not parse: a failed write, not a race */
	unsigned long state_writes_unparsed;
	/*
	 * writes (a block's state or online, probe) whose wait behind another
	 * change went on at a signal that was not fatal, as 6.12's
	 * lock_device_hotplug_sysfs() restarts them (machine.c)
	 */
	unsigned long state_writes_restarted;

	pthread_mutex_t iattr_lock;
	/* chained by their owner's key (iattr.c iattr_class()): a block's inodes share a chain */
#define HMFS_IATTR_BUCKETS 1024
	struct hmfs_iattr *iattr[HMFS_IATTR_BUCKETS];
	unsigned long nr_iattr;
	unsigned long iattr_gen; /* removals' forgets so far: a truncate's entry checks it (iattr.c) */
	/* removed nodes' entries, an inode may hold them (iattr.c orphan_adopt()): newest first */
	struct hmfs_iattr *iattr_orphans;
	unsigned long nr_iattr_orphans;

	struct hmfs_snode *snodes;
	int nr_snodes;
	struct hmfs_kfcache *kfcache; /* tree.c: the sorted part of recent listings */
	int sn_memory, sn_node, sn_busdev, sn_fwmap; /* dynamic parents */
	int sn_proc_sys; /* proc/sys: hmfs_node_in_proc_sys() (0, the root, until built) */
	int sn_busnodedev; /* bus/node/devices */
	/*
	 * each bus's drivers_autoprobe snode, in the tree's order (sn_bus()):
	 * a save reads them without walking the whole tree (rfix43)
	 */
	int sn_bus_autoprobe[HMFS_MAX_BUSES];
	int nr_buses;
	struct hmfs_cpus cpus;
	int sn_acpi_mhpc, sn_acpi_busdev; /* the slots' parents, or -1 without slots */

	/* poll: kernfs_open_node->event per inode, and who waits */
	pthread_mutex_t poll_lock;
	struct hmfs_htab evtab; /* struct hmfs_evnode by inode, grown with the machine */
	struct hmfs_open *polled;
	/*
	 * every open file, until its RELEASE: at the end of the session the
	 * kernel sends none for a file still open, teardown frees them
	 * (hmfs_open_files_free())
	 */
	struct hmfs_open *opened;

	/* incarn.c: the keys of ids that went */
	pthread_mutex_t inc_lock;
	struct hmfs_inc_tab inc[HMFS_INC_KINDS];

	/*
	 * splice.c: inodes a short page-cache READ (a splice, a sendfile)
	 * shrank, until their next OPEN puts i_size back
	 */
	pthread_mutex_t splice_lock;
	struct hmfs_htab spliced; /* struct hmfs_spliced by inode */
	unsigned long nr_spliced; /* its records, read without the lock (atomic) */
	unsigned long splice_restores; /* OPENs that put i_size back (atomic: status) */
	unsigned long fuse_to_workers; /* requests the loop handed to its workers (atomic: status) */

	/* nodelink.c: the blocks whose node links wait for their hot-add's ADDs */
	pthread_mutex_t nodelink_lock;
	struct hmfs_htab nodelink; /* struct hmfs_nodelink by block */
	unsigned long nr_nodelink; /* its records, read without the lock */
	uint64_t nodelink_seq; /* the last hold's */

	/* engine events, delivered outside the engine's locks */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct hmfs_qev *q_head, *q_tail;
	bool q_stop;
	unsigned long q_len, q_dropped;
	/*
	 * hmfs_events_settle(): events queued ever (dropped ones not) and
	 * delivered ever, in queue order, so that delivered >= a number read
	 * from queued means every event queued until then is out; settlers
	 * wait on q_settled (CLOCK_MONOTONIC), broadcast when there are any.
	 * Under q_lock.
	 */
	uint64_t q_queued, q_delivered;
	unsigned long q_settlers;
	bool q_given_up; /* hmfs_events_give_up(): waiters wait no more */
	pthread_cond_t q_settled;
	/* FUSE writes' replies held until q_delivered reaches theirs (hmfs_reply_write_after()) */
	struct hmfs_held_reply *q_held;
	pthread_t notifier;
	bool notifier_started;
	/* QEMU's per-device rate limit of MEMORY_DEVICE_SIZE_CHANGE: the notifier's alone (events.c) */
	struct hmfs_qmp_throttle *q_throttle;
	/* the session loop stops reading: the notifier tells the kernel nothing (events.c) */
	bool kernel_gone;
	pthread_mutex_t kernel_lock; /* held by the notifier across each call into the kernel */
	int ev_slot;
	struct hmfs_uevent_sink sink;

	/* hardware */
	pthread_mutex_t dev_lock;
	/*
	 * query-memory-devices' reply while a DIMM's eject holds dev_lock
	 * (dev.c hmfs_dev_query_json()), NULL otherwise; under dev_snap_lock,
	 * which is taken before dev_lock
	 */
	pthread_mutex_t dev_snap_lock;
	struct json_object *dev_snap;
	/* and status's devices then (json.c hmfs_devices_json()), the DIMM marked "ejecting" */
	struct json_object *dev_snap_status;
	/* that DIMM's id, for a refresh of both (dev.c dev_snap_refresh()) */
	char dev_snap_ejecting[64];
	/* and each device's id and DIMM slot (-1: virtio-mem) then: hmfs_dev_slot_nowait() */
	struct hmfs_dev_key {
		char id[64];
		int slot;
	} *dev_snap_keys;
	size_t nr_dev_snap_keys;
	/*
	 * the eject is over (its DIMM unlinked, set under dev_lock before it
	 * is let go): the snapshot is stale until hmfs_dev_del() drops it,
	 * and a reader reads the list (finalF F3); atomic
	 */
	bool dev_snap_over;
	/* the DIMM slots' ACPI memory devices (acpi.c), under acpi_lock */
	pthread_mutex_t acpi_lock;
	struct hmfs_acpi_slot *acpi_slots;
	int nr_acpi_slots;
	/*
	 * kacpi_hotplug_wq (acpi.c: hmfs_acpi_hotplug_schedule()): the
	 * guest's ejects, one at a time, after their writes (and QMP
	 * device_del's eject requests) returned.  Under acpi_lock.
	 * @acpi_wq_inline: no thread, each work runs in its caller (the
	 * fuzzers' context, which the next input frees: nothing may run on
	 * after the input that queued it)
	 */
	struct hmfs_acpi_work *acpi_wq_head, **acpi_wq_tail;
	pthread_cond_t acpi_wq_cond;
	pthread_t acpi_wq_thread;
	bool acpi_wq_started, acpi_wq_stop, acpi_wq_inline;
	bool acpi_container_offline; /* system/container/PNP0A06:04/online is 0 */
	struct hmfs_dev *devs;
	/*
	 * the next anonymous device's number, /machine/peripheral-anon/device[N]
	 * (QEMU's qdev_set_id() static anon_count: taken by each device_add
	 * without an id, a refused one too, never given back; QEMU counts
	 * within one run, and a state file's restarts are one run: saved in
	 * "params"), atomic (dev.c hmfs_dev_anon_count())
	 */
	unsigned int anon_count;
	/*
	 * under dev_lock: the device objects made so far (struct hmfs_dev
	 * incarnation; read without it by hmfs_dev_made(), atomic); the one whose queued device_del the timers' thread
	 * runs (dev.c vmem_del_queued()), 0 once a device_del that waits took
	 * it over (hmfs_dev_del_take_over()) or none runs
	 */
	uint64_t dev_incarnations, del_running;
	/* the virtio-mem retry timers' thread (dev.c), under dev_lock */
	pthread_cond_t vmem_timer_cond;
	pthread_t vmem_timer;
	bool vmem_timer_started, vmem_timer_stop;
	/*
	 * a change that waits for the guest (an offline, which loops for as
	 * long as its pages stay pinned; a DIMM's eject, which offlines; a
	 * virtio-mem shrink, which takes online pages: machine.c
	 * holds_hotplug_long()) holds change_lock: atomic (machine.c apply_held())
	 */
	bool change_waits_guest;
	/*
	 * The block whose device_lock the running change holds (devlock.c:
	 * its id + 1, 0 none, -1 any going offline; atomic reads, written
	 * under devlock_lock) and the READs of its online kept until it ends
	 */
	pthread_mutex_t devlock_lock;
	long devlock_block;
	struct hmfs_devlock_read *devlock_readers;
	/*
	 * /proc/iomem and /sys/firmware/memmap while a change holds the
	 * engine's device_hotplug_lock for long (machine.c maps_snap_take()):
	 * the kernel's readers take resource_lock or nothing, never
	 * device_hotplug_lock, and an offline or an eject before its removal
	 * changes neither.  The copies, the engine's hotmem_maps_gen() they
	 * were taken at (UINT64_MAX: none) and maps_snap_stands under
	 * maps_snap_lock; maps_snap_stale (a block's REMOVE came: the removal
	 * goes on) atomic.
	 */
	pthread_mutex_t maps_snap_lock;
	struct hm_iomem_entry *iomem_snap;
	struct hm_fwmap_entry *fwmap_snap;
	size_t iomem_snap_n, fwmap_snap_n;
	uint64_t maps_snap_gen;
	bool maps_snap_stands, maps_snap_stale;

	/* control socket */
	char ctl_path[108];
	dev_t ctl_dev; /* the socket's file, as bound: only it is unlinked (hmfs_ctl_unlink()) */
	ino_t ctl_ino;
	int ctl_fd;
	pthread_t ctl_thread;
	bool ctl_started;
	bool ctl_stopping; /* __atomic_*: hmfs_ctl_stop() began, no command runs (ctlsock.c) */
	int ctl_stop_fd; /* eventfd, readable once hmfs_ctl_stop() began: bounds a reply's send */
	/*
	 * __atomic_*: hotmemfs is stopping (the stopper took its signal, or
	 * the session loop ended): the signal of an offline under way, whoever
	 * asked for it (fs.c, ctl.c) -- the stop waits for change_lock
	 */
	bool stopping;
	/* never held across a blocking call: the notifier takes it */
	pthread_mutex_t sub_lock;
	struct hmfs_sub *subs;
	unsigned long nr_subs; /* __atomic_*: followers (`events`); the notifier peeks without the lock */
	unsigned long events_lost; /* by all event clients, ever */
	struct conn *conns; /* live connections (ctlsock.c) */
	int nr_conns; /* at most HMFS_CTL_MAX_CLIENTS */
	int nr_conns_busy; /* under sub_lock: running a command or sending its reply */
	pthread_cond_t conns_cond;

	/* state file */
	char state_path[PATH_MAX];
	int state_dirfd; /* its directory: temp file, rename, fsync by it */
	int state_lockfd; /* PATH.lock, write-locked while we live */
	bool fresh_aside; /* --fresh set the old state aside, not yet saved anew */
	/*
	 * PATH.lock, PATH.journal made by this start's hmfs_state_open(),
	 * decided under the lock by O_EXCL: a start failing before its first
	 * save removes them (hmfs_state_unmake()), and only them
	 */
	bool state_lock_made, state_journal_made;
	/*
	 * the suffix keep_orphaned_journal() renamed a journal with records
	 * and no state file to (".journal.orphaned", ".2" ...), "" none:
	 * a start failing before its first save renames it back
	 * (hmfs_state_unmake()), over the empty journal made in its place
	 */
	char journal_kept_as[32];
	/*
	 * PATH.journal: records of what changed since the state file was
	 * written whole (compaction), each fdatasync()ed before the change
	 * is acknowledged (unless sync_background, below); saved is the
	 * machine object they add up to.
	 */
	int journal_fd;
	/*
	 * journal_lock: the journal's length and records, appended under
	 * change_lock and journal_lock, made durable under journal_lock
	 * alone (the fdatasync itself without it: group commit).
	 */
	pthread_mutex_t journal_lock;
	pthread_cond_t journal_cond;
	uint64_t journal_seq;
	/*
	 * a failed record's cut failed too (state.c journal_put()): a line
	 * with seq journal_seq + 1 may sit at journal_len, which the next
	 * whole save claims (take_snapshot())
	 */
	bool journal_kept;
	size_t journal_len;
	size_t journal_size; /* the file's: written zeros from journal_len on (state.c) */
	uint64_t journal_durable; /* the last record on disk ... */
	size_t journal_durable_len; /* ... and where it ends in the journal held now */
	bool journal_syncing; /* a thread is in fdatasync() for the group */
	bool journal_failing; /* an fdatasync failed: the changes after durable are being undone */
	bool journal_dir_dirty; /* a new journal's name is not yet synced (rotate_journal()) */
	struct hmfs_save *journal_pending; /* records not yet durable, newest first */
	/*
	 * QEMU's side of a virtio-mem device journaled without change_lock
	 * (state.c hmfs_state_append_qemu(): a device_add answered behind a
	 * guest's offline, its probe's end, its device_del): counted under
	 * journal_lock, so that a change's whole "devices" or a compaction's
	 * machine read before such a record is never written after it
	 * (qemu_gen), and saved's "devices" is known stale (saved_qemu_gen,
	 * under change_lock: the count saved was made at)
	 */
	uint64_t qemu_gen, saved_qemu_gen;
	/*
	 * A lock-free parameter set and journaled without change_lock (state.c
	 * hmfs_state_set_param(): nr_overcommit_hugepages, a notifier-error-
	 * inject error), counted under journal_lock before the engine's value
	 * moves, whether its record then reaches the journal or not: a "set"
	 * of "params" or a compaction's machine read meanwhile reads again
	 * (param_gen; state.c side_gen())
	 */
	uint64_t param_gen;
	unsigned long journal_records, journal_syncs; /* for status, under save_lock */
	/*
	 * Compaction in the background (state.c: compactor()), asked for
	 * under journal_lock past compact_at bytes of journal; compact_lock:
	 * one whole-file save at a time (after change_lock, before
	 * journal_lock).
	 */
	pthread_mutex_t compact_lock;
	pthread_cond_t compact_cond;
	pthread_t compactor;
	bool compactor_started, compact_wanted, compact_stop;
	size_t compact_at; /* 0: HMFS_JOURNAL_MAX (of state.c journal_weight()) */
	size_t journal_kmem_len; /* the journal's "kmem" bytes, under journal_lock */
	size_t journal_durable_kmem_len; /* ... of its records up to journal_durable_len */
	/*
	 * --state-sync background: a change is acknowledged once its record
	 * is written into the journal (in the host kernel: it survives
	 * hotmemfs's death, kill -9), not once it is durable; the syncer
	 * thread (state.c: syncer()) makes the records durable behind the
	 * writers, in groups.  syncer_* under journal_lock.
	 */
	bool sync_background;
	/*
	 * --restore-partial: a journal damaged before its last record gives
	 * the state file plus the records before the damage (the journal
	 * kept as PATH.journal.damaged) instead of a refused start; and,
	 * when refused, what each way out keeps (replay_journal())
	 */
	bool restore_partial;
	struct hmfs_journal_damage {
		uint64_t record; /* the damaged line's number, from 1; 0: no damage */
		uint64_t kept;	 /* changes before it, which --restore-partial keeps */
		uint64_t lost;	 /* acknowledged changes from it on, which it loses */
		/*
		 * the damaged record's seq when it is the first after the state
		 * file's and not the next one: the file is older than its
		 * journal (put back from a backup?), not the journal damaged
		 */
		uint64_t file_behind;
		/*
		 * --restore-partial refused (its errno; 0: not asked, or done):
		 * -EEXIST when every PATH.journal.damaged name is taken, which
		 * moving them away mends; any other, its advice is not given again
		 */
		int partial_err;
	} journal_damage;
	pthread_t syncer;
	bool syncer_started, syncer_stop, syncer_failed;
	struct json_object *saved;
	/* saved's top-level values as JSON text (NULL: unknown), compared per key */
	char *saved_text[HMFS_STATE_KEYS];
	/*
	 * bit k: records since saved changed its k-th value (one-block records
	 * "blocks", device records "devices" and "blocks"): rebuilt when a
	 * change needs saved whole
	 */
	unsigned int saved_stale;
	/*
	 * change_lock: one change at a time, from before it is applied until
	 * it is saved or undone (hmfs_change()); every save happens under it.
	 */
	pthread_mutex_t change_lock;
	/*
	 * A device_add's or device_del's last events (its _OST, DEVICE_DELETED:
	 * acpi.c) are queued once it is durable, after change_lock: until
	 * they are, @ends_pending counts it and the next change waits
	 * (machine.c lock_change()), so that no event of a later change comes
	 * before them (review14 R10).  Under end_lock.
	 */
	pthread_mutex_t end_lock;
	pthread_cond_t end_cond;
	unsigned int ends_pending;
	pthread_mutex_t save_lock; /* the counters below, for status */
	/*
	 * the state file's load is under way (state.c hmfs_state_load()): its
	 * replay is not journaled again (sv->active) and devices and pages
	 * come back as the file has them (dev.c, machine.c).  A plain bool,
	 * written by the load and read by every thread that makes a change
	 * (hmfs_state_prepare(), hmfs_state_append_qemu(),
	 * hmfs_state_set_param()): safe without a lock or atomics only
	 * because the load runs in main.c prepare() before any such thread is
	 * created -- the uevent sender, the notifier and the virtio-mem timers
	 * there, the control socket's, the stopper and the FUSE workers after
	 * it -- and pthread_create() orders the load's writes before their
	 * reads.  A load moved after one of them needs an atomic here.  Not
	 * under save_lock.
	 */
	bool restoring;
	/*
	 * The kernel's own allocations (state.c "kmem"): their log is kept
	 * from the first whole save on (every record carries what changed);
	 * what the restore did with them (HMFS_KMEM_*) and how many it could
	 * not put back at their pages, for the restore line.
	 */
	bool kmem_logging;
	/* under change_lock: a whole save failed (the next record has the list); */
	bool kmem_whole_next;
	/* the log's entries the last whole save's list holds ("based") */
	unsigned long kmem_in_base;
	/* the log's position up to which appended records carry its entries */
	unsigned long kmem_sent;
	/*
	 * "pageblocks" as the last record or whole save carried them (NULL:
	 * none, or not known durable: the next record carries them), and as
	 * the record being appended carries them (state.c kmem_delta())
	 */
	struct hmfs_pageblocks *kmem_pageblocks_sent, *kmem_pageblocks_next;
	/* an undo's rewind of the log under way (hotmem_kmem_log_rewind()) */
	bool kmem_rewinding;
	int kmem_restored;
	unsigned long kmem_moved;
	/* the restart's blocks not put as saved, the first of them (the restore line says so) */
	unsigned long blocks_astray, block_astray;
	/*
	 * The pages retired, in order (the state file's "hwpoison"): the
	 * engine keeps no hard/soft, and a restart retires them again.
	 * retired_lock: a save reads them from any thread.
	 */
	pthread_mutex_t retired_lock;
	struct hmfs_retired *retired;
	size_t nr_retired, retired_cap;
	bool frozen; /* an undo failed: no more changes (frozen_why says) */
	/*
	 * why, whole with any PATH_MAX path (allocated; NULL: memory ran
	 * out), what to do from frozen_then on: hmfs_state_frozen_say()
	 * keeps that whole where a reply's room cuts the reason
	 */
	char *frozen_why;
	size_t frozen_then;
	unsigned long saves, save_errors;
};

/*
 * nodecpu.c: the host's CPUs (@dir: its /sys/devices/system/cpu) placed on
 * ctx->cfg's boot nodes, before hotmem_create(): sets cfg.cpu_nodes, the
 * engine's has_cpu
 */
int hmfs_cpus_init(struct hmfs_ctx *ctx, const char *dir);
void hmfs_cpus_free(struct hmfs_ctx *ctx);
bool hmfs_cpu_on_node(struct hmfs_ctx *ctx, unsigned long cpu, int nid);
/* @nid's online CPUs into @mask (@len bytes, cpus.nr_cpu_ids bits): how many */
int hmfs_node_cpumask(struct hmfs_ctx *ctx, int nid, unsigned char *mask, size_t len);

/* tree.c */
/*
 * The /proc/sys/vm files hotmemfs serves, all 0644 in a 0555 procfs
 * directory: engine/uapi/hmuapi.h's HMU_VM_SYSCTLS(), X(NAME, ID), each
 * the attribute A_SYSCTL_<ID>.  tree.c makes the nodes of it and says
 * which files are sysctls (hmfs_attr_is_sysctl()), hotmem-enter binds each
 * over the real file (enter.c bind_machine()), the engine applies the
 * sysctl.vm.* boot words of the same names.
 */
#define HMFS_VM_SYSCTLS(X) HMU_VM_SYSCTLS(X)

/* a /proc/sys/vm file (vm_sysctls[]), whose write past the file's start changes nothing */
bool hmfs_attr_is_sysctl(enum hmfs_attr a);
/* @n is /proc/sys or below it: its files' and directories' setattr is proc_sys_setattr()'s */
bool hmfs_node_in_proc_sys(const struct hmfs_ctx *ctx, const struct hmfs_node *n);
/*
 * @n is procfs's (proc/ and below) or debugfs's (sys/kernel/debug and
 * below): filesystems with no xattr handlers, unlike kernfs
 */
bool hmfs_node_no_xattrs(const struct hmfs_ctx *ctx, const struct hmfs_node *n);
/* @n is procfs's: proc/ or below it */
bool hmfs_node_in_procfs(const struct hmfs_ctx *ctx, const struct hmfs_node *n);
int hmfs_tree_init(struct hmfs_ctx *ctx);
void hmfs_tree_free(struct hmfs_ctx *ctx);
int hmfs_node_get(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n);
int hmfs_lookup_child(struct hmfs_ctx *ctx, uint64_t parent, const char *name, struct hmfs_node *n);
/* a live node's path below the mount point ("sys/devices/system/memory/memory32/state"), or -ENOENT */
int hmfs_node_path(struct hmfs_ctx *ctx, uint64_t ino, char *buf, size_t len);
/* the node at @path (as hmfs_node_path() gives it; links not followed): 0, else -ENOENT */
int hmfs_path_node(struct hmfs_ctx *ctx, const char *path, struct hmfs_node *n);
/* @off is the entry's own offset; resume with off + 1. */
typedef bool (*hmfs_dirent_fn)(void *arg, const char *name, uint64_t ino, mode_t mode, long off);
/* Calls @fn for entries at offsets >= @off until it returns false. */
long hmfs_readdir(struct hmfs_ctx *ctx, uint64_t ino, long off, hmfs_dirent_fn fn, void *arg);
void hmfs_stat(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct stat *st);
/* a bus's drivers_autoprobe, @snode its file's (set through hmfs_change(): HMFS_CH_BUS_AUTOPROBE) */
bool hmfs_bus_autoprobe(struct hmfs_ctx *ctx, int snode);
int hmfs_bus_autoprobe_set(struct hmfs_ctx *ctx, int snode, bool on);

/* iattr.c: struct kernfs_iattrs, kept until the node goes */
/* kernfs_iop_setattr(): root may chmod/chown */
int hmfs_setattr_node(struct hmfs_ctx *ctx, const struct hmfs_node *n, const struct stat *attr,
		      int to_set);
void hmfs_iattr_stat(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct stat *st);
/* a SETATTR of the size alone (O_TRUNC, ftruncate): do_truncate()'s mtime and ctime, in memory alone */
int hmfs_iattr_truncated(struct hmfs_ctx *ctx, uint64_t ino);
/* block @id went, its incarnation of key @key (incarn.c): its nodes' entries go, its links' and slot link's too */
void hmfs_forget_block_attrs(struct hmfs_ctx *ctx, unsigned long id, uint64_t key);
/* NUMA node @nid went (try_offline_node()): every entry of its incarnation that went */
void hmfs_forget_node_attrs(struct hmfs_ctx *ctx, uint64_t key);
void hmfs_iattr_free_all(struct hmfs_ctx *ctx);
/* power/'s files this machine's devices have (tree.c) */
unsigned int hmfs_nr_power(const struct hmfs_ctx *ctx);
void hmfs_power_sibling(const struct hmfs_node *n, enum hmfs_attr attr, struct hmfs_node *sib);
int hmfs_pm_runtime_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool forbid);
int hmfs_pm_async_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool enable);
bool hmfs_pm_async_enabled(struct hmfs_ctx *ctx, const struct hmfs_node *n);
bool hmfs_pm_runtime_forbidden(struct hmfs_ctx *ctx, const struct hmfs_node *n);
int hmfs_xattr_namespace(const char *name);
/* a change of a node's kernfs_iattrs or power/control, made through hmfs_change() (HMFS_CH_IATTR) */
enum hmfs_iattr_op { HMFS_IA_SETATTR, HMFS_IA_XATTR, HMFS_IA_RUNTIME_PM, HMFS_IA_ASYNC };
struct hmfs_iattr_change {
	enum hmfs_iattr_op op;
	const struct hmfs_node *n;
	const struct stat *attr; /* SETATTR: the values to_set names */
	int to_set;
	const char *name; /* XATTR: value NULL removes */
	const void *value;
	size_t size;
	int flags;
	bool on; /* RUNTIME_PM: power/control "on"; ASYNC: power/async "enabled" */
};
int hmfs_iattr_apply(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c);
/* the state file's "iattrs": every node's kept values, by path */
struct json_object *hmfs_iattr_json(struct hmfs_ctx *ctx);
/* the nodes' kept values as @entries (hmfs_iattr_json()'s) say, and no others */
void hmfs_iattr_restore(struct hmfs_ctx *ctx, struct json_object *entries);
/* the same for the entries of the memory blocks in @ranges ([first, count] each) only */
void hmfs_iattr_restore_ranges(struct hmfs_ctx *ctx, struct json_object *entries,
			       struct json_object *ranges);
/* "iattrs" of the memory blocks in @ranges only */
struct json_object *hmfs_iattr_ranges_json(struct hmfs_ctx *ctx, struct json_object *ranges);
/*
 * One node's entry as "iattrs" has it (only "path" when it keeps nothing),
 * NULL when it has no path (a removed block's); and back: that node keeps
 * what @entry says, the others stay.  The record of one change (state.c).
 */
struct json_object *hmfs_iattr_entry_json(struct hmfs_ctx *ctx, uint64_t ino);
/* entry @e says its node keeps something (a path alone, or with its "memmap": nothing) */
bool hmfs_iattr_entry_keeps(struct json_object *e);
/*
 * entries @a and @b are of the same node: the same path, or for a
 * firmware/memmap/N node the same entry ("memmap": its range and type,
 * which N need not follow across a restart) and the same file of it
 */
bool hmfs_iattr_same_node(struct json_object *a, struct json_object *b);
/*
 * "iattrs" @a and @b say the same of the same nodes: equal, or equal but
 * for the number in a firmware map entry's path (an undo brought its DIMM
 * back under another number, its entry of the same range and type)
 */
bool hmfs_iattrs_same(struct json_object *a, struct json_object *b);
void hmfs_iattr_restore_entry(struct hmfs_ctx *ctx, struct json_object *entry);
int hmfs_xattr_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		   const void *value, size_t size, int flags);
ssize_t hmfs_xattr_get(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		       void *buf, size_t size);
/* *@hid: a trusted.* name left out (!@trusted): ask the capability and list again */
ssize_t hmfs_xattr_list(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool trusted, char *buf,
			size_t size, bool *hid);
/* Walk present blocks as runs of consecutive ids with equal state/zone. */
#define HMFS_RUN_BY_NODE (1u << 0)
#define HMFS_RUN_BY_GROUP (1u << 1)
#define HMFS_RUN_GOING_OFFLINE_IS_ONLINE (1u << 2) /* as acknowledged: an offline may fail */
#define HMFS_RUN_HWPOISON_ALONE (1u << 3) /* a block holding hwpoisoned pages is a run of its own */
#define HMFS_RUN_ONLINE_APART (1u << 4) /* the state file's: blocks onlined by `online` a run apart */
typedef void (*hmfs_run_fn)(void *arg, const struct hm_block_info *first, unsigned long count);
void hmfs_block_runs(struct hmfs_ctx *ctx, unsigned int flags, hmfs_run_fn fn, void *arg);
/* the same, of the blocks [from, end) only */
void hmfs_block_runs_in(struct hmfs_ctx *ctx, unsigned int flags, unsigned long from,
			unsigned long end, hmfs_run_fn fn, void *arg);
/* memoryN/'s inode number, its present incarnation's */
uint64_t hmfs_block_dir_ino(struct hmfs_ctx *ctx, unsigned long id);
/* nodeN/'s inode number, its present incarnation's */
uint64_t hmfs_node_dir_ino(struct hmfs_ctx *ctx, unsigned long nid);
/* the directories of a node's incarnation of key @key: nodeN/ and those below */
#define HMFS_NODE_DIRS 5
void hmfs_node_dir_inos(uint64_t key, uint64_t inos[HMFS_NODE_DIRS]);
/*
 * The block or NUMA node of @n went since its key was @key (an open file's,
 * HMFS_INO_KEY() of its number at open): kernfs_get_active() fails, ENODEV
 */
bool hmfs_went(struct hmfs_ctx *ctx, const struct hmfs_node *n, uint64_t key);

/* incarn.c */
void hmfs_inc_init(struct hmfs_ctx *ctx);
void hmfs_inc_fini(struct hmfs_ctx *ctx);
void hmfs_inc_free(struct hmfs_ctx *ctx);
/* @id's present key: @id until it first went */
uint64_t hmfs_inc_key(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, unsigned long id);
/* the id whose present key is @key, or -1 (a key of an incarnation that went, or never given) */
long hmfs_inc_id(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, uint64_t key);
/* @key was given in this mount (an id's own, or one of the counter's) */
bool hmfs_inc_was_given(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, uint64_t key);
/* @id went: its next incarnation gets a new key; returns the key that went */
uint64_t hmfs_inc_gone(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, unsigned long id);
/* a node of a removed memory block, as kernfs still stats it: 0, else -ENOENT */
int hmfs_node_get_removed(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n);
/* what an inode the kernel holds is: present (hmfs_node_get()), else removed; 0 or -ENOENT */
int hmfs_node_get_held(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n);
/* a static directory's devpath ("/devices/LNXSYSTM:00"): its path below sys/ */
void hmfs_snode_devpath(struct hmfs_ctx *ctx, int idx, char *buf, size_t len);

/* a read's text as it is built (attrs.c, vmstat.c): what fits of it, the NUL kept */
struct hmfs_out {
	char *buf;
	size_t len, off;
};
/* @n bytes a formatter wrote at o->off, snprintf()'s way (it may want more than fit) */
void hmfs_emitted(struct hmfs_out *o, int n);
__attribute__((format(printf, 2, 3))) void hmfs_emit(struct hmfs_out *o, const char *fmt, ...);

/*
 * vmstat.c: /proc/vmstat past its zone, NUMA and node items (system-wide
 * counters, vm events, nr_unstable), of @nr_free free pages and
 * @totalreserve reserved ones, into @o
 */
void hmfs_vmstat_global(struct hotmem *hm, unsigned long nr_free, unsigned long totalreserve,
			struct hmfs_out *o);

/* pagetypeinfo.c: /proc/pagetypeinfo (6.12), into @o */
void hmfs_pagetypeinfo(struct hotmem *hm, struct hmfs_out *o);

/* attrs.c */
/*
 * A memory notifier refused the block's last offline (MEM_GOING_OFFLINE,
 * @bi's offline_cause): nothing in the way to explain, so @buf says who
 * refused it and, for notifier-error-inject's error, how to clear it
 * (usereye3 #37); false, @buf untouched, for any other cause
 */
bool hmfs_offline_refused(struct hmfs_ctx *ctx, const struct hm_block_info *bi, char *buf,
			  size_t len);
int hmfs_show(struct hmfs_ctx *ctx, const struct hmfs_node *n, char *buf, size_t len);
/*
 * A procfs seq_file (proc/meminfo, zoneinfo, buddyinfo, iomem, cmdline):
 * its text has no page limit, as sysfs's has, and its st_size is not
 * kernfs's 4096.
 */
bool hmfs_attr_is_seq(enum hmfs_attr a);
/* a new random boot_id into @buf (HMFS_BOOT_ID_LEN + 1); false: no randomness to be had */
bool hmfs_boot_id_make(char *buf);
/* @s is a boot_id as hmfs_boot_id_make() writes them */
bool hmfs_boot_id_valid(const char *s);
/*
 * A binary attribute whose read() prints at any offset (nodeN/cpumap,
 * cpulist: BIN_ATTR_RO(), 6.18): no page limit either, and its st_size
 * is the bin_attribute's size (hmfs_attr_size()).
 */
bool hmfs_attr_is_bin(enum hmfs_attr a);
/* st_size of a regular file's attribute: kernfs's page, a seq_file's 0, a bin_attribute's size */
off_t hmfs_attr_size(const struct hmfs_ctx *ctx, enum hmfs_attr a);
/* a module parameter (sys/module/NAME/parameters): module_sysfs_ops, show and store both */
/*
 * Which ops a file's open finds (fs.c open_check()): kernfs's with show
 * and store both (a sysfs text attribute: its kobject type's sysfs_ops),
 * kernfs's as the kernel's mode gave them (a binary attribute, firmware
 * memmap's), or procfs's and debugfs's (no check past the VFS's).
 */
enum hmfs_open_ops { HMFS_OPS_SYSFS, HMFS_OPS_AS_MODE, HMFS_OPS_VFS };
enum hmfs_open_ops hmfs_attr_open_ops(enum hmfs_attr a);
/* a seq_file's whole text, malloc()ed into *@out (its length in *@len); 0 or -errno */
int hmfs_show_seq(struct hmfs_ctx *ctx, const struct hmfs_node *n, char **out, size_t *len);
ssize_t hmfs_store(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf, size_t count);
/* the same for a client whose signal @task reports (a FUSE request) */
ssize_t hmfs_store_task(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
			size_t count, const struct hotmem_task *task);
/*
 * How many of @size written bytes a successful store claims: sysfs
 * (kernfs_fop_write_iter()) takes at most a page, debugfs's simple_attr_write()
 * "claims we got the whole input".
 */
/* a store through an open file of a removed block: ENODEV (counted as store_block()'s) */
ssize_t hmfs_store_gone(struct hmfs_ctx *ctx, const struct hmfs_node *n);
/* a store only root may run, whatever the mode says (capable(CAP_SYS_ADMIN)) */
bool hmfs_store_needs_admin(const struct hmfs_node *n);
size_t hmfs_store_claims(const struct hmfs_node *n, size_t size, size_t stored);
/*
 * a sysctl write of @count bytes past the file's start: what 6.12's
 * handler does after its parser ignored it; @count, or -errno
 */
ssize_t hmfs_store_past_start(struct hmfs_ctx *ctx, const struct hmfs_node *n, size_t count,
			      const struct hotmem_task *task);
/*
 * what a sysctl's handler does at a read() besides copying the value out,
 * at any position: lowmem_reserve_ratio's sets the reserves up
 */
void hmfs_show_handler(struct hmfs_ctx *ctx, const struct hmfs_node *n,
		       const struct hotmem_task *task);

/* fs.c */
extern const struct fuse_lowlevel_ops hmfs_ops;
/* fs.c: run the session: requests in this thread, stores on @nr_workers threads */
int hmfs_session_loop(struct hmfs_ctx *ctx, unsigned int nr_workers);
/*
 * fs.c: --io-uring: serve @ctx->se's requests through FUSE over io_uring
 * (uring.c), set up at INIT; after the mount, before the loop.  0 or -errno.
 */
int hmfs_session_uring(struct hmfs_ctx *ctx, struct fuse_session *se);
/* fs.c: its threads stopped, after the unmount and before fuse_session_destroy() */
void hmfs_session_uring_end(struct hmfs_ctx *ctx);
/* fs.c: the files still open when the session ended (no RELEASE came): freed */
void hmfs_open_files_free(struct hmfs_ctx *ctx);
/* the store workers hmfs_session_loop() starts, each a thread: what --threads takes */
#define HMFS_MAX_THREADS 1024
/*
 * The default --threads on @cpus online CPUs (sysconf(), -1 when it could
 * not say): two a CPU, for a store may wait for the engine; at least 4;
 * and within what --threads takes, which two a CPU passes above 512 CPUs.
 */
static inline unsigned int hmfs_default_threads(long cpus)
{
	if (cpus <= 2)
		return 4;
	return cpus < HMFS_MAX_THREADS / 2 ? (unsigned int)(2 * cpus) : HMFS_MAX_THREADS;
}
/* status's "fuse": requests received so far, in all and by opcode */
struct json_object *hmfs_fuse_requests_json(struct hmfs_ctx *ctx);

/* machine.c: a change a client makes, parsed from a store or a command */
enum hmfs_change_op {
	HMFS_CH_BLOCK_STATE, /* memoryN/state, block-set-state: value = MMOP_* */
	HMFS_CH_BLOCK_ONLINE, /* memoryN/online: value = 0/1 */
	HMFS_CH_AUTO_ONLINE, /* auto_online_blocks: value = MMOP_* */
	HMFS_CH_PROBE, /* probe: dev.addr */
	HMFS_CH_NUMA_AWARE, /* memory_hotplug parameters: value */
	HMFS_CH_RATIO,
	HMFS_CH_POLICY,
	HMFS_CH_VMEM_UNPLUG_ONLINE, /* virtio_mem.unplug_online: value */
	/* notifier-error-inject's actions/<id: HM_MEM_GOING_*>/error: value */
	HMFS_CH_NOTIFIER_ERROR,
	/* soft_offline_page (value 0), hard_offline_page (1): dev.addr = pfn */
	HMFS_CH_MEMORY_FAILURE,
	/* chmod/chown/touch, an xattr, power/control (iattr.c): iattr */
	HMFS_CH_IATTR,
	/* a bus's drivers_autoprobe: id = its file's snode, value = 0/1 */
	HMFS_CH_BUS_AUTOPROBE,
	/*
	 * nodeN/hugepages/hugepages-2048kB/nr_hugepages: id = the node, value
	 * = its count; id (unsigned long)NUMA_NO_NODE: the global pool's
	 * (kernel/mm/hugepages/.../nr_hugepages, vm.nr_hugepages)
	 */
	HMFS_CH_NODE_HUGEPAGES,
	/*
	 * hotmemctl hugetlb: value = pages to add (> 0, from dev.node, -1:
	 * node 0, falling back) or to free (< 0, the last taken first);
	 * *done: how many were
	 */
	HMFS_CH_HUGETLB,
	HMFS_CH_DEVICE_ADD, /* device_add: dev */
	HMFS_CH_DEVICE_DEL, /* device_del: dev.id */
	HMFS_CH_DEVICE_RESIZE, /* qom-set requested-size: dev.id, dev.requested */
	/*
	 * no client's: the virtio-mem drivers' work after block id's online
	 * (value 1) or offline (0): plugging, unplugging (recorded, undone)
	 */
	HMFS_CH_DRIVER_RETRY,
	/* nr_overcommit_hugepages (sysfs, vm.nr_overcommit_hugepages): value */
	HMFS_CH_HUGETLB_OVERCOMMIT,
	/*
	 * no client's: the anonymous devices' count (the next device[N]) kept
	 * after a refused anonymous device_add took a number: value; raised only
	 */
	HMFS_CH_ANON_COUNT,
	/* vm.user_reserve_kbytes (id 0), vm.admin_reserve_kbytes (id 1): value */
	HMFS_CH_VM_RESERVE,
	/*
	 * the watermark sysctls (enum hmfs_vm_wmark id): vm.min_free_kbytes,
	 * vm.watermark_scale_factor (value), vm.lowmem_reserve_ratio (the
	 * value first of ratio, lock-free: state.c lock_free_params[])
	 */
	HMFS_CH_VM_WMARK,
	/* vm.hugetlb_optimize_vmemmap: value, 0 or 1 */
	HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP,
	/* vm.watermark_boost_factor: value, 0..INT_MAX (lock-free: state.c lock_free_params[]) */
	HMFS_CH_WATERMARK_BOOST_FACTOR,
	/*
	 * vm.percpu_pagelist_high_fraction: value, 0 or 8..INT_MAX; under
	 * change_lock, as the kernel's handler waits for pcp_batch_high_lock
	 */
	HMFS_CH_PERCPU_PAGELIST_HIGH_FRACTION,
};

enum hmfs_vm_wmark { HMFS_VM_MIN_FREE_KBYTES, HMFS_VM_WATERMARK_SCALE_FACTOR, HMFS_VM_LOWMEM_RESERVE_RATIO };

struct hmfs_change {
	enum hmfs_change_op op;
	unsigned long id; /* block */
	long long value; /* wide enough for a ratio's unsigned int */
	const int *ratio; /* HMFS_CH_VM_WMARK's lowmem_reserve_ratio: value (the parsed) of them */
	/*
	 * HMFS_CH_VM_WMARK: a write its parser took nothing of (a position
	 * past the start, sysctl_writes_strict): the handler's rest alone
	 */
	bool unparsed;
	struct {
		const char *driver, *id;
		uint64_t size, addr, requested, block_size;
		bool have_addr;
		int node, memmap;
		char *new_id;	/* device_add: where its new device's id goes, if wanted */
		size_t new_id_len;
		int slot; /* pc-dimm "slot": -1 for the lowest free one */
		/*
		 * device_del of a pc-dimm: the _OST source of its eject's result,
		 * 0 for QEMU's device_del (ACPI_NOTIFY_EJECT_REQUEST); the guest's
		 * own eject (acpi.c) says ACPI_OST_EC_OSPM_EJECT
		 */
		int ost_source;
		/*
		 * device_del queued (dev.c vmem_del_queued()): the device object
		 * its request is for (struct hmfs_dev incarnation); 0: @id's now
		 */
		uint64_t incarnation;
		/*
		 * device_del with "wait" (ctl.c): @incarnation is the object it
		 * holds the request of (hmfs_dev_del_take_over()), the one it
		 * removes, never a device added under @id since
		 */
		bool held;
	} dev;
	/* the client's signal (a FUSE interrupt): ends an offline that loops */
	const struct hotmem_task *task;
	/*
	 * the write's wait for change_lock is 6.12's lock_device_hotplug_sysfs()
	 * (state_store(), online_store(), probe_store()): restart_syscall() at
	 * a signal, so that only a fatal one (@task->fatal_signal_pending) ends
	 * it; else any signal of @task's does (-EINTR)
	 */
	bool restarts;
	/*
	 * HMFS_CH_DRIVER_RETRY: the virtio-mem devices whose work is due,
	 * asked once (hmfs_dev_due()) for its record, its @pre and its run
	 */
	struct hmfs_dev **due;
	size_t nr_due;
	/* HMFS_CH_DRIVER_RETRY: the retry timers' (their devices found under change_lock), not a block's */
	bool timer;
	/*
	 * HMFS_CH_DEVICE_RESIZE: a queued qom-set's (dev.c), which waits for
	 * change_lock; HMFS_CH_DEVICE_ADD: the guest's probe of a device QEMU
	 * added already (dev.id, dev.incarnation: dev.c vmem_probe_queued())
	 */
	bool queued;
	const struct hmfs_iattr_change *iattr;
	long *done; /* HMFS_CH_HUGETLB: the pages added or freed (may be NULL) */
};

/*
 * The one mutation path: calls the engine (or dev.c), records the change
 * in the state file, and returns 0 or the -errno the client's reply
 * carries (with @err saying why, where dev.c knows).
 */
int hmfs_change(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err, size_t errlen);
/*
 * notifier-error-inject's memory/actions/<@action: HM_MEM_GOING_*>/error
 * set to @error: the one change both a write of that file (attrs.c) and
 * hotmemctl inject's clear of an armed error (ctl.c) make
 */
struct hmfs_change hmfs_change_notifier_error(int action, int error,
					      const struct hotmem_task *task);
/*
 * /proc/iomem as hotmem_iomem() gives it, but during a change that holds
 * the engine's device_hotplug_lock for long the tree as before it (machine.c)
 */
size_t hmfs_iomem(struct hmfs_ctx *ctx, struct hm_iomem_entry *ents, size_t max);
/* /sys/firmware/memmap as hotmem_firmware_map() gives it, the same way */
size_t hmfs_firmware_map(struct hmfs_ctx *ctx, struct hm_fwmap_entry *ents, size_t max);
/* a block's REMOVE (the engine's callback): the copies stand no more */
void hmfs_maps_snap_stale(struct hmfs_ctx *ctx);
void hmfs_maps_snap_free(struct hmfs_ctx *ctx);
void hmfs_ctx_init(struct hmfs_ctx *ctx);
/* its locks destroyed, in reverse, once nothing can take them */
void hmfs_ctx_destroy(struct hmfs_ctx *ctx);
/* retire page @pfn (@hard: memory_failure()), kept for the state file: 0 or -errno */
/*
 * @count_as (HM_MF_*): a restart's replay of a hard one counts the outcome
 * the file recorded; HM_MF_NONE: what memory_failure() finds
 */
int hmfs_retire(struct hmfs_ctx *ctx, uint64_t pfn, bool hard, int count_as);

/* acpi.c: the DIMM slots' ACPI memory devices */
/* under /sys/devices: QEMU's \_SB.MHPC (a pc machine's fifth PNP0A06), the slots' parent */
#define HMFS_ACPI_MHPC "LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04"
int hmfs_acpi_init(struct hmfs_ctx *ctx);
void hmfs_acpi_free(struct hmfs_ctx *ctx);
/*
 * queue the eject of ACPI slot @slot's DIMM, as acpi_hotplug_schedule():
 * 0 or -ENOMEM.  @source: the notification (HM_ACPI_NOTIFY_EJECT_REQUEST,
 * QEMU's device_del) or the guest's own request (HM_ACPI_OST_EC_OSPM_EJECT,
 * a write of its eject file); @id: the DIMM asked for (NULL: whichever the
 * slot holds), nothing done if another holds the slot by then
 */
int hmfs_acpi_hotplug_schedule(struct hmfs_ctx *ctx, int slot, int source, const char *id);
/* the eject running ends, the queued ones are dropped (at stop, before the engine goes) */
void hmfs_acpi_hotplug_stop(struct hmfs_ctx *ctx);

/*
 * The slot a new DIMM takes: @want, or the lowest free if -1; -EINVAL with
 * QEMU's words in @err if there is none.  Plugging it cannot fail then
 * (both under dev_lock): the DIMM at [start, start + size) into @slot.
 */
int hmfs_acpi_slot_find(struct hmfs_ctx *ctx, int want, char *err, size_t errlen);
void hmfs_acpi_slot_plug(struct hmfs_ctx *ctx, int slot, uint64_t start, uint64_t size);
void hmfs_acpi_slot_attach(struct hmfs_ctx *ctx, int slot);
/* the guest refused the slot's DIMM: no scan handler, its eject file ENODEV */
void hmfs_acpi_slot_detach(struct hmfs_ctx *ctx, int slot);
void hmfs_acpi_slot_unplug(struct hmfs_ctx *ctx, int slot);
void hmfs_acpi_slot_bind(struct hmfs_ctx *ctx, int slot, bool now);
bool hmfs_acpi_slot_bound(struct hmfs_ctx *ctx, int slot, unsigned long gen);
/*
 * The end of an eject that removed slot @slot's DIMM @id (hmfs_dev_del()),
 * once hmfs_change() knows whether it holds: QEMU's DEVICE_DELETED and
 * the guest's _OST of success, or (@undone) the _OST of a failure
 */
void hmfs_acpi_eject_end(struct hmfs_ctx *ctx, const char *id, int slot, int source, bool undone);
/* a DIMM device_add @id made durable: the guest's _OST of its device check, if it is a DIMM */
void hmfs_acpi_insert_end(struct hmfs_ctx *ctx, const char *id);
/* a DIMM's memory is added: the container's KOBJ_ONLINE the guest sends */
void hmfs_acpi_notify_online(struct hmfs_ctx *ctx);
/* container PNP0A06:04's online: 1 changed, 0 already so, -EBUSY a DIMM block is online */
int hmfs_acpi_container_set(struct hmfs_ctx *ctx, bool online);
bool hmfs_acpi_container_online(struct hmfs_ctx *ctx);
bool hmfs_acpi_slot_get(struct hmfs_ctx *ctx, int slot, struct hmfs_acpi_slot *out);
/*
 * The guest's _OST of slot @slot (its DIMM @id; NULL: none any more): kept
 * as the slot's last (query-acpi-ospm-status), sent as ACPI_DEVICE_OST
 */
void hmfs_acpi_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status);
/*
 * The slot of the DIMM block @id belongs to now (a present slot's), or
 * -1; *node_id: its physical_node number.  The one lookup for the tree,
 * the iattrs that go with the block (iattr.c) and the links a removal
 * invalidates.
 */
int hmfs_acpi_block_slot(struct hmfs_ctx *ctx, unsigned long id, unsigned long *node_id);
/*
 * The first slot from @from whose DIMM holds block @id or last held it
 * (a slot keeps its last DIMM's range), or -1: a REMOVE is delivered
 * after the unplug, maybe after another DIMM took the address in
 * another slot, so events.c invalidates each such slot's link.
 */
int hmfs_acpi_block_slot_had(struct hmfs_ctx *ctx, unsigned long id, int from,
			     unsigned long *node_id);
/*
 * A slot's physical_nodeK and its memory block, both ways, the one place
 * that says it (acpi_bind_one() binds a DIMM's blocks in address order):
 * hmfs_acpi_slot_block(), the block link K of slot @s binds, of its
 * DIMM or the last one it had (a slot keeps its range), or -1;
 * hmfs_acpi_link_block() the same of link inode @ino;
 * hmfs_acpi_block_link() block @id's link inode in its present slot,
 * or 0.  The iattrs of the link go with its block (iattr.c).
 */
long hmfs_acpi_slot_block(const struct hmfs_acpi_slot *s, uint64_t k, uint64_t block_size);
long hmfs_acpi_link_block(struct hmfs_ctx *ctx, uint64_t ino);
uint64_t hmfs_acpi_block_link(struct hmfs_ctx *ctx, unsigned long id);

/* json.c: devices and block runs, as status shows them or the state file keeps them */
enum hmfs_view { HMFS_VIEW_STATUS, HMFS_VIEW_STATE };
/* member @key of object @o if it is of type @t; else (absent, another type, @o NULL) NULL */
struct json_object *hmfs_json_get(struct json_object *o, const char *key, json_type t);
/* a new value into an array / as a key: false (and @v put) without memory, never null */
bool hmfs_json_push_new(struct json_object *a, struct json_object *v);
struct json_object *hmfs_json_u64s(const uint64_t *v, size_t n);
bool hmfs_json_add_new(struct json_object *o, const char *key, struct json_object *v);
/* an eject's device snapshot stands for the list (dev_snap_lock held; dev.c) */
bool hmfs_dev_snap_stands(struct hmfs_ctx *ctx);
/* NULL: no memory */
struct json_object *hmfs_devices_json(struct hmfs_ctx *ctx, enum hmfs_view view);
/* status's devices, device @ejecting marked so, for the time of its eject (dev_lock held); NULL: no memory */
struct json_object *hmfs_devices_eject_json(struct hmfs_ctx *ctx, const char *ejecting);
/* query-memory-devices' reply from the device list, dev_lock held (ctl.c) */
struct json_object *hmfs_memory_devices_json(struct hmfs_ctx *ctx);
/* the same at once, also while a DIMM's eject runs (dev.c); NULL: no memory */
struct json_object *hmfs_dev_query_json(struct hmfs_ctx *ctx);
/* an errno's name, hmfs_errno_name() and hmfs_errno_parse(): ctlargs.h (hotmemctl's too) */
/* one device, as hmfs_devices_json() has it (dev_lock held); NULL: no memory */
struct json_object *hmfs_dev_json(const struct hmfs_dev *d, enum hmfs_view view);
/* NULL: no memory */
struct json_object *hmfs_block_runs_json(struct hmfs_ctx *ctx, enum hmfs_view view);
/* the state file's runs of the blocks [from, end), onto array @a; false: no memory, @a short */
bool hmfs_block_runs_json_in(struct hmfs_ctx *ctx, unsigned long from, unsigned long end,
			     struct json_object *a);
/* one block's run as the state file has it (a one-block change's record); NULL: no such block, or no memory */
struct json_object *hmfs_block_run_json(struct hmfs_ctx *ctx, unsigned long id);

/* events.c */
/* @gone_key: a REMOVE's block's key before it went (hmfs_inc_gone()) */
void hmfs_notify_block(struct hmfs_ctx *ctx, unsigned long id, enum hm_uevent_action action,
		       uint64_t gone_key);
/* hmfs_ctx_init(): the notifier's condition variables */
void hmfs_events_init(struct hmfs_ctx *ctx);
void hmfs_events_fini(struct hmfs_ctx *ctx);
int hmfs_events_start(struct hmfs_ctx *ctx);
/*
 * `udevadm settle` for the notifier: once every event queued before the
 * call is delivered (invalidations, uevent, clients), 0; -ETIMEDOUT after
 * @timeout_ms with *@left of them still queued.
 */
int hmfs_events_settle(struct hmfs_ctx *ctx, long timeout_ms, uint64_t *left);
/* the events queued so far: a change's own lie past what it read before it */
uint64_t hmfs_events_queued(struct hmfs_ctx *ctx);
/*
 * A FUSE write's reply (@err, else @count) once the notifier has delivered
 * every event queued since @before (the change's invalidations and
 * uevents); at once when there are none, or when the ring queue that
 * brought request @unique (--io-uring; 0: unknown) has no entry to spare
 * (hmfs_uring_may_hold()).  Never waits: the notifier sends it (events.c
 * says why).
 */
void hmfs_reply_write_after(struct hmfs_ctx *ctx, fuse_req_t req, uint64_t unique, uint64_t before,
			    int err, size_t count);
/*
 * a control command's reply: the same wait, in the control thread, at most
 * @timeout_ms; -ESHUTDOWN: hmfs_events_give_up() ended it, events still out
 */
int hmfs_events_wait_since(struct hmfs_ctx *ctx, uint64_t before, long timeout_ms);
/*
 * The stop gave up on the notifier (stuck in the kernel, main.c): every
 * wait for its deliveries (a control command's, settle's) ends now, and
 * any later one at once, -ESHUTDOWN.
 */
void hmfs_events_give_up(struct hmfs_ctx *ctx);
void hmfs_events_stop(struct hmfs_ctx *ctx);
/*
 * Before the session loop stops reading /dev/fuse: the notifier calls into
 * the kernel no more; returns once its call in flight is over (events.c).
 */
void hmfs_events_kernel_gone(struct hmfs_ctx *ctx);
/* a queued event and what it owns (a synthetic uevent's variables) */
void hmfs_qev_free(struct hmfs_qev *q);
/*
 * a synthetic uevent; @env: NUL-separated KEY=VALUE (SYNTH_UUID=...), @env_len
 * bytes.  -ENOMEM, nothing sent, when kobject_uevent_env()'s one buffer
 * would not hold its variables together (hmfs_uevent_env_fits())
 */
int hmfs_emit_uevent(struct hmfs_ctx *ctx, const char *action, const char *devpath,
		     const char *subsystem, const char *env, size_t env_len);
/*
 * QEMU's ACPI_DEVICE_OST for slot @slot's DIMM @id (NULL: none), to
 * control clients after the uevents queued before it
 */
void hmfs_emit_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status);
/* slot @slot's binding of plug @gen, after the ADDs queued before; false: not queued */
bool hmfs_emit_acpi_bind(struct hmfs_ctx *ctx, int slot, unsigned long gen);
/*
 * nodelink.c: block @id's node links wait for its hot-add's link event
 * (hold: at its ADD, in the engine's callback); the last hold's number,
 * which a link event queued now releases up to; release @id's hold if it
 * is at most @upto (true: it went); drop @id's (its REMOVE); the holds of
 * blocks [first, end) shown now (an undo's, whose links' iattrs come back
 * right after), kept for their link event to release (its listings'
 * fence); whether @id waits (the tree shows it under no node)
 */
void hmfs_nodelink_init(struct hmfs_ctx *ctx);
void hmfs_nodelink_fini(struct hmfs_ctx *ctx);
void hmfs_nodelink_free(struct hmfs_ctx *ctx);

/*
 * splice.c: splice/sendfile readers on kernels whose FUSE splices a
 * direct-io file through the page cache (6.12 to 6.18 fuse_splice_read())
 */
void hmfs_splice_init(struct hmfs_ctx *ctx);
void hmfs_splice_fini(struct hmfs_ctx *ctx);
/* after a READ of @ino answered short: remembered when a page-cache one (@lock_owner 0) */
/*
 * devlock.c: a memory block's device_lock, which 6.12's online_show()
 * waits for while a change offlines or onlines that block.  defer: a
 * READ of block @id's online kept (true: answered later, by
 * hmfs_read_answer() from release, or EINTR at a fatal signal), or false
 * to answer it now.  take/release: around a change's apply (machine.c).
 */
struct hmfs_devlock_read;
void hmfs_devlock_init(struct hmfs_ctx *ctx);
void hmfs_devlock_destroy(struct hmfs_ctx *ctx);
bool hmfs_devlock_defer(struct hmfs_ctx *ctx, unsigned long id, fuse_req_t req, fuse_ino_t ino,
			size_t size, off_t off, const struct fuse_file_info *fi, uint64_t unique);
void hmfs_devlock_take(struct hmfs_ctx *ctx, const struct hmfs_change *ch, bool long_hold);
void hmfs_devlock_release(struct hmfs_ctx *ctx);
/* fs.c: a READ answered as hmfs_read() does; the writer's fatal_signal_pending() */
/*
 * kpage.c: a read of proc/kpageflags or kpagecount (@a), @size bytes at
 * @off, into *@out (malloc()ed, the caller frees it): the bytes read, 0
 * at the end, -EINVAL for an offset or a size not a multiple of 8
 */
ssize_t hmfs_kpage_read(struct hmfs_ctx *ctx, enum hmfs_attr a, size_t size, off_t off,
			uint64_t **out);
void hmfs_read_answer(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi);
bool hmfs_req_fatal_signal(void *req);
void hmfs_splice_read_seen(struct hmfs_ctx *ctx, uint64_t ino, uint64_t lock_owner);
/* an OPEN of @ino puts its i_size back, or a procfs file's at its text's length: it must go to a worker (fs.c may_wait()) */
bool hmfs_splice_open_pending(struct hmfs_ctx *ctx, uint64_t ino);
/* in that OPEN, on a worker, before its reply: i_size back to @n's st_size (a procfs file's: its text's length) */
void hmfs_splice_open_restore(struct hmfs_ctx *ctx, uint64_t ino, const struct hmfs_node *n);
/* @ino's record dropped (the kernel forgot the inode): true when there was one */
bool hmfs_splice_forget(struct hmfs_ctx *ctx, uint64_t ino);
void hmfs_nodelink_hold(struct hmfs_ctx *ctx, unsigned long id);
uint64_t hmfs_nodelink_seq(struct hmfs_ctx *ctx);
bool hmfs_nodelink_release(struct hmfs_ctx *ctx, unsigned long id, uint64_t upto);
void hmfs_nodelink_drop(struct hmfs_ctx *ctx, unsigned long id);
void hmfs_nodelink_now(struct hmfs_ctx *ctx, unsigned long first, unsigned long end);
bool hmfs_nodelink_waits(struct hmfs_ctx *ctx, unsigned long id);
/* QEMU's DEVICE_DELETED for device @id, gone: after its removal's uevents and OST */
void hmfs_emit_device_deleted(struct hmfs_ctx *ctx, const char *id);
/* a virtio-mem-pci's: its backend's DEVICE_DELETED (no "device"), then the proxy @id's */
void hmfs_emit_virtio_device_deleted(struct hmfs_ctx *ctx, const char *id);
/* QEMU's MEMORY_DEVICE_SIZE_CHANGE: the guest changed virtio-mem @id's plugged size to @size */
void hmfs_emit_size_change(struct hmfs_ctx *ctx, const char *id, uint64_t size);
void hmfs_poll_seen(struct hmfs_ctx *ctx, struct hmfs_open *of);
/* the poll events table, when no thread can bump it any more */
void hmfs_evtab_free(struct hmfs_ctx *ctx);
/* fs.c: @pid's /proc/PID/@name, NUL-terminated, into @buf: its length, -1 if none */
ssize_t hmfs_proc_read(long pid, const char *name, char *buf, size_t len);
/* @pid's comm (current->comm) into @buf, "" when it cannot be read (0: not in our pid namespace) */
void hmfs_pid_comm(long pid, char *buf, size_t len);
/* CLOCK_MONOTONIC now + @ms */
void hmfs_deadline_after(struct timespec *ts, long ms);
/* CLOCK_MONOTONIC has reached @ts (one hmfs_deadline_after() made) */
bool hmfs_deadline_passed(const struct timespec *ts);
/* @a is earlier than @b (two deadlines: the sooner of several) */
bool hmfs_timespec_before(const struct timespec *a, const struct timespec *b);
int hmfs_evtab_get_locked(struct hmfs_ctx *ctx, uint64_t ino);
void hmfs_poll_bump(struct hmfs_ctx *ctx, uint64_t ino);
/* the block @n (an open file's) went since its key @key was read (kernfs: ENODEV) */
bool hmfs_block_went(struct hmfs_ctx *ctx, const struct hmfs_node *n, uint64_t key);
/* the number @n's poll events are kept under: a block's by its id, whatever its key */
uint64_t hmfs_event_ino(const struct hmfs_node *n);

/* tree.c: sys/firmware/memmap/N, at most this many entries shown */
#define HMFS_FWMAP_MAX 512
bool hmfs_fwmap_entry(struct hmfs_ctx *ctx, unsigned long index, struct hm_fwmap_entry *out);
/* the number of the firmware map entry of that range and type, or -1 */
long hmfs_fwmap_find(struct hmfs_ctx *ctx, uint64_t start, uint64_t end, const char *type);

/* dev.c */
/* QEMU refuses a command: its words, printf-style, in @err; -EINVAL */
__attribute__((format(printf, 3, 4))) int hmfs_qemu_error(char *err, size_t len, const char *fmt,
							   ...);
/* "node 9 does not exist (possible: 0)" into @buf: the possible nodes as a node list prints them */
void hmfs_node_missing(struct hmfs_ctx *ctx, int node, char *buf, size_t len);
/*
 * device_add's property @prop for @driver: 0 if the device model has it
 * (or @driver is no model: device_add says so), else -EINVAL with QEMU's
 * "Property 'MODEL.PROP' not found".
 */
int hmfs_dev_check_prop(const char *driver, const char *prop, char *err, size_t errlen);
/* whether hotmem models the device @driver (device_add's "driver", or its alias) */
bool hmfs_dev_model_known(const char *driver);
/* the devices the profile made at boot, listed as device_add's (after hotmem_create()) */
int hmfs_dev_boot(struct hmfs_ctx *ctx, char *err, size_t errlen);
/*
 * The profile's device lines (hotplug, virtio_mem), each with whether a
 * device is at its address now: the state file's "profile-devices";
 * NULL: no memory
 */
struct json_object *hmfs_dev_profile_json(struct hmfs_ctx *ctx);
/*
 * Restoring: a device the profile booted again that @removed says was
 * gone when the file was saved (nothing at its address) goes again.
 * 0 or -errno, @err saying which.
 */
int hmfs_dev_drop_profile(struct hmfs_ctx *ctx, bool (*removed)(uint64_t addr, void *arg),
			  void *arg, char *err, size_t errlen);
/*
 * QEMU's device_add and the guest's probe: the device is there with its
 * requested-size, nothing plugged yet (hmfs_dev_run_driver() plugs); the
 * new device's id (QEMU's, or the one it was given) goes to @new_id.  A
 * pc-dimm the guest refuses stays, its refusal said in @err (and the
 * device's refused_why).  @refused: NULL for a device_add; a restore's
 * (the state file's, an undo's), whose DIMM comes back refused, its
 * memory not tried again, if ->err, else with its memory or not at all;
 * such a device was acknowledged: QEMU's total is not checked again.
 * A virtio-mem device's probe takes the index (virtioN) it had again.
 */
struct hmfs_dev_refusal {
	int err;		/* add_memory()'s -errno; 0: the DIMM had its memory */
	const char *why;	/* what device_add said */
	int vmem_index;		/* virtio-mem: its virtioN; -1: the lowest free (a file from before) */
};
int hmfs_dev_add(struct hmfs_ctx *ctx, const char *driver, const char *id, uint64_t size, int node,
		 uint64_t addr, bool have_addr, uint64_t requested, uint64_t block_size, int memmap,
		 int slot, const struct hmfs_dev_refusal *refused, char *new_id,
		 size_t new_id_len, char *err, size_t errlen);
/* after hmfs_dev_add(): the guest's driver works toward the device's requested-size */
void hmfs_dev_run_driver(struct hmfs_ctx *ctx, const char *id);
int hmfs_dev_dimm_in_slot(struct hmfs_ctx *ctx, int slot, char *id, size_t len);
int hmfs_dev_dimm_slot(struct hmfs_ctx *ctx, const char *id);
/*
 * device @id's DIMM slot, -1 for a virtio-mem device, -ENODEV for none,
 * never waiting for a DIMM's eject (as hmfs_dev_query_json())
 */
int hmfs_dev_slot_nowait(struct hmfs_ctx *ctx, const char *id);
/* hmfs_dev_dimm_in_slot() that never waits for a DIMM's eject */
int hmfs_dev_dimm_in_slot_nowait(struct hmfs_ctx *ctx, int slot, char *id, size_t len);
/* device @id's driver as QEMU names it (pc-dimm, virtio-mem-pci), NULL: no device @id */
const char *hmfs_dev_driver(struct hmfs_ctx *ctx, const char *id);
/* the same of a device of type @type (json.c, dev_lock held) */
const char *hmfs_dev_type_driver(enum hmfs_dev_type type);
/* a virtio-mem device_del QEMU's check refuses, said without waiting: -EBUSY, or 0 */
int hmfs_dev_del_refused(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/*
 * device_del: a pc-dimm's the guest's ACPI eject, its _OST sent as source
 * @ost_source (0: none, an undo's or a restore's own removal); when it
 * removed the DIMM, *@ost_slot is its slot, whose result's _OST waits
 * for hmfs_acpi_eject_end() (-1 otherwise).  @incarnation: a queued
 * request's device object (0: whichever @id names now), or with @held
 * the object a device_del with "wait" holds; another object, -ENODEV; a
 * queued request taken over, -EALREADY.
 */
int hmfs_dev_del(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation, bool held,
		 const struct hotmem_task *task, int ost_source, int *ost_slot, char *err,
		 size_t errlen);
/*
 * QMP device_del of a virtio-mem device (QEMU's, no "wait"): QEMU's check
 * (hmfs_dev_del_refused()), then, behind a change that waits for the
 * guest, the removal queued for dev.c's timers' thread: 0 (answer {}),
 * -EBUSY with @err (refused), -EAGAIN (not a virtio-mem device, or no
 * guest's offline in the way: run the device_del as a change now)
 */
int hmfs_dev_del_request(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/*
 * device_del of a virtio-mem device the guest never probed: QEMU's check,
 * then gone at once, DEVICE_DELETED (its removal journaled first): 0;
 * -EAGAIN: not such a device (the caller's way); else the refusal
 */
int hmfs_dev_del_unprobed(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/*
 * QEMU's device_add behind a guest's offline that holds change_lock:
 * QEMU's checks and placement alone, the device listed and the guest's
 * probe (a DIMM's ACPI add) queued (0: *@ch's new_id set), or QEMU's
 * refusal; -EAGAIN: not queued, the caller runs the change as before
 */
int hmfs_dev_add_request(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err,
			 size_t errlen);
/* machine.c undo(): a queued probe's change undone, the device QEMU's alone again */
int hmfs_dev_unprobe(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/* a state file's device QEMU alone had, its probe @probe ("queued", "refused", "stopped") */
int hmfs_dev_restore_qemu(struct hmfs_ctx *ctx, const struct hmfs_change *ch, const char *probe,
			  char *err, size_t errlen);
/* QEMU's device the guest has not taken: no virtio-mem driver, a DIMM's add queued or stopped */
bool hmfs_dev_unprobed(const struct hmfs_dev *d);
/* the device objects made so far (no lock): where a request comes among the adds */
uint64_t hmfs_dev_made(struct hmfs_ctx *ctx);
/*
 * the ACPI eject's order: the DIMM adds queued when DIMM @id's eject was
 * requested (@made: hmfs_dev_made() then) run first (kacpi_hotplug_wq is ordered)
 */
void hmfs_dev_probe_first(struct hmfs_ctx *ctx, const char *id, uint64_t made);
/* the queued probe of device object @incarnation of @id (a change's apply()): its id in @added */
int hmfs_dev_probe_queued(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation,
			  char *added, size_t addedlen, char *err, size_t errlen);
/*
 * hotmemctl device_del (wait) of virtio-mem device @id holds its request
 * (a queued one taken over) until hmfs_dev_del_wait_end(@id, the number
 * returned: its incarnation, 0 when @id is no virtio-mem device)
 */
uint64_t hmfs_dev_del_take_over(struct hmfs_ctx *ctx, const char *id);
void hmfs_dev_del_wait_end(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation);
int hmfs_dev_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			   size_t errlen);
/*
 * qom-set requested-size behind a change that waits for the guest: the
 * host's value set now, the guest driver's run queued (dev.c's timers'
 * thread runs it as the change it is once change_lock is free): 0, or
 * -errno with @err (a bad value, no such device; -EAGAIN: no thread to
 * queue to, wait instead)
 */
int hmfs_dev_queue_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			     size_t errlen);
/* the queued change's apply(): the value queued last, if any is left (0: none, nothing done) */
int hmfs_dev_set_queued(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/* a state file's "queued-requested-size" of device @id: queued again (state.c) */
void hmfs_dev_restore_queued(struct hmfs_ctx *ctx, const char *id, uint64_t req);
/* what the change an undo takes back did to a virtio-mem device's queue */
enum hmfs_queue_undone {
	HMFS_QUEUE_LEFT,    /* nothing: the drivers' retry */
	HMFS_QUEUE_TOOK,    /* took it: the queued qom-set's change (VMEM_TAKE) */
	HMFS_QUEUE_DROPPED, /* dropped it: a qom-set made at once (VMEM_SET) */
};
/*
 * QEMU's requested-size of a virtio-mem device across an undo that
 * rebuilds it (machine.c device_back()): @requested the host's value
 * when @queued, @gen its queue's count, taken not before @retry_at with
 * @retry; @from: what the undone change did to it (HMFS_QUEUE_LEFT: the
 * queue as it is now)
 */
struct hmfs_dev_queue {
	bool queued, retry;
	enum hmfs_queue_undone from;
	uint64_t requested, gen;
	struct timespec retry_at;
};
/* device @id's queue as the undo of a change that did @how to it puts it back */
void hmfs_dev_queue_keep(struct hmfs_ctx *ctx, const char *id, enum hmfs_queue_undone how,
			 struct hmfs_dev_queue *q);
/* @q queued again on the rebuilt device @id */
void hmfs_dev_queue_back(struct hmfs_ctx *ctx, const char *id, const struct hmfs_dev_queue *q);
/*
 * @ch (a resize, the retry timers' run) will have a virtio-mem driver
 * unplug, taking online memory's pages for as long as they take (machine.c
 * holds_hotplug_long()); under change_lock
 */
bool hmfs_dev_may_unplug(struct hmfs_ctx *ctx, const struct hmfs_change *ch);
/* the host's requested-size of @d (dev_lock held): a queued qom-set's, else the device's */
uint64_t hmfs_dev_host_requested(const struct hmfs_dev *d);
/* a virtio-mem device's plugged and requested size: -ENOENT if @id is none */
int hmfs_dev_sizes(struct hmfs_ctx *ctx, const char *id, uint64_t *plugged, uint64_t *requested);
/* an undo's removal: a virtio-mem device's memory is asked back first */
int hmfs_dev_unplug_and_del(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
void hmfs_dev_free_all(struct hmfs_ctx *ctx);
/*
 * The virtio-mem devices whose driver has work due after a block came
 * online or went offline (@retry: HMFS_CH_DRIVER_RETRY): one short of its
 * requested-size, or whose notifier queued work, into @retry->due (free
 * with hmfs_dev_due_free()): how many, or -ENOMEM.  Under change_lock,
 * which keeps the list as it is until the work has run.
 */
int hmfs_dev_due(struct hmfs_ctx *ctx, struct hmfs_change *retry);
void hmfs_dev_due_free(struct hmfs_change *retry);
/* the work of @retry->due's devices: true if one plugged, unplugged or removed something */
bool hmfs_dev_retry(struct hmfs_ctx *ctx, const struct hmfs_change *retry);
/*
 * The virtio-mem drivers' retry timers (6.12's retry_timer): fire
 * device @id's (NULL: every armed one) now, as if its time had come:
 * 1 if one was armed and its run done, 0 if none was armed, -ENOENT no
 * such virtio-mem device, or the run's change's -errno (@err says why).
 */
int hmfs_dev_timer_fire(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen);
/* QEMU's name of virtio-mem answer HM_VIRTIO_MEM_RESP_* @resp ("BUSY"), NULL past them */
const char *hmfs_vmem_resp_name(int resp);
/*
 * Fault injection: virtio-mem device @id answers its driver's next @count
 * plug (@plug) or unplug requests with @resp (HM_VIRTIO_MEM_RESP_*);
 * -ENOENT/-EINVAL with @err.  Not journaled: a restart forgets it.
 */
int hmfs_dev_vmem_inject(struct hmfs_ctx *ctx, const char *id, bool plug, int resp,
			 unsigned int count, char *err, size_t errlen);
/*
 * whether @d's retry timer is to be armed after a restart, for the state
 * file's retry-armed (dev_lock held or the device list otherwise stable)
 */
bool hmfs_dev_timer_saved(const struct hmfs_dev *d);
/*
 * a device restored: its timer armed if the saved one was (@armed 1: the
 * state file's retry-armed), or (@armed -1: a file from before it was
 * saved) if the device is short of its requested-size; the probe's sizes
 * said if its blocks put back did not say them
 */
void hmfs_dev_timer_restored(struct hmfs_ctx *ctx, const char *id, int armed);
/*
 * the end of a state file's restore: device @id's driver probed again,
 * its work queued at once if a running kernel's would have it
 * (@blocks_saved: the file's device has its "plugged-blocks")
 */
void hmfs_dev_restore_work(struct hmfs_ctx *ctx, const char *id, bool blocks_saved);
/* the timers' thread started, once, with the notifier's: 0 or -errno (said) */
int hmfs_dev_timer_start(struct hmfs_ctx *ctx);
/* the timers' thread ended (a stop): no retry after the final save */
void hmfs_dev_timer_stop(struct hmfs_ctx *ctx);
void hmfs_dev_move(struct hmfs_ctx *ctx, const char *id, size_t pos);
/* state restore of a virtio-mem device: exactly what was plugged */
int hmfs_dev_restore_plugged(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			     char *err, size_t errlen);
/* device blocks [first, first + count) unplugged exactly (an undo of the driver's plugging) */
int hmfs_dev_unplug_exact(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			  char *err, size_t errlen);
void hmfs_dev_forget_work(struct hmfs_ctx *ctx);
unsigned int hmfs_dev_anon_count(struct hmfs_ctx *ctx);
/* the next anonymous device's key, /machine/peripheral-anon/device[N], into @id (N taken) */
void hmfs_dev_anon_id(struct hmfs_ctx *ctx, char *id, size_t len);
/*
 * A refused anonymous device_add's number (hmfs_dev_anon_id()) saved (a
 * lock-free "param" record of "anon-count", durable on return), so that
 * it stays taken across a restart (machine.c)
 */
void hmfs_dev_anon_keep(struct hmfs_ctx *ctx);
uint64_t hmfs_dev_base_memory(struct hmfs_ctx *ctx);
/*
 * What a QOM path names in the part of QEMU's tree hotmemfs has (dev.c
 * hmfs_dev_qom_resolve()): a device (its key), its virtio-backend child,
 * a container, nothing, or two things (a partial path)
 */
enum hmfs_qom {
	HMFS_QOM_NONE,
	HMFS_QOM_AMBIGUOUS,
	HMFS_QOM_ROOT,
	HMFS_QOM_MACHINE,
	HMFS_QOM_PERIPHERAL,
	HMFS_QOM_PERIPHERAL_ANON,
	HMFS_QOM_DEVICE,
	HMFS_QOM_BACKEND,
};
enum hmfs_qom hmfs_dev_qom_resolve(struct hmfs_ctx *ctx, const char *path, bool at_peripheral,
				   char *key, size_t len);
void hmfs_dev_anon_raise(struct hmfs_ctx *ctx, unsigned int n);
/* a saved machine's blocks [first, end) missing in virtio-mem regions: added as leftovers */
void hmfs_dev_restore_leftovers(struct hmfs_ctx *ctx, uint64_t first, uint64_t end);

/* ctl.c: the control commands, pure: one command in, one reply out */
struct hmfs_ctl_follow { /* the request asked for hotmem's own events (`events`) */
	bool events, trace;
};
/*
 * Command @name with arguments @args (NULL: none), its envelope checked
 * (hmfs_qmp_dispatch() runs it); @client's hang-up is an offline's
 * signal (NULL: none)
 */
struct json_object *hmfs_ctl_execute(struct hmfs_ctx *ctx, const char *name,
				     struct json_object *args, struct hmfs_ctl_follow *follow,
				     const struct hotmem_task *client);
struct json_object *hmfs_ctl_error(const char *cls, const char *desc);
/* the same, its desc printf's (up to 511 bytes) */
__attribute__((format(printf, 2, 3))) struct json_object *hmfs_ctl_errorf(const char *cls,
									  const char *fmt, ...);

/* ctlsock.c: the control socket */
int hmfs_ctl_start(struct hmfs_ctx *ctx);
void hmfs_ctl_stop(struct hmfs_ctx *ctx);
/*
 * The control socket's file, once hmfs_ctl_start() bound it, unlinked if
 * its path still names it; async-signal-safe (a stop's exit_now() paths)
 */
void hmfs_ctl_unlink(const struct hmfs_ctx *ctx);
/*
 * Until no connection runs a command or sends its reply, @ms at most:
 * false if one still does (a stop that gives up, main.c, lets the
 * replies hmfs_events_give_up() released go out first)
 */
bool hmfs_ctl_replies_wait(struct hmfs_ctx *ctx, long ms);
void hmfs_ctl_broadcast(struct hmfs_ctx *ctx, const struct hmfs_qev *ev);
/*
 * A connection's requests, framed without the socket (fuzz_ctl drives it
 * too).  The largest request a client may send: the biggest real one (a
 * raw device_add) is a few hundred bytes.  Without it one unterminated
 * request grew hotmemfs by its whole size (#16.11).
 */
#define HMFS_CTL_REQ_MAX (64 * 1024)
/* qmpread.c: QEMU 9.2's JSON lexer, streamer and parser, a byte at a time */
struct hmfs_ctl_tok;
struct hmfs_ctl_reader {
	unsigned char state; /* the lexer's */
	int brace, bracket; /* the request's open { and [ so far (QEMU's counts: may go below 0) */
	char *text; /* its tokens' text, each NUL-terminated, then the token being read */
	size_t text_len, text_cap, tok_at; /* ... tok_at: where that token begins */
	struct hmfs_ctl_tok *toks; /* its tokens */
	size_t ntoks, toks_cap;
	size_t pending; /* bytes of the request being read, from its first token's */
	int out; /* what the last token ended: nothing, a request, a refusal */
	struct json_object *req; /* ... the request */
	char *bad; /* HMFS_CTL_BAD_JSON: QEMU's error text for it ("JSON parse error, ...") */
	bool nomem; /* its text found no memory: the client is dropped */
};
enum hmfs_ctl_read {
	HMFS_CTL_MORE, /* all of buf taken: receive more */
	HMFS_CTL_REQUEST, /* *req is the next request: run it, read on */
	HMFS_CTL_TOO_LARGE, /* beyond HMFS_CTL_REQ_MAX: drop the client */
	HMFS_CTL_BAD_JSON, /* refused as QEMU does (r->bad): say so, read on */
};
int hmfs_ctl_reader_init(struct hmfs_ctl_reader *r);
void hmfs_ctl_reader_free(struct hmfs_ctl_reader *r);
/* The next request from buf[*off, len), *off advanced past what was read. */
enum hmfs_ctl_read hmfs_ctl_read(struct hmfs_ctl_reader *r, const char *buf, size_t len,
				 size_t *off, struct json_object **req);
/* qmp.c: QMP's greeting, capabilities negotiation and request envelope (QEMU 9.2's) */
struct hmfs_qmp { /* a connection's session */
	bool command_mode; /* qmp_capabilities done: commands run, events come */
};
/* {"QMP": {"version": ..., "capabilities": []}}, sent on connect */
struct json_object *hmfs_qmp_greeting(void);
struct json_object *hmfs_qmp_version(void);
/*
 * @req (any JSON) as QEMU's monitor runs it in session @s: the reply, "id"
 * echoed.  The socket's one way in, the tests' and the fuzzer's too (a
 * session { .command_mode = true } is one after qmp_capabilities).
 */
struct json_object *hmfs_qmp_dispatch(struct hmfs_ctx *ctx, struct hmfs_qmp *s,
				      struct json_object *req, struct hmfs_ctl_follow *follow,
				      const struct hotmem_task *client);
/* status's "control": clients, followers, events they lost */
struct json_object *hmfs_ctl_clients_json(struct hmfs_ctx *ctx);
/* QEMU's ACPI_DEVICE_OST event: the guest's _OST answer to an eject (@id NULL: the slot is empty) */
void hmfs_ctl_broadcast_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status,
			    const struct timespec *ts);
/* QEMU's MEMORY_DEVICE_SIZE_CHANGE event: virtio-mem @id's plugged size is @size */
void hmfs_ctl_broadcast_size_change(struct hmfs_ctx *ctx, const char *id, uint64_t size,
				    const struct timespec *ts);
/* QEMU's DEVICE_DELETED event: device @id (@child NULL) or its QOM child @child is gone */
void hmfs_ctl_broadcast_device_deleted(struct hmfs_ctx *ctx, const char *id, const char *child,
				       const struct timespec *ts);

/* state.c */
/*
 * Before anything reads the state file: lock PATH.lock (refused, with the
 * holder's pid, while another hotmemfs has it), open its directory, clear
 * our own temporary file left by a crash (refused if it is not ours).
 */
int hmfs_state_open(struct hmfs_ctx *ctx, const char *path, char *err, size_t errlen);
/* state file @path's name fits its journal's names: else -ENAMETOOLONG, @err says the limit */
int hmfs_state_name_check(const char *path, char *err, size_t errlen);
/*
 * @path@suffix as hotmemfs names it: a name over NAME_MAX shortened
 * (NAME's first bytes, '~', its CRC-32, @suffix), for the advice
 */
void hmfs_state_sibling_path(const char *path, const char *suffix, char *buf, size_t len);
/*
 * The state file's threads stopped, before the devices and the engine go:
 * the syncer (--state-sync background: the records still due synced) and
 * the compactor (a compaction under way ended: its snapshot reads them)
 */
void hmfs_state_stop_threads(struct hmfs_ctx *ctx);
void hmfs_state_close(struct hmfs_ctx *ctx);
/*
 * --fresh: the state file and its journal set aside (we hold the lock),
 * a new empty journal opened: PATH.fresh-aside and
 * PATH.journal.fresh-aside until a whole save of the new machine
 * (state.c drop_aside()) or a failure before the first
 * (hmfs_state_put_back()); a start killed meanwhile leaves them to the
 * next one's hmfs_state_open().  No state file: the journal emptied.
 * -EINVAL, nothing moved, when its path is not a regular file; another
 * error, nothing moved, @err says it.
 */
int hmfs_state_set_aside(struct hmfs_ctx *ctx, char *err, size_t errlen);
/* the start failed before its first save: the old state put back, under the lock */
void hmfs_state_put_back(struct hmfs_ctx *ctx);
/*
 * A start failing before its first save: the lock file and journal its
 * hmfs_state_open() made removed, an orphaned journal it kept aside put
 * back, while the lock is still held (no other hotmemfs has them open;
 * nothing in a journal it made was acknowledged).  Call before
 * hmfs_state_close().
 */
void hmfs_state_unmake(struct hmfs_ctx *ctx);
/* what an lstat()'s @mode is, for a message: "a FIFO", "a character device", ... */
const char *hmfs_file_type(mode_t mode);
/* save now (the control socket's `save`, startup); takes change_lock */
int hmfs_state_save(struct hmfs_ctx *ctx);
/* a clean exit's final save failed (not frozen): what a restart finds instead, said */
void hmfs_state_say_exit_unsaved(struct hmfs_ctx *ctx);
/*
 * After a failed save, under change_lock: frozen (no more changes, EROFS;
 * @fmt's text then @then, what to do, after "hotmemfs takes no more
 * changes: " in the log and hotmemctl's errors), or the machine first
 * written whole into the state file, then frozen only when that fails
 * ("@fmt's text (its errno)@then")
 */
void hmfs_state_freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int hmfs_state_write_or_freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* frozen: why, whole (the log, the exit's line) */
const char *hmfs_state_frozen_why(const struct hmfs_ctx *ctx);
/* frozen: why in @buf (a reply's error): whole, or its reason cut before what to do */
void hmfs_state_frozen_say(const struct hmfs_ctx *ctx, char *buf, size_t len);
/*
 * A change's save, around the change (hmfs_change()): under change_lock,
 * prepare before anything changes keeps what an undo needs (@pre), and
 * append writes what changed as one journal record (PATH.journal); then,
 * without change_lock, sync waits until the record is durable.  Syncs
 * are grouped: the records of every change that arrives while one
 * fdatasync() runs are made durable by the next single one (group
 * commit).  When an fdatasync fails, every change not yet durable is
 * undone, newest first (@undo, under change_lock), and sync returns the
 * error.  A memoryN/state or online write changes one block only (a
 * virtio-mem device's too: its driver's work after it is a change of its
 * own): its record and @pre are that block's run, O(1) however large the
 * machine; a virtio-mem driver's retry after an online, the devices and
 * the memory blocks of the devices it may change, O(device).
 */
struct hmfs_save {
	bool active; /* false: no state file (or restoring): nothing to do */
	bool one_block; /* the change touches @block's state and zone only */
	unsigned long block;
	/* a change of node @iattr_ino's kept values only (HMFS_CH_IATTR): @pre's "iattr" is its entry */
	bool one_iattr;
	uint64_t iattr_ino;
	/*
	 * a change within virtio-mem devices (a driver's retry): their
	 * memory blocks ([first, count] ranges); @pre's "blocks" are theirs
	 * only
	 */
	struct json_object *ranges;
	/* the machine's keys the change may touch (state.c change_keys[]) */
	unsigned int keys;
	/*
	 * the machine before the change ("params", "blocks"; one_block: that
	 * block's run), the change's own: never a reference to ctx->saved,
	 * whose values json-c counts without atomics (state.c saved_pre())
	 */
	struct json_object *pre;
	/*
	 * one_block: "params" before the change as values, the nodes'
	 * marks, reserves, pagesets and totalreserve included, which @pre
	 * leaves null until an undo needs them (state.c
	 * hmfs_state_pre_whole()); NULL: no memory
	 */
	struct hmfs_pre_nodes *pre_nodes;
	/* the engine's exact watermarks and reserves before the change (NULL: no memory) */
	struct hm_wmark_state *wmark;
	/* x86's max_pfn before the change: an undone add takes its raise back (machine.c undo()) */
	unsigned long max_pfn;
	/* ctx->qemu_gen when prepared: QEMU-side records since (state.c devices_same()) */
	uint64_t qemu_gen;
	bool maybe_kept; /* append failed, and the journal or the state file may still hold it */
	/*
	 * the kernel's allocations' log when prepared (its position and
	 * generator: an undo rewinds them there) and where its record's
	 * entries began (state.c kmem_rewind())
	 */
	bool kmem_marked;
	unsigned long kmem_mark, kmem_from;
	uint64_t kmem_rng;
	/* put the machine back as @pre after a failed sync (change_lock held); NULL: never */
	int (*undo)(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret);
	/* under journal_lock: its record, waiting to be durable */
	uint64_t seq, sync_to;
	struct hmfs_save *next;
	bool pending, done;
	int ret;
};
void hmfs_state_prepare(struct hmfs_ctx *ctx, const struct hmfs_change *ch, struct hmfs_save *sv);
/* may a change of kind @op touch the state file's machine key @key (what its undo puts back)? */
bool hmfs_change_touches(enum hmfs_change_op op, const char *key);
int hmfs_state_append(struct hmfs_ctx *ctx, struct hmfs_save *sv);
/* the kernel's allocations moved without a record (a refused change's tick): their own */
int hmfs_state_append_kmem(struct hmfs_ctx *ctx, struct hmfs_save *sv);
/*
 * without change_lock (dev_lock held): QEMU's side of a virtio-mem
 * device, "qemu-device" (@val: the device as the state file has it),
 * "qemu-device-del" ({"id"}) or "qemu-requested" ({"id","requested-size"}:
 * a qom-set queued), journaled under journal_lock alone; made
 * durable by hmfs_state_sync() (without dev_lock); -EAGAIN: no journal
 * to append to now (the change's way then)
 */
int hmfs_state_append_qemu(struct hmfs_ctx *ctx, struct hmfs_save *sv, const char *key,
			   struct json_object *val);
/*
 * without dev_lock or change_lock: @sv's hmfs_state_append_qemu() failed
 * with @ret (or was never tried): a record its failed write may have left
 * superseded before the refusal (machine.c); @ret back
 */
int hmfs_kept_record_settle(struct hmfs_ctx *ctx, struct hmfs_save *sv, int ret, char *err,
			    size_t errlen);
/*
 * A lock-free parameter's change (state.c lock_free_params[]: its op and
 * id), set and journaled as a "param" record under journal_lock alone;
 * rollback()'s undo sets @old back
 */
/*
 * A lock-free parameter's value: v (a count, an errno, a type), or
 * vm.lowmem_reserve_ratio's ratios -- the first n of them, a write's
 * parsed ones set over the others (HM_MAX_NR_ZONES: all)
 */
struct hmfs_param_value {
	long long v;
	int n;
	int ratio[HM_MAX_NR_ZONES];
};
struct hmfs_param_save {
	struct hmfs_save sv; /* first: its undo gets it */
	const struct hmfs_lock_free_param *param;
	struct hmfs_param_value old;
	/* the ratios' write: the engine's reserves before it, for rollback()'s exact undo */
	struct hm_wmark_state *wmark;
};
/* what hmfs_state_set_param() kept for @ps's undo let go, once its sync is settled */
void hmfs_state_param_done(struct hmfs_param_save *ps);
/* @ch sets a parameter the engine keeps lock-free (nr_overcommit_hugepages, an injected error) */
bool hmfs_state_lock_free(const struct hmfs_change *ch);
/*
 * without change_lock: @ch's value set and its "param" record journaled
 * (no state file, or restoring: set alone); hmfs_state_sync() makes it
 * durable; -EAGAIN: no journal to append to (the change's way then);
 * -EROFS: frozen; else the journal's error, the value as it was
 */
int hmfs_state_set_param(struct hmfs_ctx *ctx, struct hmfs_param_save *ps,
			 const struct hmfs_change *ch);
/* an undo's "params" (machine.c undo()): the lock-free ones only when @ch set one */
void hmfs_state_undo_params(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
			    struct json_object *params);
/* the watermark sysctls as before @sv's change, exactly for a watermark sysctl's write */
void hmfs_state_undo_wmark(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
			   const struct hmfs_save *sv);
/* what a restore did with the kernel's own allocations: the restore line's words */
enum { HMFS_KMEM_ANEW, HMFS_KMEM_BACK, HMFS_KMEM_FAILED };
const char *hmfs_state_kmem_said(const struct hmfs_ctx *ctx, char *buf, size_t len);
/* without change_lock: wait until sv's record (and all before it) is durable */
int hmfs_state_sync(struct hmfs_ctx *ctx, struct hmfs_save *sv);
/* drop what prepare kept */
void hmfs_state_done(struct hmfs_save *sv);
/*
 * change_lock held: an undo's operations are over (machine.c unsaved(),
 * right after undo()): the kernel allocates again, and the pages the
 * kmem rewind owed are taken (state.c kmem_rewind_end()); before its
 * machine is compared or written
 */
void hmfs_state_undo_end(struct hmfs_ctx *ctx);
/* @pre as the machine has it now (did an undo bring it back?); changes nothing */
bool hmfs_state_pre_matches(struct hmfs_ctx *ctx, const struct hmfs_save *sv);
/* a one-block change's @pre "params" whole, before an undo reads it (under change_lock) */
void hmfs_state_pre_whole(struct hmfs_ctx *ctx, const struct hmfs_save *sv);
/* the "machine" object of the state file, as the machine is now */
struct json_object *hmfs_state_machine(struct hmfs_ctx *ctx);
/* undo: bring back a device / block states / parameters from a machine object */
/* [*first, *end) of the [first, count] array @i of @ranges: false if malformed */
bool hmfs_json_range(struct json_object *ranges, size_t i, uint64_t *first, uint64_t *end);
/* the block ranges ([first, count]) of the devices @devs (the state file's) */
struct json_object *hmfs_state_dev_ranges(struct hmfs_ctx *ctx, struct json_object *devs);
/* hmfs_dev_restore_plugged(), hmfs_dev_unplug_exact(): on device blocks [first, first + count) */
typedef int hmfs_plug_fn(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			 char *err, size_t errlen);
/* @fn on device @id's blocks, the pieces below @stop; @at: where the piece @fn refused began */
struct hmfs_plug_walk {
	struct hmfs_ctx *ctx;
	const char *id;
	hmfs_plug_fn *fn;
	uint64_t stop, at;
	char *err;
	size_t errlen;
};
/*
 * The device blocks in @a's [first, count] runs and not in @b's (both
 * sorted and disjoint, as a device's "plugged-blocks"), each piece to
 * @w's fn in order: 0, -EINVAL for a malformed run, or fn's error
 */
int hmfs_runs_minus(struct json_object *a, struct json_object *b, struct hmfs_plug_walk *w);
/*
 * The HugeTLB pool as a state file's "hugetlb" says: each node's count
 * allocated again or freed (a restart, an undo); @only >= 0: that node's
 * alone.
 */
void hmfs_state_restore_hugetlb(struct hmfs_ctx *ctx, struct json_object *hugetlb, int only);
/* the global pool's round robin as @next ("hugetlb-next-nid") has it; NULL: left as it is */
void hmfs_state_restore_hugetlb_next_nid(struct hmfs_ctx *ctx, struct json_object *next);
int hmfs_state_restore_device(struct hmfs_ctx *ctx, struct json_object *dev, char *err,
			      size_t errlen);
/* a virtio-mem device's retry timer armed or not as its record @dev's retry-armed says */
void hmfs_state_restore_timer(struct hmfs_ctx *ctx, struct json_object *dev);
unsigned long hmfs_state_restore_blocks(struct hmfs_ctx *ctx, struct json_object *runs,
					unsigned long *first_astray);
void hmfs_state_restore_params(struct hmfs_ctx *ctx, struct json_object *params);
/* hmfs_state_profile_lines(), the profile file against the state file: state_profile.h */
int hmfs_state_load(struct hmfs_ctx *ctx, bool *found, char *err, size_t errlen);
int hmfs_state_peek_config(const char *path, char *profile, size_t plen, char *cmdline, size_t clen,
			   char *err, size_t errlen);

/* the state file's checksum (CRC-32, IEEE): crc32.c */
#include "crc32.h"

#endif /* HMFS_H */
