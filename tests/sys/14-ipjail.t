#!/usr/bin/env bash
# Address-restricted jails on the host's stack (ip4.addr, ip6.addr):
# FreeBSD's classic network jail, each behaviour next to the control that
# the same action works on the host; bad input; attacks from jail root.
. "$(dirname "$0")/lib.sh"

A=${T}a B=${T}b C=${T}c D=${T}d P=${T}p X=${T}x

cp "$(dirname "$0")/sock.pl" "$OPEN/sock.pl" && chmod 644 "$OPEN/sock.pl"
S=$OPEN/sock.pl
cp "$_vj_top/build/tests/sockattack" "$OPEN/sockattack" || echo "Bail out! make build/tests/sockattack"
SA=$OPEN/sockattack
# act JAIL|host: run a sock.pl action, leaving RC/OUT/ERR
act() { local where=$1; shift
	if [ "$where" = host ]; then run perl "$S" "$@"; else run jexec "$where" perl "$S" "$@"; fi; }
# spawn WHERE ACTION ARGS...: a sock.pl action in the background, its
# output in the file $BGOUT, waited for until it printed its first line
# (a listener is then listening); FIRST is that line
_nsp=0
spawn() { local where=$1; shift
	BGOUT=$OPEN/.spawn.$((++_nsp))
	if [ "$where" = host ]; then set -- perl "$S" "$@"; else set -- "$VJAIL_BIN/jexec" "$where" perl "$S" "$@"; fi
	"$@" </dev/null >"$BGOUT" 2>&1 &	# sock.pl ends itself (alarm)
	_bgpids+=("$!")
	wait_for 20 grep -qs . "$BGOUT"; FIRST=$(head -1 "$BGOUT"); }
# serve WHERE ADDR PORT REPLY: a one-shot server; SRV is its bound address
serve() { spawn "$1" listen "${@:2}"; SRV=$FIRST; }
cgroup_of() { echo "$VJAIL_CGROUP/$(jid_of "$1")"; }
progs_on() { bpftool cgroup show "$1" 2>/dev/null | grep -c multi; }
has_addr() { ip -o addr show dev "$1" | grep -q " $2 "; }

# The "host": v0 (192.0.2.1/24, 2001:db8::1/64) and a second link v1.
ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
ip addr add 192.0.2.1/24 dev v0 && ip addr add 2001:db8::1/64 dev v0 nodad

# ------------------------------------------------------------- create ----
run jail -c name=$A path=/ persist 'ip4.addr=v0|192.0.2.10/24' \
	'ip6.addr=v0|2001:db8::10/64'
is "$RC.$ERR" "0." "jail -c $A ip4.addr=v0|192.0.2.10/24 ip6.addr=v0|2001:db8::10/64"
check "  192.0.2.10/24 is an alias on v0" has_addr v0 192.0.2.10/24
check "  2001:db8::10/64 is an alias on v0" has_addr v0 2001:db8::10/64
is "$(progs_on "$(cgroup_of $A)")" 11 "  eleven BPF programs on its cgroup"
run jls
like "$OUT" "^ +$(jid_of $A)  192\.0\.2\.10 " "  jls shows 192.0.2.10 in the IP Address column"
run jls -j $A ip4 ip6 ip4.addr
is "$OUT" "new new v0|192.0.2.10/24" "  jls: ip4=new ip6=new and the address as given"
run jail -c name=$B path=/ persist ip4.addr=192.0.2.11 interface=v0
is "$RC.$ERR" "0." "jail -c $B ip4.addr=192.0.2.11 interface=v0"
check "  192.0.2.11/32 is an alias on v0" has_addr v0 192.0.2.11/32
run jls -j $B ip6
is "$OUT" "disable" "  ip6 not named: disable (FreeBSD's default once any ip parameter is)"

# ------------------------------------------------------- bind, listen ----
serve $A 0.0.0.0 7000 from-a
is "$SRV" "192.0.2.10" "a server of $A bound to 0.0.0.0 is bound to 192.0.2.10"
act host connect 192.0.2.1 7000
is "$OUT" "Connection refused" "  the host's 192.0.2.1:7000 does not reach it"
act host connect 192.0.2.10 7000
is "$OUT" "192.0.2.1 from-a 192.0.2.1" "  192.0.2.10:7000 does"
serve host 0.0.0.0 7001 from-host
act host connect 192.0.2.1 7001
is "$OUT" "192.0.2.1 from-host 192.0.2.1" "  control: the host's own 0.0.0.0 server is reachable on 192.0.2.1"

act $A bind 192.0.2.1 7002
is "$RC.$OUT" "1.Cannot assign requested address" "$A binding the host's 192.0.2.1: EADDRNOTAVAIL"
act host bind 192.0.2.1 7002
is "$RC.$OUT" "0.192.0.2.1" "  control: the host binds it"
act $A bind 192.0.2.11 7002
is "$RC.$OUT" "1.Cannot assign requested address" "$A binding $B's 192.0.2.11: EADDRNOTAVAIL"
act $A bind 127.0.0.1 7002
is "$RC.$OUT" "0.192.0.2.10" "$A binding 127.0.0.1 gets its own 192.0.2.10 (FreeBSD)"
act $A bind 127.0.0.2 7002
is "$RC.$OUT" "1.Cannot assign requested address" "$A binding 127.0.0.2: EADDRNOTAVAIL"
act $A bind :: 7002
is "$RC.$OUT" "0.2001:db8::10" "$A binding :: gets 2001:db8::10"
act $A bind 2001:db8::1 7002
is "$RC.$OUT" "1.Cannot assign requested address" "$A binding the host's 2001:db8::1: EADDRNOTAVAIL"
act $A bind ::1 7002
is "$RC.$OUT" "0.2001:db8::10" "$A binding ::1 gets 2001:db8::10"
act $A bind 192.0.2.10 80
is "$RC.$OUT" "0.192.0.2.10" "$A's root binds port 80 on its address (allow.reserved_ports)"

# two ip jails on one port
serve $A 0.0.0.0 7003 from-a
serve $B 0.0.0.0 7003 from-b
is "$SRV" "192.0.2.11" "$B listens on 0.0.0.0:7003 too (as 192.0.2.11)"
act host connect 192.0.2.10 7003
like "$OUT" " from-a " "  192.0.2.10:7003 reaches $A"
act host connect 192.0.2.11 7003
like "$OUT" " from-b " "  192.0.2.11:7003 reaches $B"

# ------------------------------------------------ loopback and sources ----
serve host 127.0.0.1 7004 host-lo
act $A connect 127.0.0.1 7004
is "$OUT" "Connection refused" "$A cannot reach the host's 127.0.0.1:7004 service"
act host connect 127.0.0.1 7004
is "$OUT" "127.0.0.1 host-lo 127.0.0.1" "  control: the host can"
serve host 127.0.0.53 7005 host-lo53
act $A connect 127.0.0.53 7005
is "$OUT" "Connection refused" "$A cannot reach the host's 127.0.0.53:7005 either (all of 127/8)"
act host connect 127.0.0.53 7005
is "$RC" 0 "  control: the host can"
serve host ::1 7006 host-lo6
act $A connect ::1 7006
is "$OUT" "Connection refused" "$A cannot reach the host's [::1]:7006"
act host connect ::1 7006
is "$RC" 0 "  control: the host can"
serve $A 0.0.0.0 7007 own
act $A connect 127.0.0.1 7007
is "$OUT" "192.0.2.10 own 192.0.2.10" "$A's 127.0.0.1 is its own address: it reaches its own server"
serve host 0.0.0.0 7008 src
act $A connect 192.0.2.1 7008
is "$OUT" "192.0.2.10 src 192.0.2.10" "$A's connection to the host comes from 192.0.2.10"
serve host :: 7009 src6
act $A connect 2001:db8::1 7009
is "$OUT" "2001:db8::10 src6 2001:db8::10" "$A's IPv6 connection comes from 2001:db8::10"
serve host 0.0.0.0 7012 mapped
act $A connect ::ffff:192.0.2.1 7012
is "$OUT" "192.0.2.10 mapped 192.0.2.10" "$A's IPv6 socket to ::ffff:192.0.2.1 comes from 192.0.2.10 too"
act $A bind ::ffff:192.0.2.1 7012
is "$OUT" "Cannot assign requested address" "$A binding ::ffff:192.0.2.1 (the host's, mapped): EADDRNOTAVAIL"
serve host 127.0.0.1 7013 lo-mapped
act $A connect ::ffff:127.0.0.1 7013
is "$OUT" "Connection refused" "$A cannot reach the host's 127.0.0.1 as ::ffff:127.0.0.1"
act host connect 127.0.0.1 7013
is "$RC" 0 "  control: the host can"
spawn host udprecv 192.0.2.1 7010
act $A udpsend 192.0.2.1 7010
wait_for 5 eval "[ \$(wc -l <'$BGOUT') -ge 2 ]"
is "$(tail -1 "$BGOUT")" "192.0.2.10" "$A's UDP datagram to the host comes from 192.0.2.10"

# ----------------------------------------------------- families, raw ----
act $B socket inet6 stream 0
is "$RC.$OUT" "1.Address family not supported by protocol" "$B (ip6=disable): no IPv6 socket"
act host socket inet6 stream 0
is "$RC" 0 "  control: the host makes one"
run jail -c name=$D path=/ persist ip4=disable ip6=disable
is "$RC.$ERR" "0." "jail -c $D ip4=disable ip6=disable"
act $D socket inet stream 0
is "$RC.$OUT" "1.Address family not supported by protocol" "  $D: no IPv4 socket"
act $D socket inet raw icmp
is "$RC" 1 "$D: no raw socket"
act $A socket inet raw icmp
is "$RC.$OUT" "1.Operation not permitted" "$A (root): no raw IPv4 socket"
sysctl -qw net.ipv4.ping_group_range="0 2147483647"	# our netns: anyone may ping
act $A socket inet dgram icmp
is "$RC.$OUT" "1.Operation not permitted" "$A (root): no ping socket"
act $A socket inet6 raw icmp6
is "$RC.$OUT" "1.Operation not permitted" "$A (root): no raw IPv6 socket"
act $A socket packet raw 0
like "$RC.$OUT" "^1\.(Operation not permitted|Address family not supported by protocol)\$" \
	"$A (root): no packet socket"
run jail -c name=$X path=/ persist ip4.addr=192.0.2.19 allow.raw_sockets
act $X socket inet dgram icmp
is "$RC.$OUT" "0.ok" "  control: with allow.raw_sockets, a ping socket"
rm_jail $X
run jail -c name=$X path=/ persist 'ip4.addr=v0|192.0.2.19/24' allow.noreserved_ports
act $X bind 192.0.2.19 80
is "$RC.$OUT" "1.Permission denied" "with allow.noreserved_ports, port 80 is refused"
rm_jail $X
act host socket inet raw icmp
is "$RC" 0 "  control: the host's root makes a raw socket"
act host socket inet dgram icmp
is "$RC" 0 "  control: the host makes a ping socket"
act $A socket inet stream tcp
is "$RC" 0 "  control: $A makes a TCP socket"

# ----------------------------------------------- abstract unix sockets ----
spawn host abstract-listen "vjail-test-$$"
act $A abstract-connect "vjail-test-$$"
is "$RC.$OUT" "1.Operation not permitted" "$A cannot connect to the host's abstract socket"
act host abstract-connect "vjail-test-$$"
is "$RC.$OUT" "0.hello" "  control: the host can"
act $A abstract-self "vjail-test-a-$$"
is "$RC.$OUT" "0.ok" "  control: $A's own abstract sockets work"

# ------------------------------------------------------------ attacks ----
cg=$(cgroup_of $A)
id=$(bpftool cgroup show "$cg" | awk '$2 == "cgroup_inet4_connect" { print $1 }')
run jexec $A /usr/sbin/bpftool cgroup detach "$cg" connect4 id "$id"
is "$RC" 255 "$A's root cannot detach its connect4 program (bpftool exit 255)"
like "$ERR" "Operation not permitted" "  the kernel says EPERM"
run bpftool cgroup show "$cg"
like "$OUT" "^$id +cgroup_inet4_connect " "  control: from the host the program is there to detach"
# its own cgroup2 mount's root is the cgroup the programs sit on
# (if allow.mount lets it mount one: allow.* may refuse the mount first)
run jexec $A sh -c "mkdir /dev/cg; mount -t cgroup2 none /dev/cg 2>/dev/null; perl $S bpf-detach /dev/cg 10"
like "$RC.$OUT" "^1\.(Invalid argument|Operation not permitted)$" \
	"$A's root: bpf(BPF_PROG_DETACH, connect4) on its cgroup fails (no program fd to name, none to get)"
run jexec $A /usr/sbin/bpftool prog show
like "$RC.$ERR" "^255\..*Operation not permitted" "$A's root cannot even list BPF programs"
run jexec $A sh -c 'echo $$ > /sys/fs/cgroup/unified/cgroup.procs'
like "$RC.$ERR" "^[1-9].*(Read-only|Permission denied)" "$A's root cannot move itself to the host's cgroup root"
run jexec $A sh -c "mkdir /dev/cg; mount -t cgroup2 none /dev/cg 2>/dev/null;
	echo \$\$ > /dev/cg/cgroup.procs 2>/dev/null; perl $S bind 192.0.2.1 7011"
like "$OUT" "Cannot assign requested address" \
	"$A's root trying to move to the top of its cgroup tree stays restricted"
is "$(progs_on "$cg")" 11 "  the eleven programs are still attached"
act $A bind 192.0.2.1 7011
is "$OUT" "Cannot assign requested address" "  and still refuse the host's address"
run jexec $A /usr/sbin/ip addr add 192.0.2.99/24 dev v0
like "$RC.$ERR" "^[1-9].*Operation not permitted" "$A's root cannot add an address to the host's link"

# listen() without bind: the kernel binds the wildcard, past the bind
# hooks; what comes in for the host's addresses is dropped
spawn $A autolisten
port=$FIRST
act host connect 192.0.2.1 "$port"
is "$OUT" "Connection timed out" "$A's unbound listener (port $port): the host's 192.0.2.1 does not reach it"
act host connect 192.0.2.10 "$port"
is "$OUT" "192.0.2.1 hello" "  control: $A's own 192.0.2.10 does"

# a source address given with IP_PKTINFO on a connected UDP socket
spawn host udprecv 192.0.2.1 7020
run jexec $A "$SA" pktinfo 192.0.2.1 192.0.2.1 7020
like "$RC.$OUT" "^1\.(Cannot assign requested address|Operation not permitted)\$" \
	"$A's root: a datagram with the host's source (IP_PKTINFO) is refused"
run jexec $A "$SA" pktinfo 192.0.2.10 192.0.2.1 7020
is "$RC.$OUT" "0.sent" "  control: with its own source it is sent"
wait_for 5 eval "[ \$(wc -l <'$BGOUT') -ge 2 ]"
is "$(tail -1 "$BGOUT")" "192.0.2.10" "  and the host received that one, not the other"
# TCP fast open connects through sendto: the same rules
serve host 127.0.0.1 7021 tfo
run jexec $A "$SA" tfo 127.0.0.1 7021
is "$RC.$OUT" "1.Connection refused" "$A: TCP fast open to the host's 127.0.0.1:7021 does not reach it"
act host connect 127.0.0.1 7021
is "$RC.$OUT" "0.127.0.0.1 tfo 127.0.0.1" "  control: the host's service is there"
run jexec $A "$SA" freebind 192.0.2.1 7022
is "$RC.$OUT" "1.Cannot assign requested address" "$A: IP_FREEBIND does not let it bind the host's address"
run "$SA" freebind 192.0.2.99 7022
is "$RC.$OUT" "0.192.0.2.99" "  control: the host binds an address it lacks with IP_FREEBIND"

# ----------------------------------------------------------- children ----
run jail -c name=$P path=/ persist children.max=3 'ip4.addr=v0|192.0.2.30/24,v0|192.0.2.31/24'
is "$RC.$ERR" "0." "jail -c $P ip4.addr=v0|192.0.2.30/24,v0|192.0.2.31/24 children.max=3"
snapshot
run jail -c name=$P.c path=/ persist ip4.addr=192.0.2.99
is "$RC.$ERR" "1.jail: ip4.addr: 192.0.2.99 is not an address of the parent jail" \
	"a child's address outside its parent's is refused"
no_trace $P.c
run jail -c name=$P.c path=/ persist 'ip4.addr=v0|192.0.2.31/24'
is "$RC.$ERR" "1.jail: ip4.addr: v0|192.0.2.31: the parent jail has no network stack of its own" \
	"a child of a jail on the host's stack may not alias the host's links"
no_trace $P.c
run jail -c name=$P.c path=/ persist ip4.addr=192.0.2.31
is "$RC.$ERR" "0." "a child with one of its parent's addresses is made"
act $P.c bind 0.0.0.0 7012
is "$OUT" "192.0.2.31" "  its wildcard bind is narrowed to its own 192.0.2.31"
act $P.c bind 192.0.2.30 7012
is "$OUT" "Cannot assign requested address" "  it may not bind its parent's other address"
act $P bind 192.0.2.30 7012
is "$OUT" "192.0.2.30" "  control: the parent may"
run jail -c name=$P.i path=/ persist ip4=inherit
is "$RC.$ERR" "0." "a child with ip4=inherit is made"
run jls -j $P.i ip4.addr
is "$OUT" "192.0.2.30/24,192.0.2.31/24" "  it has its parent's addresses"
act $P.i bind 192.0.2.1 7012
is "$OUT" "Cannot assign requested address" "  and not the host's"
act $P.i bind 0.0.0.0 7012
is "$OUT" "192.0.2.30" "  its wildcard is the parent's primary"

# a child of a vnet jail: its addresses are aliases in its parent's stack
V=${T}v
run jail -c name=$V path=/ persist vnet children.max=1
run jail -c name=$V.c path=/ persist 'ip4.addr=lo|192.0.2.77/32'
is "$RC.$ERR" "0." "a child of vnet jail $V with ip4.addr=lo|192.0.2.77/32"
run ip -n $V -o addr show dev lo
like "$OUT" "192\.0\.2\.77/32" "  the address is on $V's lo"
run ip -o addr show dev lo
unlike "$OUT" "192\.0\.2\.77" "  not on the host's"
act $V.c bind 0.0.0.0 7040
is "$OUT" "192.0.2.77" "  the child's wildcard bind is 192.0.2.77"
act $V bind 127.0.0.1 7040
is "$OUT" "127.0.0.1" "  control: $V itself is not restricted"
rm_jail $V.c
run ip -n $V -o addr show dev lo
unlike "$OUT" "192\.0\.2\.77" "  the child removed, the alias is gone from $V's lo"
rm_jail $V

# the rules are for the stack the jail shares, not for a stack of its own
run jail -c name=$P.v path=/ persist vnet
is "$RC.$ERR" "0." "a vnet child of $P"
act $P.v bind 127.0.0.1 7041
is "$OUT" "127.0.0.1" "  binds its own stack's 127.0.0.1 ($P's rules are for the host's stack)"
act $P.v socket inet6 stream 0
is "$RC" 0 "  and makes IPv6 sockets ($P has no IPv6)"
act $P bind 192.0.2.1 7041
is "$OUT" "Cannot assign requested address" "  control: $P is still restricted"
rm_jail $P.v
serve host 192.0.2.1 7042 unshared
run jail -c name=$X path=/ persist 'ip4.addr=v0|192.0.2.18/24' allow.namespaces
is "$RC.$ERR" "0." "jail $X with allow.namespaces"
run jexec $X unshare -n perl "$S" connect 192.0.2.1 7042
is "$RC.$OUT" "1.Network is unreachable" "  its root in a stack it made itself: unrestricted, and cut off"
rm_jail $X
act host connect 192.0.2.1 7042
is "$RC" 0 "  control: the host's service is there"

# ---------------------------------------------------------- bad input ----
snapshot
run jail -c name=$X path=/ persist 'ip4.addr=nosuch0|192.0.2.40/24'
is "$RC.$ERR" "1.jail: ip4.addr: nosuch0|192.0.2.40: no such interface" "an unknown interface is refused"
no_trace $X
run jail -c name=$X path=/ persist vnet ip6.addr=2001:db8::40
is "$RC.$ERR" "1.jail: vnet jails cannot have IP address restrictions" "ip6.addr on a vnet jail is refused"
no_trace $X
run jail -c name=$X path=/ persist vnet interface=v0
is "$RC.$ERR" "0." "interface on a vnet jail is no restriction (a jail.conf may set it for all)"
rm_jail $X
run jail -c name=$X path=/ persist ip4=inherit ip4.addr=192.0.2.40
is "$RC.$ERR" "1.jail: ip4.addr: only with ip4=new" "ip4=inherit with ip4.addr is refused"
no_trace $X
run jail -c name=$X path=/ persist 'ip4.addr=192.0.2.40,v0|192.0.2.40/24'
is "$RC.$ERR" "1.jail: ip4.addr: 192.0.2.40 is given twice" "a repeated address is refused"
run jail -c name=$X path=/ persist ip4.addr=0.0.0.0
is "$RC.$ERR" "1.jail: ip4.addr: 0.0.0.0 cannot be a jail's address" "0.0.0.0 is refused"
run jail -c name=$X path=/ persist 'ip4.addr=v0|192.0.2.40/24 vhid 1'
like "$ERR" "ifconfig options are not supported" "ifconfig options after the address are refused"
run jail -c name=$X path=/ persist 'ip4.addr=v1|192.0.2.40/255.255.255.0'
is "$RC.$ERR" "0." "a dotted netmask, as jail(8) takes it"
check "  192.0.2.40/24 is on v1" has_addr v1 192.0.2.40/24
rm_jail $X
run jail -c name=$X path=/ persist 'ip4.addr=v1|192.0.2.40/255.0.255.0'
is "$RC.$ERR" "1.jail: ip4.addr: bad prefix length in \"192.0.2.40/255.0.255.0\"" "  a mask with holes is refused"
# jails of one stack do not share addresses, unless each has just one
snapshot
run jail -c name=$X path=/ persist ip4.addr=192.0.2.50,192.0.2.10
is "$RC.$ERR" "1.jail: IPv4 addresses clash" "a jail with $A's 192.0.2.10 among two addresses: FreeBSD's clash"
no_trace $X
run jail -c name=$X path=/ persist ip6.addr=2001:db8::51,2001:db8::10
is "$RC.$ERR" "1.jail: IPv6 addresses clash" "  and for IPv6"
no_trace $X
run jail -c name=$X path=/ persist ip4.addr=192.0.2.11
is "$RC.$ERR" "0." "  control: $B's single 192.0.2.11 may be shared by a jail with only it"
rm_jail $X
# a failure after the alias and the programs were made walks them back
sysctl -qw net.ipv6.conf.v1.disable_ipv6=1
run jail -c name=$X path=/ persist 'ip4.addr=v1|192.0.2.41/24' 'ip6.addr=v1|2001:db8::41/64'
is "$RC" 1 "an IPv6 alias on a link without IPv6 fails"
like "$ERR" "ip6\.addr: v1\|2001:db8::41/64" "  naming the address"
no_trace $X
run ip -o addr show dev v1
unlike "$OUT" "192\.0\.2\.41" "  the IPv4 alias made before it is gone"
sysctl -qw net.ipv6.conf.v1.disable_ipv6=0

# an address the link had already is not the jail's to remove
ip addr add 192.0.2.42/24 dev v1
run jail -c name=$C path=/ persist 'ip4.addr=v1|192.0.2.42/24'
is "$RC.$ERR" "0." "a jail on an address v1 already has"
rm_jail $C
check "  its removal leaves the address on v1" has_addr v1 192.0.2.42/24
ip addr del 192.0.2.42/24 dev v1

# ------------------------------------------------------------ updates ----
run jail -m name=$A 'ip4.addr=v0|192.0.2.12/24'
is "$RC.$ERR" "0." "jail -m $A ip4.addr=v0|192.0.2.12/24"
check "  192.0.2.12 is on v0" has_addr v0 192.0.2.12/24
run ip -o addr show dev v0
unlike "$OUT" "192\.0\.2\.10/" "  192.0.2.10 is gone from it"
act $A bind 0.0.0.0 7030
is "$OUT" "192.0.2.12" "  $A's wildcard bind is now 192.0.2.12"
act $A bind 192.0.2.10 7030
is "$OUT" "Cannot assign requested address" "  and its old address is refused"
is "$(progs_on "$(cgroup_of $A)")" 11 "  eleven programs: the old ones went"
run jail -m name=$A 'ip4.addr=v0|192.0.2.12/24,192.0.2.30'
is "$RC.$ERR" "1.jail: IPv4 addresses clash" "an update clashing with $P's addresses is refused"
act $A bind 0.0.0.0 7030
is "$OUT" "192.0.2.12" "  and changes nothing"
run jail -m name=$P 'ip4.addr=v0|192.0.2.30/24'
is "$RC.$ERR" "1.jail: ip4.addr: 192.0.2.31 is used by jail \"$P.c\"" "$P may not drop an address its child uses"
check "  192.0.2.31 stays on v0" has_addr v0 192.0.2.31/24
run jail -m name=$B ip6.addr=2001:db8::11
is "$RC.$ERR" "0." "jail -m $B (ip6=disable) ip6.addr=2001:db8::11"
run jls -j $B ip6
is "$OUT" "new" "  its ip6 is new now"
act $B socket inet6 stream 0
is "$RC" 0 "  it makes IPv6 sockets"
run jail -c name=$X path=/ persist
run jail -m name=$X ip4.addr=192.0.2.60
is "$RC.$ERR" "1.jail: ip4 cannot be changed after creation" "an unrestricted jail does not become restricted"
rm_jail $X
run jail -m name=$A 'ip4.addr=v0|192.0.2.10/24'
is "$RC.$ERR" "0." "jail -m $A back to 192.0.2.10"
# an update failing half-way leaves the jail as it was
sysctl -qw net.ipv6.conf.v1.disable_ipv6=1
run jail -m name=$A 'ip4.addr=v0|192.0.2.10/24,v0|192.0.2.14/24' 'ip6.addr=v1|2001:db8::14/64'
like "$RC.$ERR" "^1\.jail: .*ip6\.addr: v1\|2001:db8::14/64" "an update whose IPv6 alias fails is refused"
sysctl -qw net.ipv6.conf.v1.disable_ipv6=0
run ip -o addr show dev v0
unlike "$OUT" "192\.0\.2\.14/" "  the IPv4 alias it had added is gone"
run jls -j $A ip4.addr ip6.addr
is "$OUT" "v0|192.0.2.10/24 v0|2001:db8::10/64" "  jls shows the old addresses"
act $A bind 192.0.2.14 7031
is "$OUT" "Cannot assign requested address" "  and the old rules hold"

# ------------------------------------------------------------ saddrsel ----
ip addr add 203.0.113.1/24 dev v1
run jail -c name=$X path=/ persist 'ip4.addr=v0|192.0.2.15/24,v1|203.0.113.15/24'
is "$RC.$ERR" "0." "jail $X with 192.0.2.15/24 (primary) and 203.0.113.15/24"
serve host 0.0.0.0 7050 sel
act $X connect 203.0.113.1 7050
is "$OUT" "203.0.113.15 sel 203.0.113.15" "  to 203.0.113.1 it speaks from 203.0.113.15 (ip4.saddrsel)"
rm_jail $X
run jail -c name=$X path=/ persist 'ip4.addr=v0|192.0.2.15/24,v1|203.0.113.15/24' ip4.nosaddrsel
is "$RC.$ERR" "0." "the same with ip4.nosaddrsel"
serve host 0.0.0.0 7051 sel
act $X connect 203.0.113.1 7051
is "$OUT" "192.0.2.15 sel 192.0.2.15" "  it always speaks from its primary"
rm_jail $X
ip addr del 203.0.113.1/24 dev v1

# ------------------------------------------------------------ jail.conf ----
cat >"$OPEN/ip.conf" <<CONF
path = "/";
$C {
	persist;
	interface = v1;
	ip4.addr = 198.51.100.10/24, 198.51.100.11;
	ip4.addr += "v0|198.51.100.12/24";
	ip6.addr = "2001:db8:1::10";
}
CONF
run jail -f "$OPEN/ip.conf" -c $C
is "$RC.$OUT.$ERR" "0.$C: created." "jail.conf: interface, ip4.addr with +=, ip6.addr"
run jls -j $C ip4.addr ip6.addr
is "$OUT" "198.51.100.10/24,198.51.100.11,v0|198.51.100.12/24 2001:db8:1::10" "  jls: the list as written"
run sh -c 'ip -o addr show dev v1; ip -o addr show dev v0'
like "$OUT" "v1 +inet 198\.51\.100\.10/24" "  198.51.100.10/24 on v1 (interface)"
like "$OUT" "v1 +inet 198\.51\.100\.11/32" "  198.51.100.11/32 on v1"
like "$OUT" "v0 +inet 198\.51\.100\.12/24" "  198.51.100.12/24 on v0 (its own)"
like "$OUT" "v1 +inet6 2001:db8:1::10/128" "  2001:db8:1::10/128 on v1"
run jail -f "$OPEN/ip.conf" -r $C
run sh -c 'ip -o addr show dev v1; ip -o addr show dev v0'
unlike "$OUT" "198\.51\.100\.1[0-2]|2001:db8:1::10" "  jail -r: all four are gone"

# ------------------------------------------------------------ removal ----
cg=$(cgroup_of $A)
run jail -r $A
is "$RC.$OUT" "0." "jail -r $A (a command-line removal prints nothing, as FreeBSD)"
run ip -o addr show dev v0
unlike "$OUT" "192\.0\.2\.10/|2001:db8::10/" "  its aliases are gone from v0"
check "  its cgroup, with the programs, is gone" eval "[ ! -d '$cg' ]"
run jail -c name=$X path=/ persist ip4.addr=192.0.2.50,192.0.2.10
is "$RC.$ERR" "0." "  its addresses are free again"
rm_jail $X
# a holder killed outright: the monitor still removes the aliases
hp=$(holder_pid $B)
kill -9 "$hp"
check "$B's holder killed: its alias goes with it" wait_for 5 eval '! has_addr v0 192.0.2.11/32'
check "  and the jail" wait_for 5 jail_absent $B
# a crash of everything (monitor and holder killed): the next command
# that sweeps the registry removes the recorded alias and the FIB rule
run jail -c name=$X path=/ persist 'ip4.addr=v1|192.0.2.16/24' exec.fib=7
is "$RC.$ERR" "0." "jail $X with an alias on v1 and exec.fib=7"
rec=$VJAIL_RUNDIR/jails/$(jid_of $X)
mp=$(sed -n 's/^\.monitor=//p' "$rec"); hp=$(sed -n 's/^\.holder=//p' "$rec")
kill -KILL "$mp" "$hp"
wait_for 3 pid_gone "$hp"
check "  monitor and holder killed: the alias is still there" has_addr v1 192.0.2.16/24
sleep 1.1	# the registry is swept at most once a second
run jail -c name=${X}2 path=/ persist
check "  the next jail -c sweeps: the alias is gone" eval '! has_addr v1 192.0.2.16/24'
run ip rule
unlike "$OUT" "fwmark 0x766a0007" "  and so is FIB 7's rule"
rm_jail ${X}2
rm_jail $D; rm_jail $P

done_testing
