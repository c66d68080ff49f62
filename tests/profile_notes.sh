# shellcheck shell=bash
# profile_notes PROFILE NOTES, right after `hotmem profile --from-sysfs ...
# -o PROFILE 2>NOTES`: the profile's "# could not infer:" lines appended
# to NOTES.  They were said on stderr too until small43 (user42 U1); stderr
# now sums them up in one line.  $? stays the command's, for a check of it
# after this.
profile_notes() {
	local rc=$?

	grep '^# could not infer: ' "$1" >>"$2" 2>/dev/null
	return "$rc"
}
