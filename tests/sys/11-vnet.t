#!/usr/bin/env bash
# vnet networking (issue 4): a stack of the jail's own published for ip
# netns, epairs on bridges, addresses, moved interfaces (in at create, back
# at remove, also by jail -m), bad input walked back, teardown that leaves
# no link or bridge. The test's own network namespace plays the host.
. "$(dirname "$0")/lib.sh"

A=${T}a
B=${T}b

# host_links: the links of the test's stack, by name, sorted (no @peer)
host_links() { ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }
# jail_links J: the same in the jail's stack, seen through /run/netns/J
jail_links() { ip -n "$1" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }
# links_are EXPECTED: the host's links are EXPECTED (host_links' form)
links_are() { [ "$(host_links)" == "$1" ]; }
# has_link NAME / no_link NAME: on the host
has_link() { ip link show dev "$1" >/dev/null 2>&1; }
no_link() { ! ip link show dev "$1" >/dev/null 2>&1; }
# is_bridge NAME [NETNS]
is_bridge() { ip ${2:+-n "$2"} -d -o link show dev "$1" 2>/dev/null | grep -q ' bridge '; }
# master_of LINK [NETNS]: the bridge LINK is a port of
master_of() { ip ${2:+-n "$2"} -o link show dev "$1" 2>/dev/null | grep -o ' master [^ ]*' | cut -d' ' -f3; }
# alias_of LINK: its ip link alias
alias_of() { ip -o link show dev "$1" 2>/dev/null | sed -n 's/.*\\ *alias \(.*\)$/\1/p'; }
# epair JID INDEX: the host end of a jail's INDEXth bridge epair
epair() { echo "epair$(($1 * 10 + $2))a"; }
# pings J ADDR: one ping from jail J reaches ADDR
pings() { timeout 10 "$VJAIL_BIN/jexec" "$1" ping -c1 -W2 "$2" >/dev/null 2>&1; }
# host_pings ADDR: one ping from the test's stack reaches ADDR
host_pings() { timeout 10 ping -c1 -W2 "$1" >/dev/null 2>&1; }
# addrs J IFACE: the jail's addresses on IFACE, "addr/plen" one a line
addrs() { ip -n "$1" -o addr show dev "$2" 2>/dev/null | awk '{ print $4 }'; }

have_ping=0
command -v ping >/dev/null 2>&1 && have_ping=1
ok "$((1 - have_ping))" "ping is installed (the pings below need it: iputils-ping)"
base=$(host_links)
is "$base" "lo" "the test's stack starts with lo alone"

# ------------------------------------------------- a bare vnet stack ----

run jail -c name=$A path=/ persist vnet
is "$RC.$OUT.$ERR" "0.." "jail -c ... vnet (bare) creates a vnet jail"
check "/run/netns/$A is published" test -e "/run/netns/$A"
like "$(ip -n $A -o link show lo 2>&1)" '<[^>]*LOOPBACK,UP[,>]' "ip -n $A: lo is up"
like "$(ip -n $A -o addr show dev lo 2>&1)" 'inet 127\.0\.0\.1/8' "  with 127.0.0.1/8"
is "$(jail_links $A)" "lo" "  and the jail has lo alone"
run jexec $A ip -o link show
like "$OUT" '^1: lo:.*UP' "jexec $A ip link: the jail sees its own lo, up"
is "$(echo "$OUT" | grep -c .)" 1 "  and no link of the host" || diag "$OUT"
if [ $have_ping = 1 ]; then
	check "jexec $A ping 127.0.0.1 works (lo up)" pings $A 127.0.0.1
else
	skip "no ping"
fi

# a listener in the jail: ss through ip netns exec sees it, the host's does not
bg jexec $A perl -MIO::Socket::INET -e '
	$SIG{ALRM} = sub { exit 3 }; alarm 15;
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:7357", Listen => 5, ReuseAddr => 1)
		or die "listen: $!\n";
	my $c = $s->accept or die "accept: $!\n";
	print $c "hello from the jail\n"; close $c;'
lp=$BGPID
listening() { timeout 10 ip netns exec "$1" ss -ltn 2>/dev/null | grep -q '127\.0\.0\.1:7357 '; }
check "ip netns exec $A ss -ltn shows the jail's listener" wait_for 3 listening $A
run ss -ltn
unlike "$OUT" '127\.0\.0\.1:7357 ' "  the host's ss -ltn does not"
run ip netns exec $A perl -MIO::Socket::INET -e '
	my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:7357", Timeout => 3) or die "connect: $!\n";
	print scalar <$c>;'
is "$RC.$OUT" "0.hello from the jail" "ip netns exec $A connects to the jail's 127.0.0.1:7357"
wait_for 3 pid_gone $lp
run jail -r $A
is "$RC.$OUT" "0." "the bare vnet jail is removed"
check "/run/netns/$A is gone" wait_for 3 eval "[ ! -e /run/netns/$A ] && [ ! -L /run/netns/$A ]"

# ------------------------------------------------ two jails on a bridge ----

run jail -c name=$A path=/ persist vnet vnet.bridge=br0 \
	vnet.ip4.addr=198.51.100.2/24 vnet.ip6.addr=2001:db8::2/64
is "$RC.$OUT.$ERR" "0.." "jail -c $A vnet vnet.bridge=br0 vnet.ip4.addr= vnet.ip6.addr="
ll=$(ip -n $A -6 -o addr show dev eth0 scope link 2>&1)
like "$ll" 'inet6 fe80::' "  eth0's link-local is there when jail -c returns"
unlike "$ll" 'tentative' "  and usable at once (no DAD wait for it)"
run jail -c name=$B path=/ persist vnet vnet.bridge=br0 \
	vnet.ip4.addr=198.51.100.3/24 vnet.ip6.addr=2001:db8::3/64
is "$RC.$OUT.$ERR" "0.." "jail -c $B on the same bridge"
# IPv6 first, at once: static addresses must not wait for DAD
if [ $have_ping = 1 ]; then
	check "right after creation, $A pings $B over IPv6 (2001:db8::3)" pings $A 2001:db8::3
	check "$A pings $B over IPv4 (198.51.100.3)" pings $A 198.51.100.3
	check "$B pings $A over IPv4 and IPv6" eval "pings $B 198.51.100.2 && pings $B 2001:db8::2"
	run timeout 10 "$VJAIL_BIN/jexec" $A ping -c1 -W1 198.51.100.99
	isnt "$RC" 0 "  a ping to an address nobody has fails (the pings above are real)"
else
	skip "no ping" 4
fi
ja=$(jid_of $A); jb=$(jid_of $B)
ea=$(epair "${ja:-0}" 0); eb=$(epair "${jb:-0}" 0)
check "br0 was created on the host" has_link br0
check "  as a bridge" is_bridge br0
is "$(alias_of br0)" vjail "  tagged with the alias vjail"
like "$(ip -o link show dev br0 2>&1)" '<[^>]*[<,]UP[,>]' "  and up"
# no multicast snooping (FreeBSD's if_bridge has none): a port's state
# change would re-arm query timers on every port; the pings above show
# multicast (IPv6 neighbour discovery) still reaches every port
like "$(ip -d -o link show dev br0 2>&1)" ' mcast_snooping 0 ' \
	"  without multicast snooping"
ip link add name vjtbr0 type bridge 2>/dev/null
like "$(ip -d -o link show dev vjtbr0 2>&1)" ' mcast_snooping 1 ' \
	"  (a bridge made by hand snoops: the control)"
ip link del vjtbr0 2>/dev/null
check "$A's host end is $ea" has_link "$ea"
is "$(master_of "$ea")" br0 "  a port of br0"
is "$(master_of "$eb")" br0 "$B's host end $eb is a port of br0 too"
is "$(jail_links $A)" "eth0
lo" "$A has eth0 and lo"
like "$(ip -n $A -o link show eth0 2>&1)" '<[^>]*[<,]UP[,>]' "  eth0 is up"
is "$(addrs $A eth0 | grep -v '^fe80')" "198.51.100.2/24
2001:db8::2/64" "  with 198.51.100.2/24 and 2001:db8::2/64"
like "$(ip -n $A -6 -o addr show dev eth0 scope global 2>&1)" '2001:db8::2/64' "  the IPv6 address is there at once"
unlike "$(ip -n $A -6 -o addr show dev eth0 scope global 2>&1)" 'tentative|dadfailed' "  and not tentative (no DAD wait)"
check "  and eth0 gets its IPv6 link-local address as usual" \
	wait_for 3 eval "ip -n $A -6 -o addr show dev eth0 2>/dev/null | grep -q 'inet6 fe80::'"
# quieting the jail side is the user's choice (issue 4, DESIGN "Networks"):
# once the jail is up its eth0 behaves as any link of that stack
for k in accept_dad dad_transmits router_solicitations; do
	is "$(jexec $A cat /proc/sys/net/ipv6/conf/eth0/$k 2>&1)" \
		"$(jexec $A cat /proc/sys/net/ipv6/conf/default/$k 2>&1)" \
		"  eth0's IPv6 $k is the stack's default (the jail side is not kept quiet)"
done
is "$(ip -6 -o addr show dev "$ea" 2>&1)" "" "the host end has no IPv6 address (quiet ports)"
is "$(ip -6 -o addr show dev br0 2>&1)" "" "br0 has none either: no address of the host on the jails' segment"
# IPv6 off on host ends (issue 13): no multicast route a port in the
# host's table, whose list each new port's route used to walk; the pings
# above crossed br0 in both families all the same
is "$(cat /proc/sys/net/ipv6/conf/$ea/disable_ipv6 2>&1).$(cat /proc/sys/net/ipv6/conf/$eb/disable_ipv6 2>&1)" \
	"1.1" "  IPv6 is off on both host ends"
is "$(ip -6 route show table all dev "$ea" 2>&1; ip -6 route show table all dev "$eb" 2>&1)" "" \
	"  so the host has no route through either (no ff00::/8 a port)"
like "$(ip -6 route show table all dev br0 2>&1)" '^multicast ff00::/8 ' \
	"  br0 has its own (the control: a quiet link with IPv6 on gets one)"
run jls -s -j $A
like "$OUT" '(^| )vnet\.bridge="?br0"?( |$)' "jls -s shows vnet.bridge=br0" || diag "$OUT"
like "$OUT" '(^| )vnet\.ip4\.addr="?198\.51\.100\.2/24"?( |$)' "jls -s shows vnet.ip4.addr=198.51.100.2/24"

# removal: the epair goes, the bridge stays while a jail uses it
run jail -r $A
is "$RC.$OUT" "0." "jail -r $A"
check "  its epair $ea is gone" wait_for 3 no_link "$ea"
check "  br0 stays: $B still uses it" has_link br0
is "$(master_of "$eb")" br0 "  with $B's port"
run jail -r $B
is "$RC.$OUT" "0." "jail -r $B"
check "  its epair is gone" wait_for 3 no_link "$eb"
check "  and so is br0 (vjail made it, its last port left)" wait_for 3 no_link br0
check "the host has lo alone again" wait_for 3 links_are "$base" || diag "$(host_links)"

# ------------------------------------------------------- vnet.quiet ----
# IPv6-quiet jail ends for large topologies (issue 13): the epair ends
# vjail makes in a jail with vnet.quiet have no IPv6 link-local (so no
# DAD, router solicitation or MLD from them); static addresses still work.
# The control, a jail without it, keeps the kernel's link-locals.

Q=${T}q
run jail -c name=$Q path=/ persist vnet vnet.quiet vnet.bridge=br0 \
	vnet.ip4.addr=198.51.100.6/24 vnet.ip6.addr=2001:db8::6/64
is "$RC.$OUT.$ERR" "0.." "jail -c $Q vnet vnet.quiet vnet.bridge=br0 (addresses)"
run jail -c name=$A path=/ persist vnet vnet.bridge=br0 vnet.link=$Q \
	vnet.ip4.addr=198.51.100.2/24 vnet.ip6.addr=2001:db8::2/64
is "$RC.$OUT.$ERR" "0.." "jail -c $A on br0 without it, and vnet.link=$Q"
check "$A's eth0 gets its IPv6 link-local (the control)" wait_for 3 eval \
	"ip -n $A -6 -o addr show dev eth0 2>/dev/null | grep -q 'inet6 fe80::'"
check "  and so does eth1, its end of the link to $Q" wait_for 3 eval \
	"ip -n $A -6 -o addr show dev eth1 2>/dev/null | grep -q 'inet6 fe80::'"
is "$(jail_links $Q)" "eth0
eth1
lo" "$Q has eth0 (br0) and eth1 (the link from $A)"
is "$(ip -n $Q -6 -o addr show scope link 2>&1)" "" \
	"  and no IPv6 link-local address on either"
for l in eth0 eth1; do
	like "$(ip -n $Q -d -o link show dev $l 2>&1)" 'addrgenmode none' \
		"  $l: addrgenmode none"
done
unlike "$(ip -n $A -d -o link show dev eth0 2>&1)" 'addrgenmode none' \
	"  $A's eth0 has the kernel's addrgenmode (the control)"
like "$(ip -n $Q -6 -o addr show dev eth0 scope global 2>&1)" '2001:db8::6/64' \
	"  $Q's static IPv6 address is there"
is "$(jexec $Q cat /proc/sys/net/ipv6/conf/default/addr_gen_mode 2>&1)" 0 \
	"  the stack's default is untouched (only vjail's ends are quiet)"
if [ $have_ping = 1 ]; then
	check "$A pings $Q over IPv6 (no link-locals needed)" pings $A 2001:db8::6
	check "$Q pings $A over IPv4 and IPv6" \
		eval "pings $Q 198.51.100.2 && pings $Q 2001:db8::2"
else
	skip "no ping" 2
fi
run jls -n -j $Q
like "$OUT" '(^| )vnet\.quiet( |$)' "jls -n shows vnet.quiet for $Q" || diag "$OUT"
run jls -n -j $A
like "$OUT" '(^| )vnet\.noquiet( |$)' "  and vnet.noquiet for $A"
rm_jail $A
rm_jail $Q
check "both removed, nothing left" wait_for 3 links_are "$base" || diag "$(host_links)"

# ---------------------------------- two bridges, iface|addr, jls -s ----

C=${T}c
run jail -c name=$C path=/ persist vnet vnet.bridge=br0,br1 \
	'vnet.ip4.addr=198.51.100.4/24,eth1|203.0.113.4/24' \
	'vnet.ip6.addr=2001:db8::4/64,eth1|2001:db8:1::4/64' \
	vnet.ip4.defaultrouter=198.51.100.1 vnet.ip6.defaultrouter=2001:db8::1
is "$RC.$ERR" "0." "jail -c with two bridges, 'eth1|addr' and default routers"
jc=$(jid_of $C)
is "$(jail_links $C)" "eth0
eth1
lo" "  the jail has eth0 and eth1"
is "$(master_of "$(epair "${jc:-0}" 0)").$(master_of "$(epair "${jc:-0}" 1)")" "br0.br1" \
	"  $(epair "${jc:-0}" 0) is on br0, $(epair "${jc:-0}" 1) on br1"
is "$(addrs $C eth0 | grep -v '^fe80')" "198.51.100.4/24
2001:db8::4/64" "  eth0 has the plain addresses"
is "$(addrs $C eth1 | grep -v '^fe80')" "203.0.113.4/24
2001:db8:1::4/64" "  eth1 those written 'eth1|addr/plen'"
like "$(ip -n $C -4 route show default 2>&1)" '^default via 198\.51\.100\.1 dev eth0' "  IPv4 default route via 198.51.100.1"
like "$(ip -n $C -6 route show default 2>&1)" '^default via 2001:db8::1 dev eth0' "  IPv6 default route via 2001:db8::1"
run jls -s -j $C
saved=$OUT
is "$RC" 0 "jls -s -j $C"
run jail -r $C
is "$RC" 0 "$C removed"
check "  its bridges and epairs are gone" wait_for 3 links_are "$base" || diag "$(host_links)"
RC=x; ERR=""
eval "run jail -q -c $saved" 2>"$WORK/eval.err"
is "$RC.$ERR" "0." "jail -c \$(jls -s) (through the shell) recreates it" ||
	diag "jls -s: $saved$(cat "$WORK/eval.err")"
jc=$(jid_of $C)
is "$(jail_links $C)" "eth0
eth1
lo" "  with eth0 and eth1"
is "$(master_of "$(epair "${jc:-0}" 0)").$(master_of "$(epair "${jc:-0}" 1)")" "br0.br1" "  on br0 and br1"
is "$(addrs $C eth0 | grep -v '^fe80' | tr '\n' ' ')$(addrs $C eth1 | grep -v '^fe80' | tr '\n' ' ')" \
	"198.51.100.4/24 2001:db8::4/64 203.0.113.4/24 2001:db8:1::4/64 " "  the same addresses"
like "$(ip -n $C -4 route show default 2>&1)" '^default via 198\.51\.100\.1 dev eth0' "  the same IPv4 default route"
like "$(ip -n $C -6 route show default 2>&1)" '^default via 2001:db8::1 dev eth0' "  the same IPv6 default route"
rm_jail $C
[[ $saved =~ (^| )jid=([0-9]+) ]] && rm_jail "${BASH_REMATCH[2]}"
check "removed again, nothing left" wait_for 3 links_are "$base" || diag "$(host_links)"

# --------------------------------------------- a bridge the user made ----

ip link add ubr0 type bridge && ip link set ubr0 up
U=${T}u
run jail -q -c name=$U path=/ persist vnet vnet.bridge=ubr0 vnet.ip4.addr=198.51.100.5/24
is "$RC.$ERR" "0." "a jail on the user's bridge ubr0"
ju=$(jid_of $U)
is "$(master_of "$(epair "${ju:-0}" 0)")" ubr0 "  its epair is a port of ubr0"
is "$(alias_of ubr0)" "" "  ubr0 is not tagged as vjail's"
ip addr add 198.51.100.1/24 dev ubr0
if [ $have_ping = 1 ]; then
	check "  the host pings the jail across ubr0" host_pings 198.51.100.5
else
	skip "no ping"
fi
rm_jail $U
check "after jail -r, its epair is gone" wait_for 3 no_link "$(epair "${ju:-0}" 0)"
check "  and ubr0 stays (the user made it)" has_link ubr0
like "$(ip -o addr show dev ubr0 2>&1)" '198\.51\.100\.1/24' "  with its address"
ip link del ubr0

# ------------------------------------ vnet.interface: in, and back --------

ip link add eth7 type veth peer name eth7p
ip link add ifb7 type ifb
J=${T}j
run jail -c name=$J path=/ persist vnet vnet.interface=eth7,ifb7
is "$RC.$OUT.$ERR" "0.." "jail -c ... vnet.interface=eth7,ifb7 (a veth end, an ifb)"
check "eth7 left the host" no_link eth7
check "ifb7 left the host" no_link ifb7
check "eth7p (its peer) stays" has_link eth7p
is "$(jail_links $J)" "eth7
ifb7
lo" "the jail has eth7 and ifb7 under their names"
like "$(jls -j $J vnet.interface 2>&1)" '^"?eth7,ifb7"?$' "jls shows vnet.interface=eth7,ifb7"
# the moved link works
jexec $J ip addr add 192.0.2.2/24 dev eth7 && jexec $J ip link set eth7 up
ip addr add 192.0.2.1/24 dev eth7p && ip link set eth7p up
if [ $have_ping = 1 ]; then
	check "the host pings the jail over the moved veth" host_pings 192.0.2.2
else
	skip "no ping"
fi
run jexec $J sh -c 'ip link set eth7 down && ip link set eth7 name x0 && ip link set ifb7 name x1'
is "$RC" 0 "the jail renames eth7 to x0 and ifb7 to x1"
is "$(jail_links $J | tr '\n' ' ')" "lo x0 x1 " "  (renamed)"
run jail -r $J
is "$RC.$OUT" "0." "jail -r $J"
check "eth7 is back on the host under its own name" wait_for 3 has_link eth7
check "ifb7 is back too" has_link ifb7
check "no x0 or x1 on the host" eval 'no_link x0 && no_link x1'
like "$(ip -o link show dev eth7 2>&1)" '^[0-9]+: eth7@eth7p:' "eth7 is still eth7p's peer (moved, not destroyed)"
is "$(host_links | tr '\n' ' ')" "eth7 eth7p ifb7 lo " "the host has exactly its links back"

# ------------------------------------ jail -m vnet.interface ------------

ip link add eth8 type veth peer name eth8p
ip link add eth9 type veth peer name eth9p
K=${T}k
run jail -q -c name=$K path=/ persist vnet
is "$RC" 0 "made $K (vnet, no interface)"
run jail -m name=$K vnet.interface=eth8,eth9
is "$RC.$OUT.$ERR" "0.." "jail -m vnet.interface=eth8,eth9"
is "$(jail_links $K | tr '\n' ' ')" "eth8 eth9 lo " "  both are in the jail"
check "  and neither on the host" eval 'no_link eth8 && no_link eth9'
like "$(jls -j $K vnet.interface 2>&1)" '^"?eth8,eth9"?$' "  jls shows vnet.interface=eth8,eth9"
run jail -m name=$K vnet.interface=eth9
is "$RC.$ERR" "0." "jail -m vnet.interface=eth9"
check "  eth8 is back on the host" has_link eth8
is "$(jail_links $K | tr '\n' ' ')" "eth9 lo " "  eth9 stays in the jail"
run jail -m name=$K vnet.interface=eth8,eth9
is "$RC.$ERR" "0." "jail -m vnet.interface=eth8,eth9 again"
is "$(jail_links $K | tr '\n' ' ')" "eth8 eth9 lo " "  both in"
run jail -m name=$K vnet.interface=
is "$RC.$ERR" "0." "jail -m vnet.interface= (empty list)"
check "  both are back on the host" eval 'has_link eth8 && has_link eth9'
is "$(jail_links $K)" "lo" "  the jail has lo alone"
run jail -m name=$K vnet.interface=eth9
is "$RC.$ERR" "0." "eth9 in again"
snapshot
links_k=$(host_links)
run jail -m name=$K vnet.interface=eth9,${T}nosuch
is "$RC" 1 "jail -m vnet.interface=eth9,<missing>: exit 1"
like "$ERR" "^jail: .*vnet\.interface" "  the message names vnet.interface"
is "$(jail_links $K | tr '\n' ' ').$(host_links | tr '\n' ' ')" \
	"eth9 lo .$(echo "$links_k" | tr '\n' ' ')" "  nothing moved"
run jail -m name=$K vnet.bridge=br0
is "$RC" 1 "jail -m vnet.bridge=br0 (create-only): exit 1"
like "$ERR" '^jail: .*vnet\.bridge' "  the message names vnet.bridge"
check "  no br0 was made" no_link br0

# ---------------------------------------------------- bad input -----------

X=${T}x
# refused NAME PATTERN DESC -- ARGS...: `jail ARGS` fails with status 1, a
# message matching PATTERN, nothing on stdout, and leaves no trace of NAME:
# no jail, registry entry, cgroup, netns, and the host's links as before.
refused() {
	local name=$1 pat=$2 desc=$3 before; shift 4
	snapshot
	before=$(host_links)
	run jail "$@"
	is "$RC" 1 "$desc: exit 1"
	like "$ERR" "^jail: .*$pat" "$desc: message names it"
	is "$OUT" "" "$desc: nothing on stdout"
	no_trace "$name"
	check "$desc: the host's links are as before" wait_for 3 links_are "$before" ||
		diag "before: $(echo $before) now: $(echo $(host_links))"
}

run jail -c name=$X path=/ persist vnet ip4.addr=198.51.100.7
is "$RC" 1 "ip4.addr on a vnet jail: exit 1"
is "$ERR" "jail: vnet jails cannot have IP address restrictions" "  FreeBSD's message"
no_trace $X
refused $X 'vnet\.interface' "vnet.interface that does not exist" -- \
	-c name=$X path=/ persist vnet vnet.interface=${T}nosuch
refused $X 'vnet\.interface' "vnet.interface already in a jail (eth9 in $K)" -- \
	-c name=$X path=/ persist vnet vnet.interface=eth9
is "$(jail_links $K | tr '\n' ' ')" "eth9 lo " "  eth9 stays in $K"
refused $X 'vnet\.bridge' "vnet.bridge name over 15 characters" -- \
	-c name=$X path=/ persist vnet vnet.bridge=averyveryverylongname
refused $X 'vnet\.ip4\.addr' "vnet.ip4.addr=198.51.100.300/24" -- \
	-c name=$X path=/ persist vnet vnet.bridge=br0 vnet.ip4.addr=198.51.100.300/24
refused $X 'vnet\.ip4\.addr' "vnet.ip4.addr with plen 33" -- \
	-c name=$X path=/ persist vnet vnet.bridge=br0 vnet.ip4.addr=198.51.100.2/33
refused $X 'vnet\.ip6\.addr' "vnet.ip6.addr=2001:db8::zz/64" -- \
	-c name=$X path=/ persist vnet vnet.bridge=br0 vnet.ip6.addr=2001:db8::zz/64
refused $X 'vnet\.ip4\.addr' "vnet.ip4.addr on eth5, which the jail lacks" -- \
	-c name=$X path=/ persist vnet vnet.bridge=br0 'vnet.ip4.addr=eth5|198.51.100.9/24'
ip link add nb0 type veth peer name nb0p
refused $X 'vnet\.bridge' "vnet.bridge naming a veth (not a bridge)" -- \
	-c name=$X path=/ persist vnet vnet.bridge=nb0
is "$(master_of nb0)" "" "  nb0 is no port of anything"
ip link del nb0
refused $X 'vnet\.quiet' "vnet.quiet without vnet" -- \
	-c name=$X path=/ persist vnet.quiet
refused $X 'vnet\.link' "vnet.link to a jail that does not exist" -- \
	-c name=$X path=/ persist vnet vnet.link=${T}nosuch
run jail -q -c name=${T}plain path=/ persist
refused $X 'vnet\.link' "vnet.link to a jail without vnet" -- \
	-c name=$X path=/ persist vnet vnet.link=${T}plain
rm_jail ${T}plain
# mid-wiring: the first interface moved, the second missing; and a bridge
# made, then an address that cannot be set
ip link add eth10 type veth peer name eth10p
refused $X 'vnet\.interface' "vnet.interface=eth10,<missing> (rolls back eth10)" -- \
	-c name=$X path=/ persist vnet vnet.interface=eth10,${T}nosuch
check "  eth10 is back on the host" has_link eth10
like "$(ip -o link show dev eth10 2>&1)" '^[0-9]+: eth10@eth10p:' "  still eth10p's peer"
refused $X 'vnet\.' "vnet.bridge=br0 and vnet.interface=<missing>" -- \
	-c name=$X path=/ persist vnet vnet.bridge=br0 vnet.interface=eth10,${T}nosuch
check "  no br0 left" no_link br0

# ------------------------------------------------------- teardown ------

rm_jail $K
check "jail -r $K gives eth9 back" wait_for 3 has_link eth9
ip link del eth7; ip link del ifb7; ip link del eth8; ip link del eth9; ip link del eth10
check "in the end the host has lo alone: no epair, no bridge" wait_for 3 links_are "$base" ||
	diag "$(host_links)"
check "and no /run/netns entry of this run" eval "! ls /run/netns 2>/dev/null | grep -q '^$T'"

# A jail end's IPv6 knobs are reached through the jail's own /proc while it
# is made (a procfs of its own: lookups there do not grow with the number
# of jails), but only a procfs, reached without symlinks.  Attack: roots
# whose proc is a fake conf tree (a FIFO as accept_dad, that would block
# whoever opens it), as a directory (the holder's procfs goes over it) and
# as a symlink to one (not followed: the host's /proc serves); control: each
# jail is made, its eth0 keeps the stack's own settings, the fake tree is
# never written.
for how in dir symlink; do
	R=$WORK/fake-$how
	mkroot "$R"
	rmdir "$R/proc"
	F=$R/proc
	[ $how = symlink ] && { F=$R/fake; ln -s fake "$R/proc"; }
	mkdir -p "$F/sys/net/ipv6/conf/eth0"
	mkfifo "$F/sys/net/ipv6/conf/eth0/accept_dad"
	echo -1 >"$F/sys/net/ipv6/conf/eth0/router_solicitations"
	before=$(stat -c %y "$F/sys/net/ipv6/conf/eth0/router_solicitations")
	run jail -c name=${T}f path="$R" persist vnet vnet.bridge=${T}fb \
		vnet.ip4.addr=198.51.100.9/24
	is "$RC.$ERR" "0." "a root whose proc is a fake conf tree ($how): the jail is made"
	is "$(stat -c %y "$F/sys/net/ipv6/conf/eth0/router_solicitations")" \
		"$before" "  the fake knob was not written"
	for k in accept_dad router_solicitations; do
		is "$(ip netns exec ${T}f cat /proc/sys/net/ipv6/conf/eth0/$k 2>&1)" \
			"$(ip netns exec ${T}f cat /proc/sys/net/ipv6/conf/default/$k 2>&1)" \
			"  its eth0's $k is the stack's default"
	done
	run jail -r ${T}f
	is "$RC.$ERR" "0." "  removed"
done

done_testing
