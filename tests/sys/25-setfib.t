#!/usr/bin/env bash
# setfib(1): a command's sockets take routing table N, on the host and in
# jails (a cgroup per FIB marking its sockets, a policy rule per FIB);
# its groups and rules go when their processes are done, a killed
# setfib's leftovers with the next one; a jail held to its exec.fib
# cannot leave it.
. "$(dirname "$0")/lib.sh"
need_kernel 5.18 "cgroup BPF socket hooks with bpf_set_retval"

J0=${T}j0 J1=${T}j1 F1=${T}f1 F2=${T}f2

cp "$(dirname "$0")/sock.pl" "$OPEN/sock.pl" && chmod 644 "$OPEN/sock.pl"
S=$OPEN/sock.pl SF=$INNER_BIN/setfib
# reach WHO [setfib args]: connect to the far ends' 203.0.113.5:7000 as
# WHO (host, or a jail), with setfib when arguments are given
reach() { local who=$1; shift
	local cmd=(perl "$S" connect 203.0.113.5 7000)
	[ $# -gt 0 ] && cmd=("$SF" "$@" "${cmd[@]}")
	if [ "$who" = host ]; then run "${cmd[@]}"; else run jexec "$who" "${cmd[@]}"; fi; }
# serve: both far ends answer one client each ("far1", "far2")
serve() { local k f
	for k in 1 2; do
		f=$OPEN/.srv.$k
		timeout -k 5 30 "$VJAIL_BIN/jexec" ${T}f$k perl "$S" listen 203.0.113.5 7000 far$k </dev/null >"$f" 2>&1 &
		_bgpids+=("$!")
		wait_for 5 grep -q . "$f"
	done; }
# stop_far: the far end servers nobody called
stop_far() { local p; for p in "${_bgpids[@]}"; do kill "$p" 2>/dev/null; done; _bgpids=(); sleep 0.1; }
rules() { run sh -c 'ip -4 rule; ip -6 rule'; }
groups() { find "$VJAIL_CGROUP" -type d -name 'fib.*' | sed "s|^$VJAIL_CGROUP/||" | sort; }
NS=$(stat -L -c %i /proc/self/ns/net)

# Two ways to 203.0.113.0/24, each in a table of its own, none in main;
# at the far end of each, a vnet jail owning 203.0.113.5.
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
for k in 1 2; do
	ip link add r${k}a type veth peer name r${k}b && ip link set r${k}a up
	ip addr add 203.0.113.$k/24 dev r${k}a noprefixroute
	ip route add 203.0.113.0/24 dev r${k}a src 203.0.113.$k table $k
	f=${T}f$k
	run jail -c name=$f path=/ persist vnet vnet.interface=r${k}b
	is "$RC.$ERR" "0." "far end $f (vnet, r${k}b)"
	jexec $f ip addr add 203.0.113.5/24 dev r${k}b && jexec $f ip link set r${k}b up
done

# ---- on the host
serve
reach host 1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "setfib 1: the command reaches far end 1 through table 1"
reach host -F 2
is "$OUT" "203.0.113.2 far2 203.0.113.2" "setfib -F 2: far end 2 through table 2"
reach host
is "$OUT" "Network is unreachable" "  control: without setfib (main table) no route there"
stop_far; serve
reach host -1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "setfib -1 (FreeBSD's third form)"
run "$SF" 1 "$SF" 2 perl "$S" connect 203.0.113.5 7000
is "$OUT" "203.0.113.2 far2 203.0.113.2" "setfib 1 setfib 2: the inner FIB wins"
run "$SF" 1 "$SF" 0 perl "$S" connect 203.0.113.5 7000
is "$OUT" "Network is unreachable" "setfib 1 setfib 0: back to the main table"
is "$(groups)" "" "  every FIB group is gone with its command"
rules
unlike "$OUT" "0x766a000[0-2]" "  and so are the rules"

# while a command runs its group and rule exist; they go when it is done
"$SF" 1 sh -c 'cat /proc/self/cgroup; echo ready; while [ ! -e "$1" ]; do sleep 0.05; done' sh "$WORK/.go" </dev/null >"$WORK/.sf1" 2>&1 &
sfpid=$!
wait_for 5 grep -q ready "$WORK/.sf1"
like "$(cat "$WORK/.sf1")" "^0::$CG_REL/fib\.$NS\.1\$" "the command runs in the FIB's group ($CG_REL/fib.$NS.1)"
rules
like "$OUT" "^32000:.*fwmark 0x766a0001 lookup 1" "  the rule for table 1 is there (IPv4)"
is "$(echo "$OUT" | grep -c 'fwmark 0x766a0001')" 4 "  lookup and unreachable, IPv4 and IPv6"
run "$SF" 1 true
is "$RC.$(groups)" "0.fib.$NS.1" "another setfib 1 done: the group in use stays"
run jail -c name=$J1 path=/ persist exec.fib=1
run jail -r $J1
rules
like "$OUT" "fwmark 0x766a0001 lookup 1" "  a jail of FIB 1 made and removed: the rule stays for setfib"
touch "$WORK/.go"
wait $sfpid
is "$?.$(groups)" "0." "the command done: its group is gone"
rules
unlike "$OUT" "0x766a0001" "  and its rule"

# the rule is shared with a jail's exec.fib: the last user removes it
run jail -c name=$J1 path=/ persist exec.fib=1 children.max=3
stop_far; serve
reach host 1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "setfib 1 beside a jail of exec.fib=1"
rules
like "$OUT" "fwmark 0x766a0001 lookup 1" "  setfib done: the jail's rule stays"

# a killed setfib leaves its group; the next setfib cleans it up
"$SF" 2 sleep 30 &
sfpid=$!
wait_for 5 test -s "$VJAIL_CGROUP/fib.$NS.2/cgroup.procs"
child=$(cat "$VJAIL_CGROUP/fib.$NS.2/cgroup.procs")
kill -KILL $sfpid; wait $sfpid 2>/dev/null
kill $child; wait_for 5 pid_gone $child
is "$(groups)" "fib.$NS.2" "setfib killed: its empty group is left"
run "$SF" 0 true
is "$RC.$(groups)" "0." "the next setfib removes it"
rules
unlike "$OUT" "0x766a0002" "  with its rule"

# bad input, FreeBSD's messages; nothing left behind
run "$SF" -F abc true
is "$RC.$ERR" "1.setfib: abc: invalid FIB (max 252)" "setfib -F abc: not a number"
run "$SF" 253 true
is "$RC.$ERR" "1.setfib: 253: invalid FIB (max 252)" "setfib 253: out of range"
run "$SF" 1x true
is "$RC.$ERR" "1.setfib: 1x: invalid FIB (max 252)" "setfib 1x"
run "$SF"
is "$RC.$ERR" "1.usage: setfib [-[F]]value command" "setfib alone: usage"
run "$SF" abc true
is "$RC.$ERR" "127.setfib: abc: No such file or directory" "  setfib abc true runs abc, as FreeBSD's"
run "$SF" 1 "$WORK/nonexistent"
is "$RC.$ERR" "127.setfib: $WORK/nonexistent: No such file or directory" "unknown command: 127"
echo data >"$WORK/data" && chmod 644 "$WORK/data"
run "$SF" 1 "$WORK/data"
is "$RC.$ERR" "126.setfib: $WORK/data: Permission denied" "a file that is no program: 126"
run "$SF" 1 sh -c 'exit 7'
is "$RC" 7 "the command's exit status is setfib's"
run "$SF" -F
is "$RC" 1 "setfib -F: usage"
is "$(groups)" "" "  none of these left a group"
rules
unlike "$OUT" "0x766a000[02]" "  nor a rule"

# ---- in jails
run jail -c name=$J0 path=/ persist
stop_far; serve
reach $J0 1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "in $J0 (no exec.fib): setfib 1 takes table 1"
reach $J0 2
is "$OUT" "203.0.113.2 far2 203.0.113.2" "  setfib 2, table 2 (any FIB, as in FreeBSD)"
reach $J0
is "$OUT" "Network is unreachable" "  control: without setfib, the main table"
stop_far; serve
run jexec -U nobody $J0 "$SF" 2 perl "$S" connect 203.0.113.5 7000
is "$OUT" "203.0.113.2 far2 203.0.113.2" "  as a user other than root too"
jid0=$(jid_of $J0)
run jexec $J0 "$SF" 2 cat /proc/self/cgroup
like "$OUT" "^0::/jail/fib\.$NS\.2\$" "  its group is below the jail's own processes"
is "$(groups)" "" "  and goes when the command is done"
rules
unlike "$OUT" "0x766a0002" "  with its rule"

# a jail of exec.fib=1 is held to it
stop_far; serve
reach $J1 1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "in $J1 (exec.fib=1): setfib 1 is its own FIB"
reach $J1 2
is "$RC.$ERR" "1.setfib: FIB 2: the jail uses FIB 1 only (exec.fib)" "attack: setfib 2 in $J1 is refused"
reach $J1 0
is "$RC.$ERR" "1.setfib: FIB 0: the jail uses FIB 1 only (exec.fib)" "attack: setfib 0 (the main table) too"
stop_far; serve
reach $J1
is "$OUT" "203.0.113.1 far1 203.0.113.1" "  control: $J1 still takes table 1"
run jexec $J1 perl "$S" mark 2
is "$RC.$OUT" "1.Operation not permitted" "attack: SO_MARK in $J1 is refused"
run jexec $J0 "$SF" 2 perl "$S" mark 1
is "$RC.$OUT" "1.Operation not permitted" "attack: SO_MARK under setfib in $J0 too"
run perl "$S" mark 2
is "$RC.$OUT" "0.ok" "  control: the host's root can"
run jail -c name=$J1.c path=/ persist exec.fib=2
is "$RC.$ERR" "1.jail: exec.fib: the parent jail uses FIB 1 only" "attack: a child of $J1 with exec.fib=2 is refused"
run jail -c name=$J1.c path=/ persist exec.fib=0
is "$RC.$ERR" "1.jail: exec.fib: the parent jail uses FIB 1 only" "  exec.fib=0 too"
run jail -c name=$J1.c path=/ persist
is "$RC.$(jls -j $J1.c exec.fib)" "0.1" "  control: a child naming none gets FIB 1"
stop_far; serve
run jexec $J1.c perl "$S" connect 203.0.113.5 7000
is "$OUT" "203.0.113.1 far1 203.0.113.1" "  and takes table 1"
reach $J1.c 2
is "$RC.$ERR" "1.setfib: FIB 2: the jail uses FIB 1 only (exec.fib)" "attack: setfib 2 in the child is refused too"
run jail -c name=$J1.v path=/ persist vnet exec.fib=2
is "$RC.$ERR" "0." "  control: a vnet child has FIBs of its own stack"
rm_jail $J1.v; rm_jail $J1.c

# a FIB group is below the jail's cgroup: its address rules still hold
if have_ipjail; then
	R=${T}r
	run jail -c name=$R path=/ persist 'ip4.addr=r1a|203.0.113.7/24'
	is "$RC.$ERR" "0." "jail $R with ip4.addr=203.0.113.7 (no exec.fib)"
	stop_far; serve
	reach $R 1
	is "$OUT" "203.0.113.7 far1 203.0.113.7" "  setfib 1 in $R: table 1, from its own address"
	run jexec $R "$SF" 1 perl "$S" bind 203.0.113.1 7300
	is "$OUT" "Cannot assign requested address" "attack: under setfib it still may not bind the host's 203.0.113.1"
	run perl "$S" bind 203.0.113.1 7300
	is "$OUT" "203.0.113.1" "  control: the host may"
	rm_jail $R
else
	skip "$_why" 5
fi

# limits applied to a running jail reach its FIB groups too
jexec $J0 "$SF" 3 sleep 30 </dev/null >/dev/null 2>&1 &
_bgpids+=("$!")
wait_for 5 sh -c "cat $VJAIL_CGROUP/$jid0/jail/fib.$NS.3/cgroup.procs 2>/dev/null | grep -q ."
inside=$(cat "$VJAIL_CGROUP/$jid0/jail/fib.$NS.3/cgroup.procs")
run "$VJAIL_BIN/rctl" -a jail:$J0:openfiles:deny=100
like "$(cat /proc/$inside/limits)" "^Max open files +100 +100" "rctl's openfiles reaches a process in $J0's FIB group"
run "$VJAIL_BIN/rctl" -r jail:$J0

# removing the jail removes its groups and their rules
rules
like "$OUT" "fwmark 0x766a0003 lookup 3" "$J0's group for FIB 3 holds its rule"
rm_jail $J0
wait_for 5 pid_gone $inside
is "$(groups)" "" "$J0 removed: its group is gone"
rules
unlike "$OUT" "0x766a0003" "  and its rule"
rm_jail $J1
rules
unlike "$OUT" "0x766a" "all jails of FIBs and setfibs gone: no rule left"
stop_far
rm_jail $F1; rm_jail $F2

done_testing
