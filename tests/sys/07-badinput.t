#!/usr/bin/env bash
# Bad input is refused before anything is made, or walked back: status 1, a
# message naming the parameter, and no trace in jls, registry, cgroups.
. "$(dirname "$0")/lib.sh"

X=${T}x

# refused NAME PATTERN DESC -- ARGS...: `jail ARGS` fails with status 1, a
# one-line 'jail: ...' message on stderr matching PATTERN, nothing on
# stdout, and leaves no trace of NAME.
refused() {
	local name=$1 pat=$2 desc=$3; shift 4
	snapshot
	run jail "$@"
	is "$RC" 1 "$desc: exit 1"
	like "$ERR" "^jail: .*$pat" "$desc: message names it"
	is "$(echo "$ERR" | grep -c .)" 1 "$desc: one line on stderr" || diag "$ERR"
	is "$OUT" "" "$desc: nothing on stdout"
	no_trace "$name"
}

refused $X 'foo' "unknown parameter foo=1" -- -c name=$X path=/ persist foo=1
refused $X 'children\.max' "children.max=abc (not a number)" -- -c name=$X path=/ persist children.max=abc
refused $X 'children\.max' "children.max=-1 (negative)" -- -c name=$X path=/ persist children.max=-1
refused $X 'persist' "persist=maybe (not a boolean)" -- -c name=$X path=/ persist=maybe
refused $X 'vnet' "vnet=sometimes (not new/inherit)" -- -c name=$X path=/ persist vnet=sometimes
refused 1 'name' "name=1 (numeric names are not allowed)" -- -c name=1 path=/ persist
refused $X.child "$X" "name=$X.child (no parent $X)" -- -c name=$X.child path=/ persist
refused $X 'path' "path=/etc/passwd (not a directory)" -- -c name=$X path=/etc/passwd persist
refused $X 'path' "path=\$WORK/nonexistent" -- -c name=$X path="$WORK/nonexistent" persist
refused $X 'path' "path=relative (not absolute)" -- -c name=$X path=relative persist
refused $X 'children\.cur' "children.cur=1 (read-only)" -- -c name=$X path=/ persist children.cur=1
refused $X 'dying' "dying (read-only)" -- -c name=$X path=/ persist dying
refused $X 'parent' "parent=1 (read-only)" -- -c name=$X path=/ persist parent=1
refused $X 'host\.hostname' "host.hostname of 65 bytes (Linux allows 64)" -- \
	-c name=$X path=/ persist host.hostname="$(printf 'h%.0s' {1..65})"
refused $X 'vnet jails cannot have IP address restrictions' "vnet with ip4.addr" -- \
	-c name=$X path=/ persist vnet=new ip4.addr=192.0.2.1
refused $X 'ip4\.addr' "ip4.addr=999.1.1.1 (not an address)" -- -c name=$X path=/ persist ip4.addr=999.1.1.1

# failures after creation began must be walked back
refused $X "vnet\.interface|${T}nosuchif" "vnet.interface naming a missing link" -- \
	-c name=$X path=/ persist vnet=new vnet.interface=${T}nosuchif

# a 64-byte hostname is fine
run jail -q -c name=$X path=/ persist host.hostname="$(printf 'h%.0s' {1..64})"
is "$RC.$ERR" "0." "host.hostname of 64 bytes is accepted"
rm_jail $X

# usage errors
run jail -Z
is "$RC" 1 "jail with an unknown flag exits 1"
like "$ERR" 'usage' "  printing usage"
run jls -Z
is "$RC" 1 "jls with an unknown flag exits 1"
like "$ERR" 'usage' "  printing usage"
run jexec
is "$RC" 1 "jexec without a jail exits 1"
like "$ERR" 'usage' "  printing usage"

# updates of create-only and read-only parameters
run jail -q -c name=$X path=/ host.hostname=x.example persist
is "$RC" 0 "made $X"
hp=$(holder_pid $X)
snapshot
run jail -m name=$X vnet=new
is "$RC" 1 "jail -m vnet=new (create-only): exit 1"
like "$ERR" '^jail: .*vnet' "  message names vnet"
run jail -m name=$X path=/tmp
is "$RC" 1 "jail -m path=/tmp (create-only): exit 1"
like "$ERR" '^jail: .*path' "  message names path"
run jail -m name=$X dying
is "$RC" 1 "jail -m dying (read-only): exit 1"
like "$ERR" '^jail: .*dying' "  message names dying"
run jail -m name=$X host.hostname=changed.example foo=1
is "$RC" 1 "jail -m with one good and one unknown parameter: exit 1"
is "$(jls -j $X path vnet host.hostname 2>&1)" "/ inherit x.example" "the jail is unchanged (path, vnet, hostname)"
is "$(holder_pid $X)" "$hp" "and still has the same holder"
is "$(_state)" "$_snap" "nothing else changed either"
rm_jail $X

# jail -r of a missing jail
run jail -r ${T}nosuch
is "$RC" 1 "jail -r of a missing jail exits 1"
is "$ERR" "jail: \"${T}nosuch\" not found" "  stderr: jail: \"name\" not found"
is "$OUT" "" "  nothing on stdout"

done_testing
