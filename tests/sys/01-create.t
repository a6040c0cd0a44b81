#!/usr/bin/env bash
# jail -c / jail -r: what they print, what they make, what they leave.
. "$(dirname "$0")/lib.sh"

W=${T}web
mkroot "$WORK/web"

run jail -c name=$W path="$WORK/web" host.hostname=web.example persist
is "$RC" 0 "jail -c exits 0"
is "$OUT" "" "jail -c prints nothing (FreeBSD: a command-line jail)"
is "$ERR" "" "jail -c is silent on stderr"

run jls -c -j $W
is "$RC.$OUT" "0." "jls -c -j finds the new jail, silently"
is "$(registry_count)" 1 "one registry entry under \$VJAIL_RUNDIR/jails"

jid=$(jid_of $W)
like "$jid" '^[1-9][0-9]*$' "the jail has a positive jid"
check "its cgroup is \$VJAIL_CGROUP/<jid>" test -n "$jid" -a -d "$VJAIL_CGROUP/$jid"
hp=$(holder_pid $W)
like "$hp" '^[0-9]+$' "a holder (PID 1 of the jail) lives in that cgroup"
# ns_differs NS: the holder's NS namespace is not the test's
ns_differs() { [ -n "$hp" ] && [ "$(readlink "/proc/$hp/ns/$1")" != "$(readlink "/proc/self/ns/$1")" ]; }
for ns in pid uts user mnt ipc; do
	check "the holder has a $ns namespace of its own" ns_differs $ns
done
check "a jail without vnet shares the host's network stack" eval '[ -n "$hp" ] && ! ns_differs net'
hpfds=$( [ -n "$hp" ] && for f in /proc/$hp/fd/*; do readlink "$f"; done 2>/dev/null |
	grep -E "^$WORK|^/dev/pts|^/dev/tty" )
ok "$([ -n "$hp" ] && [ -z "$hpfds" ]; echo $?)" "the holder holds none of the caller's files or ttys" || diag "$hpfds"

# the same name twice
run jail -c name=$W path=/ persist
is "$RC" 1 "creating an existing name fails with status 1"
is "$ERR" "jail: \"$W\" already exists" "  with FreeBSD's message"
is "$OUT" "" "  and prints nothing on stdout"
is "$(registry_count)" 1 "  and leaves the registry alone"

run jail -r $W
is "$RC" 0 "jail -r exits 0"
is "$OUT" "" "jail -r prints nothing (FreeBSD: no jail.conf, one jail)"
is "$ERR" "" "jail -r is silent on stderr"
run jls -c -j $W
is "$RC.$OUT" "1." "jls -c -j: the jail is gone, exit 1, no output"
is "$(registry_count)" 0 "no registry entry left"
check "no cgroup left" test ! -e "$VJAIL_CGROUP/$jid"
check "the holder is gone" wait_for 2 pid_gone "${hp:-none}"

# -q
run jail -q -c name=${T}q path=/ persist
is "$RC.$OUT.$ERR" "0.." "jail -q -c: exit 0, no output"
run jail -q -r ${T}q
is "$RC.$OUT.$ERR" "0.." "jail -q -r: exit 0, no output"

# the command leaves nothing holding its stdout: a pipe reader gets EOF
run timeout 15 sh -c "jail -c name=${T}pipe path=/ persist | cat"
is "$RC" 0 "jail -c | cat returns (no daemon keeps the pipe open)"
is "$OUT" "" "  and the pipe carried nothing"
run timeout 15 sh -c "jail -r ${T}pipe | cat"
is "$RC.$OUT" "0." "jail -r | cat returns too"

# two jails get different jids
run jail -q -c name=${T}a path=/ persist
run jail -q -c name=${T}b path=/ persist
ja=$(jid_of ${T}a); jb=$(jid_of ${T}b)
ok "$([ -n "$ja" ] && [ -n "$jb" ] && [ "$ja" != "$jb" ]; echo $?)" "two jails have distinct jids ($ja, $jb)"
rm_jail ${T}a; rm_jail ${T}b

# a jail rooted below a directory only root may enter (like /root)
mkdir -m 0700 "$WORK/private"
mkroot "$WORK/private/jail"
run jail -c name=${T}priv path="$WORK/private/jail" persist
is "$RC.$OUT.$ERR" "0.." "a jail whose path is below a 0700 directory can be made"
rm_jail ${T}priv

# vnet: an own stack, published for ip netns
run jail -q -c name=${T}bare path=/ persist vnet
is "$RC.$ERR" "0." "a bare 'vnet' (as in jail.conf's 'vnet;') is accepted"
is "$(jls -j ${T}bare vnet 2>&1)" "new" "  and means vnet=new"
rm_jail ${T}bare
V=${T}vnet
run jail -c name=$V path=/ host.hostname=v.example persist vnet=new
is "$RC.$OUT" "0." "jail -c ... vnet=new creates a vnet jail"
is "$(jls -j $V vnet 2>&1)" "new" "jls shows vnet=new"
hp=$(holder_pid $V)
hpnet=$( [ -n "$hp" ] && readlink "/proc/$hp/ns/net")
ok "$([ -n "$hpnet" ] && [ "$hpnet" != "$(readlink /proc/self/ns/net)" ]; echo $?)" "its holder has a network namespace of its own"
check "it is published as /run/netns/$V" test -e "/run/netns/$V"
run ip -n $V -o link show
like "$OUT" '^1: lo:' "ip -n $V sees the jail's stack (lo)"
is "$(echo "$OUT" | grep -c .)" 1 "  and nothing else in it"
run jail -r $V
is "$RC.$OUT" "0." "the vnet jail is removed"
check "/run/netns/$V is gone" test ! -e "/run/netns/$V" -a ! -L "/run/netns/$V"

done_testing
