// SPDX-License-Identifier: GPL-2.0
/*
 * QMP's session on a control connection: the greeting, capabilities
 * negotiation, a request's envelope checked -- as QEMU 9.2's monitor does
 * it (monitor/qmp.c qmp_greeting() and monitor_qmp_dispatch(),
 * monitor/qmp-cmds-control.c qmp_qmp_capabilities(), qapi/qmp-dispatch.c
 * qmp_dispatch()), its error classes and words included, so that a QMP
 * client written for QEMU (python's qemu.qmp, libvirt's monitor,
 * tests/kernel/qmp.py) talks to hotmemfs unmodified.  The commands
 * themselves are ctl.c's; the socket and the events are ctlsock.c's.
 * No sockets here: the unit tests and the fuzzer call hmfs_qmp_dispatch()
 * directly, the request's one way in, as the socket's.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ctlcmds.h"
#include "hmfs.h"
#include "uapi/hm_version.h" /* HMU_VERSION */

/*
 * The QEMU whose QMP this follows, said in the greeting's "version" as
 * QEMU's query-version says it: a client that decides what to send by
 * the version (libvirt refuses a QEMU older than it supports) gets the
 * protocol it expects.  "package" is free text in QEMU (a distribution's
 * build, QEMU_PKGVERSION): here it says honestly that this is hotmem,
 * not QEMU -- a client that looks, or a human reading its log, can tell.
 */
#define QMP_QEMU_MAJOR 9
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0
#define QMP_PACKAGE "hotmem " HMU_VERSION " (hotmemfs's control socket, not QEMU)"

/*
 * QEMU's VersionInfo: the greeting's "version" and query-version's reply
 * (qmp_query_version()); NULL, no memory
 */
json_object *hmfs_qmp_version(void)
{
	json_object *ver = json_object_new_object(), *qemu = json_object_new_object();
	/* QEMU's VersionTriple, major first as query-version's visitor writes it */
	bool ok = hmfs_json_add_new(qemu, "major", json_object_new_int(QMP_QEMU_MAJOR)) &&
		  hmfs_json_add_new(qemu, "minor", json_object_new_int(QMP_QEMU_MINOR)) &&
		  hmfs_json_add_new(qemu, "micro", json_object_new_int(QMP_QEMU_MICRO));

	if (!ok)
		goto fail;
	ok = hmfs_json_add_new(ver, "qemu", qemu);
	qemu = NULL; /* @ver's, or put */
	if (!ok || !hmfs_json_add_new(ver, "package", json_object_new_string(QMP_PACKAGE)))
		goto fail;
	return ver;
fail:
	json_object_put(qemu);
	json_object_put(ver);
	return NULL;
}

/* QEMU's greeting; NULL, no memory (the connection then closed, ctlsock.c) */
json_object *hmfs_qmp_greeting(void)
{
	json_object *o = json_object_new_object(), *qmp = json_object_new_object();
	/*
	 * none offered: "oob" (exec-oob) is QEMU's only capability, offered
	 * on a monitor with its own I/O thread; hotmemfs runs a connection's
	 * requests in turn, as QEMU's monitor without it does
	 */
	bool ok = hmfs_json_add_new(qmp, "version", hmfs_qmp_version()) &&
		  hmfs_json_add_new(qmp, "capabilities", json_object_new_array());

	if (!ok)
		json_object_put(qmp);
	if (!ok || !hmfs_json_add_new(o, "QMP", qmp)) { /* @qmp put either way */
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * qmp_capabilities's "enable": a list of QMPCapability ("oob" the only
 * one), none of which is offered here (qmp_caps_accept()); its other
 * arguments are unknown to QAPI's visitor.  NULL: accepted.
 */
static json_object *caps_check(json_object *args)
{
	json_object *enable = NULL;

	if (!args)
		return NULL;
	json_object_object_foreach(args, key, val) {
		if (strcmp(key, "enable"))
			return hmfs_ctl_errorf("GenericError", "Parameter '%s' is unexpected", key);
		enable = val;
	}
	if (!enable)
		return NULL;
	if (!json_object_is_type(enable, json_type_array))
		return hmfs_ctl_error("GenericError",
				      "Invalid parameter type for 'enable', expected: array");
	for (size_t i = 0; i < json_object_array_length(enable); i++) {
		json_object *cap = json_object_array_get_idx(enable, i);

		if (!json_object_is_type(cap, json_type_string))
			return hmfs_ctl_errorf(
				"GenericError",
				"Invalid parameter type for 'enable[%zu]', expected: string", i);
		if (strcmp(json_object_get_string(cap), "oob"))
			/* QAPI's input_type_enum(): a list's element has no name */
			return hmfs_ctl_errorf("GenericError",
					       "Parameter 'null' does not accept value '%s'",
					       json_object_get_string(cap));
	}
	return json_object_array_length(enable) ?
		       hmfs_ctl_error("GenericError", "Capability oob not available") :
		       NULL;
}

static json_object *qmp_capabilities(struct hmfs_qmp *s, json_object *args)
{
	json_object *reply = caps_check(args);

	if (reply)
		return reply;
	if (s->command_mode)
		return hmfs_ctl_error(
			"CommandNotFound",
			"Capabilities negotiation is already complete, command ignored");
	reply = json_object_new_object();
	if (!hmfs_json_add_new(reply, "return", json_object_new_object())) {
		json_object_put(reply);
		return NULL; /* not negotiated: the connection closed (ctlsock.c conn_reply()) */
	}
	s->command_mode = true;
	return reply;
}

/*
 * qmp_dispatch_check_obj(): "execute" a string, "arguments" an object,
 * "id" anything, nothing else ("exec-oob" neither: out-of-band is not
 * offered).  NULL when @req is well formed, else the error.
 */
static json_object *envelope_check(json_object *req, json_object **execute, json_object **args)
{
	*execute = *args = NULL;
	json_object_object_foreach(req, key, val) {
		if (!strcmp(key, "execute")) {
			if (!json_object_is_type(val, json_type_string))
				return hmfs_ctl_error(
					"GenericError",
					"QMP input member 'execute' must be a string");
			*execute = val;
		} else if (!strcmp(key, "arguments")) {
			if (!json_object_is_type(val, json_type_object))
				return hmfs_ctl_error(
					"GenericError",
					"QMP input member 'arguments' must be an object");
			*args = val;
		} else if (strcmp(key, "id")) {
			return hmfs_ctl_errorf("GenericError",
					       "QMP input member '%s' is unexpected", key);
		}
	}
	if (!*execute)
		return hmfs_ctl_error("GenericError", "QMP input lacks member 'execute'");
	return NULL;
}

#define CTL_ARGS(name, args) { name, args },

static const struct {
	const char *name;
	const char *args; /* " a b c " */
} known_args[] = { HMFS_CTL_ARGS(CTL_ARGS) };

/*
 * A command's argument it does not take: QAPI's input visitor refuses it
 * before the command runs (qobject_input_check_struct(), "Parameter '%s'
 * is unexpected"); hotmemfs's handlers would ignore it.  NULL: none.
 */
static json_object *args_check(const char *name, json_object *args)
{
	const char *known = NULL;
	char word[72];

	for (size_t i = 0; i < sizeof(known_args) / sizeof(*known_args); i++)
		if (!strcmp(known_args[i].name, name))
			known = known_args[i].args;
	if (!known || !args)
		return NULL;
	json_object_object_foreach(args, key, val) {
		(void)val;
		snprintf(word, sizeof(word), " %s ", key);
		if (strchr(key, ' ') || strlen(key) > sizeof(word) - 3 || !strstr(known, word))
			return hmfs_ctl_errorf("GenericError", "Parameter '%s' is unexpected", key);
	}
	return NULL;
}

json_object *hmfs_qmp_dispatch(struct hmfs_ctx *ctx, struct hmfs_qmp *s, json_object *req,
			       struct hmfs_ctl_follow *follow, const struct hotmem_task *client)
{
	json_object *execute, *args, *id = NULL, *reply;
	bool has_id;

	follow->events = false;
	follow->trace = false;
	if (!json_object_is_type(req, json_type_object))
		/* no "id" to echo: QEMU's answer has none either */
		return hmfs_ctl_error("GenericError", "QMP input must be a JSON object");
	has_id = json_object_object_get_ex(req, "id", &id);
	reply = envelope_check(req, &execute, &args);
	if (reply)
		goto out;
	if (!strcmp(json_object_get_string(execute), "qmp_capabilities"))
		reply = qmp_capabilities(s, args);
	else if (!s->command_mode)
		/*
		 * monitor_qmp_dispatch(): only qmp_capabilities exists yet,
		 * and the CommandNotFound of any other says why
		 */
		reply = hmfs_ctl_error(
			"CommandNotFound",
			"Expecting capabilities negotiation with 'qmp_capabilities'");
	else if (!(reply = args_check(json_object_get_string(execute), args)))
		reply = hmfs_ctl_execute(ctx, json_object_get_string(execute), args, follow,
					 client);
out:
	/* QEMU echoes "id" whatever its value, null too; here alone (ctl.c's commands do not) */
	/*
	 * a null "id" too (hmfs_json_add_new() takes no NULL); a constant key
	 * into a reply of one member, "return" or "error": json-c 0.16 copies
	 * no key and grows no table, so a change's reply is not lost here
	 * after the change (ctlnomem44).  A failed add leaves our reference.
	 */
	if (has_id && reply &&
	    json_object_object_add_ex(reply, "id", json_object_get(id),
				      JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY)) {
		json_object_put(id);
		json_object_put(reply);
		reply = NULL;
	}
	return reply; /* NULL: no memory for it (the connection closed) */
}
