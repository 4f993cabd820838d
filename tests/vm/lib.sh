# SPDX-License-Identifier: GPL-2.0
# TAP helpers for VM tests (busybox sh).  Source it, call plan N, then one
# check per planned test.  The test's exit status is the number of
# failures (capped at 100).

_tap_n=0
_tap_fail=0

plan() {
	echo "1..$1"
}

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n - $*"
}

# check DESCRIPTION COMMAND...: one test, passing when COMMAND succeeds.
# The description's variable is check's own: COMMAND may be any helper.
check() {
	_check_d=$1
	shift
	if "$@"; then ok "$_check_d"; else not_ok "$_check_d"; fi
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
	fi
}

# diag MESSAGE: a TAP comment.
diag() {
	echo "# $*"
}

# val FILE KEY: the value of "KEY value" in FILE.
val() {
	awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null
}

# write FILE TEXT: write TEXT, succeed when the write does.
write() {
	echo "$2" >"$1" 2>/dev/null
}

# eventually CMD...: retry CMD for up to 10 s.
eventually() {
	_e=0
	while [ $_e -lt 100 ]; do
		"$@" && return 0
		sleep 0.1
		_e=$((_e + 1))
	done
	return 1
}

# settles FILE KEY WANT: wait up to 10 s for KEY to read WANT.
settles() {
	_s=0
	while [ $_s -lt 100 ]; do
		[ "$(val "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
		_s=$((_s + 1))
	done
	echo "#   $2 in $1: '$(val "$1" "$2")', want '$3'"
	return 1
}

done_testing() {
	[ $_tap_fail -le 100 ] || _tap_fail=100
	exit $_tap_fail
}
