/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's commands, one list: ctl.c's table of handlers
 * (what hotmemfs runs, query-commands lists) and hotmemctl's knowledge of
 * which of them may change the machine (a reply lost leaves what such a
 * command did unknown, hmfs_ctlargs_changes()) are both made from it, so a
 * command added here is in both (review13 N4: hotmemctl kept a hand list).
 * events and query-commands are ctl.c's own (hmfs_ctl_execute()): they
 * change nothing.
 *
 * X(name, handler, flags, help); hotmemctl never names the handlers (it
 * does not link ctl.c): its X drops them.
 */
#ifndef HMFS_CTLCMDS_H
#define HMFS_CTLCMDS_H

/* it may change the machine (or the state file): a lost reply leaves it unknown */
#define HMFS_CTL_CHANGES 1u
/* it replies once its events are out (ctllimits.h: HMFS_CTL_DELIVER_WAIT_MS) */
#define HMFS_CTL_DELIVERED 2u

#define HMFS_CTL_COMMANDS(X)                                                                     \
	X("device_add", cmd_device_add, HMFS_CTL_CHANGES | HMFS_CTL_DELIVERED,                   \
	  "plug a pc-dimm or virtio-mem-pci")                                                    \
	X("device_del", cmd_device_del, HMFS_CTL_CHANGES | HMFS_CTL_DELIVERED,                   \
	  "unplug a device by id")                                                               \
	X("qom-set", cmd_qom_set, HMFS_CTL_CHANGES | HMFS_CTL_DELIVERED,                         \
	  "virtio-mem requested-size")                                                           \
	X("vmem-retry", cmd_vmem_retry, HMFS_CTL_CHANGES | HMFS_CTL_DELIVERED,                   \
	  "fire the guest virtio-mem driver's retry timer now (hotmem's)")                       \
	X("vmem-inject", cmd_vmem_inject, HMFS_CTL_CHANGES,                                      \
	  "a virtio-mem device's answer to its driver's next requests (fault injection)")        \
	X("qom-get", cmd_qom_get, 0,                                                             \
	  "a device's property (size, requested-size, block-size, node ...)")                    \
	X("qom-list", cmd_qom_list, 0,                                                           \
	  "QEMU's: the properties of /machine/peripheral, /machine/peripheral-anon, a pc-dimm")  \
	X("query-memory-devices", cmd_query_devices, 0,                                          \
	  "list memory devices, as QEMU's reply (type, data)")                                   \
	X("query-acpi-ospm-status", cmd_query_acpi_ospm_status, 0,                              \
	  "the guest's last _OST of each DIMM slot, as QEMU's reply")                            \
	X("query-version", cmd_query_version, 0, "QEMU's: the QEMU version whose QMP this follows") \
	X("query-status", cmd_query_status, 0, "QEMU's: the guest runs")                         \
	X("query-memory-size-summary", cmd_query_memory_size_summary, 0,                        \
	  "QEMU's: base-memory (boot RAM) and plugged-memory (what devices plug)")               \
	X("devices", cmd_devices, 0,                                                             \
	  "hotmem's view of the memory devices: driver, addr, memory group, plugged size, "      \
	  "the guest driver's state")                                                            \
	X("status", cmd_status, 0, "machine, zones, blocks, devices, uevents")                   \
	X("block-set-state", cmd_block_set_state, HMFS_CTL_CHANGES | HMFS_CTL_DELIVERED,         \
	  "online/offline a block")                                                              \
	X("alloc", cmd_alloc, HMFS_CTL_CHANGES,                                                  \
	  "workload: allocate movable/unmovable/pinned pages")                                   \
	X("free-all", cmd_free_all, HMFS_CTL_CHANGES, "workload: free every allocated page")     \
	X("hugetlb", cmd_hugetlb, HMFS_CTL_CHANGES,                                              \
	  "grow (pages>0) or shrink (pages<0) the HugeTLB pool")                                 \
	X("inject", cmd_inject, HMFS_CTL_CHANGES, "notifier error injection")                    \
	X("fail-nth-alloc", cmd_fail_nth, HMFS_CTL_CHANGES, "fail the nth engine allocation")    \
	X("check-invariants", cmd_check, 0, "hotmem_check_invariants()")                         \
	X("dmesg", cmd_dmesg, 0, "the emulated kernel's log ring")                               \
	X("explain", cmd_explain, 0,                                                             \
	  "why a block would not go offline (pages, owners, zone rule)")                         \
	X("save", cmd_save, HMFS_CTL_CHANGES, "write the state file now")                        \
	X("settle", cmd_settle, 0,                                                               \
	  "wait until every queued event is delivered (timeout: seconds)")

/*
 * Each command's arguments, as its handler in ctl.c reads them (a space
 * before each, after each): any other is refused before the command
 * runs, in the words of QAPI's input visitor, "Parameter 'X' is
 * unexpected" (qmp.c).  device_add is not here: its arguments are its
 * driver's properties, which dev.c checks (hmfs_dev_check_prop(), QEMU's
 * words).  A command missing here has its arguments unchecked
 * (tests/fusefs/145-qmp.t fails: it gives every command one).
 */
#define HMFS_CTL_ARGS(X)                                                                          \
	X("device_del", " id wait ")                                                              \
	X("qom-set", " path property value ")                                                     \
	X("qom-get", " path property ")                                                           \
	X("vmem-retry", " id ")                                                                   \
	X("vmem-inject", " id request response count ")                                           \
	X("qom-list", " path ")                                                                   \
	X("query-memory-devices", " ")                                                            \
	X("query-acpi-ospm-status", " ")                                                          \
	X("query-version", " ")                                                                   \
	X("query-status", " ")                                                                    \
	X("query-memory-size-summary", " ")                                                       \
	X("devices", " id ")                                                                      \
	X("status", " ")                                                                          \
	X("block-set-state", " block state timeout ")                                             \
	X("alloc", " type pages node ")                                                           \
	X("free-all", " ")                                                                        \
	X("hugetlb", " pages node ")                                                              \
	X("inject", " action error ")                                                             \
	X("fail-nth-alloc", " nth ")                                                              \
	X("check-invariants", " ")                                                                \
	X("dmesg", " boot ")                                                                           \
	X("explain", " block from all ")                                                          \
	X("save", " ")                                                                            \
	X("settle", " timeout ")                                                                  \
	X("events", " trace ")                                                                    \
	X("query-commands", " ")

#endif /* HMFS_CTLCMDS_H */
