#!/usr/bin/env bash
# Looking inside from the host: sockstat -j (FreeBSD's columns; a vnet
# jail's stack, or the sockets of a jail on the host's stack), and the
# host's own tools on a jail's stack without entering the jail.
. "$(dirname "$0")/lib.sh"

A=${T}a C=${T}c
HDR='USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      '
cp "$(dirname "$0")/sock.pl" "$OPEN/sock.pl" && chmod 644 "$OPEN/sock.pl"
S=$OPEN/sock.pl
_nsp=0
# spawn WHERE ACTION ARGS...: a sock.pl action in the background, waited
# for until it printed its first line (a listener is then listening)
spawn() { local where=$1 f=$OPEN/.spawn.$((++_nsp)); shift
	if [ "$where" = host ]; then set -- perl "$S" "$@"; else set -- "$VJAIL_BIN/jexec" "$where" perl "$S" "$@"; fi
	"$@" </dev/null >"$f" 2>&1 &	# sock.pl ends itself (alarm)
	_bgpids+=("$!"); SPID=$!
	wait_for 20 grep -qs . "$f"; }

ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
ip addr add 192.0.2.1/24 dev v0
run jail -c name=$A path=/ persist 'ip4.addr=v0|192.0.2.10/24'
is "$RC.$ERR" "0." "jail $A on the host's stack, ip4.addr=192.0.2.10"
run jail -c name=$C path=/ persist vnet
is "$RC.$ERR" "0." "jail $C with its own stack"
spawn $A listen 0.0.0.0 7000 a
spawn $C listen 127.0.0.1 7001 c
spawn host listen 192.0.2.1 7002 host
spawn $A abstract-listen "vjail-test-a-$$"
spawn host abstract-listen "vjail-test-h-$$"

run sockstat -j $A -4
is "$RC.$ERR" "0." "sockstat -j $A -4: exit 0"
is "$(echo "$OUT" | head -1)" "$HDR" "  FreeBSD's header"
like "$OUT" '^root     perl +[0-9]+ 3   tcp4   192\.0\.2\.10:7000       \*:\*$' \
	"  $A's listener: its root (uid 0 in the jail), perl, tcp4, 192.0.2.10:7000"
unlike "$OUT" '7002' "  not the host's 192.0.2.1:7002"
is "$(echo "$OUT" | grep -c .)" 2 "  nothing else" || diag "$OUT"
run sockstat -4
like "$OUT" '192\.0\.2\.1:7002' "  control: sockstat on the host lists the host's"
like "$OUT" '192\.0\.2\.10:7000' "  and $A's (the same stack)"
unlike "$OUT" '127\.0\.0\.1:7001' "  not $C's (another stack)"

run sockstat -j $C -4 -s
like "$OUT" '^root     perl +[0-9]+ 3   tcp4   127\.0\.0\.1:7001        \*:\* +LISTEN$' \
	"sockstat -j $C -s: its stack's listener, LISTEN"
unlike "$OUT" '7000|7002' "  nothing of the host's stack"

run sockstat -j $A -u
like "$OUT" "stream +@vjail-test-a-$$\$" "sockstat -j $A -u: its abstract listener"
unlike "$OUT" "vjail-test-h-$$" "  not the host's"
run sockstat -u
like "$OUT" "stream +@vjail-test-h-$$\$" "  control: the host's sockstat -u lists the host's"

run sockstat -j $A -c
is "$OUT" "$HDR" "sockstat -c: no listener"
run sockstat -p 7002 -4
is "$(echo "$OUT" | tail -n +2 | awk '{ print $6 }')" "192.0.2.1:7002" "sockstat -p 7002: only that port"
run sockstat -P tcp -j $A
unlike "$OUT" "stream" "sockstat -P tcp: no unix sockets (FreeBSD's -P)"
like "$OUT" "tcp4 +192\.0\.2\.10:7000" "  its TCP listener"
run sockstat -q -j $A -4
unlike "$OUT" '^USER' "sockstat -q: no header"
run sockstat -j ${T}nosuch
is "$RC.$ERR" "1.sockstat: jail_getid: jail \"${T}nosuch\" not found" "sockstat -j of a missing jail: FreeBSD's error"
run sockstat -x
is "$RC" 1 "sockstat -x: usage, exit 1"

# the host's tools on a jail's stack, without entering the jail
run ip -n $C -o addr show dev lo
like "$OUT" "127\.0\.0\.1/8" "ip -n $C: the jail's addresses, from the host"
run jexec -n net $C ip route show table local
like "$OUT" "local 127\.0\.0\.1 dev lo" "jexec -n net $C ip route: the jail's routes with the host's ip"
run jexec -n net $C ss -Hltn
like "$OUT" "127\.0\.0\.1:7001" "jexec -n net $C ss: the jail's sockets with the host's ss"
run jls -j $A -v
like "$OUT" "^        192\.0\.2\.10\$" "jls -v: $A's addresses (its stack is the host's)"

# the listeners were never called: they go, by pid
for p in "${_bgpids[@]}"; do kill "$p" 2>/dev/null; done
rm_jail $A; rm_jail $C
done_testing
