#!/usr/bin/env bash
# FIBs without a stack of their own (exec.fib): every socket of the jail
# is marked and a policy rule sends it to routing table N; two jails on
# one stack take different routes to the same address.
. "$(dirname "$0")/lib.sh"

J1=${T}j1 J2=${T}j2 J3=${T}j3 F1=${T}f1 F2=${T}f2 X=${T}x

cp "$(dirname "$0")/sock.pl" "$OPEN/sock.pl" && chmod 644 "$OPEN/sock.pl"
S=$OPEN/sock.pl
act() { local where=$1; shift
	if [ "$where" = host ]; then run perl "$S" "$@"; else run jexec "$where" perl "$S" "$@"; fi; }
# serve JAIL PORT REPLY: a one-shot server of a far end, listening
serve() { local f=$OPEN/.srv.$1.$2
	timeout -k 5 30 "$VJAIL_BIN/jexec" "$1" perl "$S" listen 203.0.113.5 "$2" "$3" </dev/null >"$f" 2>&1 &
	_bgpids+=("$!")
	wait_for 20 grep -qs . "$f"; }
rules() { run sh -c 'ip -4 rule; ip -6 rule'; }

# Two ways to 203.0.113.0/24, each in a table of its own, none in main;
# at the far end of each, a vnet jail owning 203.0.113.5.
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
for k in 1 2; do
	ip link add r${k}a type veth peer name r${k}b && ip link set r${k}a up
	ip addr add 203.0.113.$k/24 dev r${k}a noprefixroute
	ip route add 203.0.113.0/24 dev r${k}a src 203.0.113.$k table $k
done
for k in 1 2; do
	f=${T}f$k
	run jail -c name=$f path=/ persist vnet vnet.interface=r${k}b
	is "$RC.$ERR" "0." "far end $f (vnet, r${k}b)"
	jexec $f ip addr add 203.0.113.5/24 dev r${k}b && jexec $f ip link set r${k}b up
done

run jail -c name=$J1 path=/ persist exec.fib=1
is "$RC.$ERR" "0." "jail -c $J1 exec.fib=1"
run jail -c name=$J2 path=/ persist exec.fib=2
is "$RC.$ERR" "0." "jail -c $J2 exec.fib=2"
run jls -j $J1 exec.fib
is "$OUT" 1 "jls shows exec.fib=1"
rules
like "$OUT" "^32000:.*fwmark 0x766a0001 lookup 1" "a rule sends FIB 1's mark to table 1 (IPv4)"
is "$(echo "$OUT" | grep -c 'fwmark 0x766a0001 lookup 1')" 2 "  and IPv6"
like "$OUT" "fwmark 0x766a0002 lookup 2" "  and FIB 2's to table 2"
like "$OUT" "^32001:.*fwmark 0x766a0001 unreachable" "  behind it, FIB 1 reaches nothing else"

serve $F1 7000 far1; serve $F2 7000 far2
act $J1 connect 203.0.113.5 7000
is "$OUT" "203.0.113.1 far1 203.0.113.1" "$J1 (FIB 1) reaches 203.0.113.5 through r1a"
act $J2 connect 203.0.113.5 7000
is "$OUT" "203.0.113.2 far2 203.0.113.2" "$J2 (FIB 2) reaches 203.0.113.5 through r2a"
act host connect 203.0.113.5 7000
is "$OUT" "Network is unreachable" "  control: the host (main table) has no route there"
act $J1 connect 192.0.2.77 7002
is "$OUT" "Network is unreachable" "$J1 does not fall back to the main table's routes"
ip route add 192.0.2.0/24 dev r2a
run ip route get 192.0.2.77
like "$OUT" "dev r2a" "  control: the main table has a route there"
ip route del 192.0.2.0/24 dev r2a
serve $F2 7001 far2
run ip route get 203.0.113.5 mark 0x766a0001
like "$OUT" "dev r1a" "  control: the host's ip route get with FIB 1's mark says r1a"

# with addresses: the FIB picks the route, ip4.addr the source
ip addr add 203.0.113.9/24 dev r2a noprefixroute
run jail -c name=$J3 path=/ persist exec.fib=2 ip4.addr=203.0.113.9
is "$RC.$ERR" "0." "jail -c $J3 exec.fib=2 ip4.addr=203.0.113.9"
act $J3 connect 203.0.113.5 7001
is "$OUT" "203.0.113.9 far2 203.0.113.9" "  it reaches far end 2, from 203.0.113.9"

# jail root cannot choose another table for its sockets
act $J1 mark 2
is "$RC.$OUT" "1.Operation not permitted" "$J1's root cannot set SO_MARK"
act host mark 2
is "$RC.$OUT" "0.ok" "  control: the host's root can"

# bad input
snapshot
run jail -c name=$X path=/ persist exec.fib=253
is "$RC.$ERR" "1.jail: exec.fib: 253 is not a FIB (0 to 252)" "exec.fib=253 is refused"
no_trace $X
run jail -c name=$X path=/ persist exec.fib=-1
is "$RC.$ERR" "1.jail: exec.fib: -1 is not a FIB (0 to 252)" "exec.fib=-1 is refused"
run jail -m name=$J1 exec.fib=2
is "$RC.$ERR" "1.jail: $J1: exec.fib cannot be changed after creation" "exec.fib cannot be changed"

# a vnet jail's FIB is a table of its own stack
V=${T}v
run jail -c name=$V path=/ persist vnet exec.fib=4
is "$RC.$ERR" "0." "jail -c $V vnet exec.fib=4"
run ip -n $V rule
like "$OUT" "fwmark 0x766a0004 lookup 4" "  the rule is in its own stack"
run ip rule
unlike "$OUT" "0x766a0004" "  not in the host's"
rm_jail $V

# the rule goes with the last jail of its FIB
rm_jail $J2
rules
like "$OUT" "fwmark 0x766a0002 lookup 2" "$J2 removed: $J3 still uses FIB 2's rule"
rm_jail $J3
rules
unlike "$OUT" "fwmark 0x766a0002" "$J3 removed too: the rule is gone"
run jail -r $J1
rules
unlike "$OUT" "fwmark 0x766a0001" "$J1 removed: FIB 1's rule is gone"
rm_jail $F1; rm_jail $F2

done_testing
