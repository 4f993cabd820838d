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
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
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

done_testing() {
	[ $_tap_fail -le 100 ] || _tap_fail=100
	exit $_tap_fail
}
