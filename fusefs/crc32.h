/* SPDX-License-Identifier: GPL-2.0 */
/* fusefs/crc32.c: the state file's CRC-32 (zlib's) */
#ifndef HMFS_CRC32_H
#define HMFS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t hmfs_crc32(const char *s, size_t len);

#endif
