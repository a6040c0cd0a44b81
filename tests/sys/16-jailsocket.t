#!/usr/bin/env bash
# libjail's jail_socket (one daemon, sockets in many jails' stacks) and
# jail_fork (a program's child as the first process of a new jail),
# through the examples built on them.
. "$(dirname "$0")/lib.sh"

A=${T}a B=${T}b C=${T}c F=${T}f X=${T}x
EX=$_vj_top/build/examples
cp "$(dirname "$0")/sock.pl" "$OPEN/sock.pl" && chmod 644 "$OPEN/sock.pl"
S=$OPEN/sock.pl

ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
ip addr add 192.0.2.1/24 dev v0

# ------------------------------------------------------- jail_socket ----
run jail -c name=$A path=/ persist 'ip4.addr=v0|192.0.2.10/24'
is "$RC.$ERR" "0." "jail $A with ip4.addr=192.0.2.10"
run jail -c name=$B path=/ persist 'ip4.addr=v0|192.0.2.11/24'
is "$RC.$ERR" "0." "jail $B with ip4.addr=192.0.2.11"
run jail -c name=$C path=/ persist vnet
is "$RC.$ERR" "0." "jail $C with a stack of its own"
timeout -k 5 60 "$EX/jailecho" 7100 $A $B $C </dev/null >"$OPEN/echo.out" 2>&1 &
ep=$!
_bgpids+=("$ep")
check "jailecho 7100 $A $B $C: one daemon listens in the three jails" \
	wait_for 20 grep -qsx ready "$OPEN/echo.out"
run perl "$S" connect 192.0.2.10 7100
is "$OUT" "192.0.2.1 $A" "192.0.2.10:7100 is answered by its socket in $A"
run perl "$S" connect 192.0.2.11 7100
is "$OUT" "192.0.2.1 $B" "192.0.2.11:7100 by the one in $B"
run jexec $C perl "$S" connect 127.0.0.1 7100
is "$OUT" "127.0.0.1 $C" "127.0.0.1:7100 in $C's own stack by the one in $C"
run perl "$S" connect 192.0.2.1 7100
is "$OUT" "Connection refused" "the host's 192.0.2.1:7100: nothing (the wildcard binds were narrowed)"
run ss -Hltn sport = :7100
is "$(echo "$OUT" | awk '{ print $4 }' | sort | tr '\n' ' ')" "192.0.2.10:7100 192.0.2.11:7100 " \
	"  ss on the host: bound to $A's and $B's addresses only"
run ip netns exec $C ss -Hltn sport = :7100
like "$OUT" "0\.0\.0\.0:7100" "  ss in $C's stack: its listener"
kill "$ep"; wait "$ep" 2>/dev/null
run "$EX/jailecho" 7100 ${T}nosuch
is "$RC.$OUT$ERR" "1.jailecho: jail \"${T}nosuch\" not found" "a jail that does not exist: an error"
rm_jail $A; rm_jail $B; rm_jail $C

# ---------------------------------------------------------- jail_fork ----
run "$EX/jailrun" name=$F path=/ vnet -- sh -c 'echo $$; ip -o link | wc -l; grep ^0:: /proc/self/cgroup; id -u'
is "$RC" 0 "jailrun name=$F path=/ vnet -- sh: exit 0"
is "$(echo $OUT)" "2 1 0::/jail 0" \
	"  the child is the jail's first process (pid 2 after the holder), in its stack, cgroup, as its root"
check "  the jail went with it" wait_for 5 jail_absent $F
run "$EX/jailrun" name=$F path=/ -- sh -c 'exit 7'
is "$RC" 7 "the child's exit status comes back"
check "  and the jail is gone" wait_for 5 jail_absent $F
run "$EX/jailrun" name=$F path=/ 'ip4.addr=v0|192.0.2.20/24' -- perl "$S" bind 0.0.0.0 7200
is "$RC.$OUT" "0.192.0.2.20" "a jail_fork child is restricted to the jail's ip4.addr"
run "$EX/jailrun" name=$F path=/ persist -- true
is "$RC" 0 "jailrun with persist"
check "  the jail stays" jail_exists $F
rm_jail $F
snapshot
run "$EX/jailrun" name=$X path=/ vnet=bogus -- true
is "$RC.$ERR" "1.jailrun: vnet: unknown jailsys value \"bogus\"" "a bad parameter: the error, nothing started"
no_trace $X
run "$EX/jailrun" name=$X path=/ 'ip4.addr=nosuch0|192.0.2.21/24' -- true
is "$RC.$ERR" "1.jailrun: ip4.addr: nosuch0|192.0.2.21: no such interface" "a refused jail: jail_set's error"
no_trace $X

done_testing
