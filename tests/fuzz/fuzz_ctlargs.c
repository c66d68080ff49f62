// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl's command line -> request (fusefs/ctlargs.c): the input is
 * split into argv words at NUL and newline bytes; a request that is built
 * must be an object with "execute" and an "arguments" object, and must
 * survive a print/parse round trip.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[64], err[256];
	json_object *req = NULL, *back, *v;
	int argc = 0, ret;

	if (size > 8192)
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = copy;
	for (size_t i = 0; i < size && argc < 64; i++) {
		if (copy[i] == '\n' || copy[i] == '\0') {
			copy[i] = '\0';
			argv[argc++] = copy + i + 1;
		}
	}
	err[0] = '\0';
	ret = hmfs_ctlargs_request(argc, argv, &req, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL && ret != -ENOMEM)
			abort();
		if (ret == -EINVAL && !err[0])
			abort(); /* an error always says what is wrong */
	} else {
		if (!json_object_object_get_ex(req, "execute", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    !json_object_object_get_ex(req, "arguments", &v) ||
		    !json_object_is_type(v, json_type_object))
			abort();
		back = json_tokener_parse(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
		if (!back || !json_object_equal(back, req))
			abort();
		json_object_put(back);
		json_object_put(req);
	}
	free(copy);
	return 0;
}
