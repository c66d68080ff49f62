/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A network namespace owned by a user namespace of its own, so that the
 * host's untagged uevents stay out of it (netns_owner.c); shared by
 * hotmem-enter (the machine's namespace) and hotmemfs (--netns NAME it
 * creates).
 */
#ifndef HMFS_NETNS_OWNER_H
#define HMFS_NETNS_OWNER_H

/*
 * A new network namespace whose owner is a new user namespace with root
 * mapped to root: an O_RDONLY descriptor of it (setns() or bind-mount
 * /proc/self/fd/N), or -1 with errno set and *@step naming what failed.
 * The caller stays in its own user and network namespaces.
 */
int hmfs_owned_netns_open(const char **step);

/* a hint for hmfs_owned_netns_open()'s errno @err: " (...)" or "" */
const char *hmfs_owned_netns_hint(int err);

/*
 * Is @ns_fd's network namespace owned by the initial user namespace (the
 * host's untagged uevents reach it)?  1, 0, or -errno when it cannot tell.
 */
int hmfs_netns_owned_by_initial(int ns_fd);

#endif
