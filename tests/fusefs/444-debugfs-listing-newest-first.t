#!/bin/bash
# notifier-error-inject/memory/actions/ lists as debugfs lists it:
# dcache_readdir() walks d_children from its head, where d_alloc() puts
# each new dentry (6.12), so the newest first -- MEM_GOING_OFFLINE, made
# after MEM_GOING_ONLINE (notifier_err_inject_init() walks the actions
# in order), lists first.  hotmemfs listed them as made.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
A=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
is "$(python3 -c 'import os, sys; print(*[e.name for e in os.scandir(sys.argv[1])])' "$A")" \
	"MEM_GOING_OFFLINE MEM_GOING_ONLINE" "actions/: the newest directory first"
is "$(cat "$A/MEM_GOING_ONLINE/error" "$A/MEM_GOING_OFFLINE/error" | tr '\n' ' ')" "0 0 " \
	"... each error file its own, as before"
stop_fs
done_testing
