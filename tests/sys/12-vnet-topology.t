#!/usr/bin/env bash
# vnet topologies (issue 4): two segments joined by a router jail, hosts
# with default routers, IPv4 and IPv6 across the router; point-to-point
# vnet.link pairs; a child jail whose epair bridge lives in its parent's
# stack. Everything removed leaves no link, bridge or namespace.
. "$(dirname "$0")/lib.sh"

host_links() { ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }
jail_links() { ip -n "$1" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }
links_are() { [ "$(host_links)" == "$1" ]; }
has_link() { ip ${2:+-n "$2"} link show dev "$1" >/dev/null 2>&1; }
no_link() { ! ip ${2:+-n "$2"} link show dev "$1" >/dev/null 2>&1; }
is_bridge() { ip ${2:+-n "$2"} -d -o link show dev "$1" 2>/dev/null | grep -q ' bridge '; }
master_of() { ip ${2:+-n "$2"} -o link show dev "$1" 2>/dev/null | grep -o ' master [^ ]*' | cut -d' ' -f3; }
epair() { echo "epair$(($1 * 10 + $2))a"; }
pings() { timeout 10 "$VJAIL_BIN/jexec" "$1" ping -c1 -W2 "$2" >/dev/null 2>&1; }
addrs() { ip -n "$1" -o addr show dev "$2" 2>/dev/null | awk '$4 !~ /^fe80/ { print $4 }'; }
# ping_ttl J ADDR: the ttl (hop limit) of the reply to one ping from J
ping_ttl() { timeout 10 "$VJAIL_BIN/jexec" "$1" ping -c1 -W2 "$2" 2>/dev/null | grep -o 'ttl=[0-9]*' | head -1; }

if ! command -v ping >/dev/null 2>&1; then
	ok 1 "ping is installed (this file needs it: iputils-ping)"
	done_testing
	exit 0
fi
base=$(host_links)
is "$base" "lo" "the test's stack starts with lo alone"

R=${T}r
H1=${T}h1
H2=${T}h2
H3=${T}h3

# ------------------------------ two segments and a router between them ----

run jail -c name=$R path=/ persist vnet vnet.bridge=lan1,lan2 \
	'vnet.ip4.addr=198.51.100.1/24,eth1|203.0.113.1/24' \
	'vnet.ip6.addr=2001:db8:1::1/64,eth1|2001:db8:2::1/64'
is "$RC.$OUT.$ERR" "0.." "router $R on lan1 and lan2"
for h in "$H1 lan1 198.51.100.10 198.51.100.1 2001:db8:1::10 2001:db8:1::1" \
	"$H2 lan1 198.51.100.11 198.51.100.1 2001:db8:1::11 2001:db8:1::1" \
	"$H3 lan2 203.0.113.10 203.0.113.1 2001:db8:2::10 2001:db8:2::1"; do
	set -- $h
	run jail -c name=$1 path=/ persist vnet vnet.bridge=$2 \
		vnet.ip4.addr=$3/24 vnet.ip4.defaultrouter=$4 \
		vnet.ip6.addr=$5/64 vnet.ip6.defaultrouter=$6
	is "$RC.$OUT.$ERR" "0.." "host $1 on $2 ($3, $5) via $4"
done
jr=$(jid_of $R)
check "lan1 and lan2 are bridges on the host" eval 'is_bridge lan1 && is_bridge lan2'
is "$(master_of "$(epair "${jr:-0}" 0)").$(master_of "$(epair "${jr:-0}" 1)")" "lan1.lan2" \
	"the router's epairs: eth0 on lan1, eth1 on lan2"
is "$(ip -o link show master lan1 | wc -l).$(ip -o link show master lan2 | wc -l)" "3.2" \
	"lan1 has 3 ports (r, h1, h2), lan2 has 2 (r, h3)"
is "$(addrs $R eth0 | tr '\n' ' ')$(addrs $R eth1 | tr '\n' ' ')" \
	"198.51.100.1/24 2001:db8:1::1/64 203.0.113.1/24 2001:db8:2::1/64 " "the router's addresses"
like "$(ip -n $H1 -4 route show default 2>&1)" '^default via 198\.51\.100\.1 dev eth0' "$H1: IPv4 default route via the router"
like "$(ip -n $H3 -6 route show default 2>&1)" '^default via 2001:db8:2::1 dev eth0' "$H3: IPv6 default route via the router"

check "$H1 pings $H2 on lan1 (IPv4)" pings $H1 198.51.100.11
check "$H1 pings $H2 on lan1 (IPv6)" pings $H1 2001:db8:1::11
check "$H3 pings the router on lan2 (IPv4, IPv6)" eval "pings $H3 203.0.113.1 && pings $H3 2001:db8:2::1"
check "without forwarding, $H1 does not reach $H3" eval "! pings $H1 203.0.113.10"

run jexec $R sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
is "$RC" 0 "jexec $R sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1" || diag "$ERR"
is "$(sysctl -n net.ipv4.ip_forward)" 0 "  the host's (test stack's) forwarding is untouched"

check "$H1 pings $H3 across the router (IPv4)" pings $H1 203.0.113.10
is "$(ping_ttl $H1 203.0.113.10)" "ttl=63" "  one hop: the reply's ttl is 63"
check "$H3 pings $H1 across the router (IPv4)" pings $H3 198.51.100.10
check "$H1 pings $H3 across the router (IPv6)" pings $H1 2001:db8:2::10
is "$(ping_ttl $H1 2001:db8:2::10)" "ttl=63" "  one hop: the reply's hop limit is 63"
check "$H3 pings $H2 across the router (IPv6)" pings $H3 2001:db8:1::11
check "no host stack has those addresses (the test's stack is not on the path)" \
	eval "! ip -o addr show | grep -Eq '198\.51\.100\.|203\.0\.113\.|2001:db8'"

# ---------------------------------------------- point-to-point links ------

P1=${T}p1
P2=${T}p2
P3=${T}p3
run jail -q -c name=$P1 path=/ persist vnet vnet.bridge=lan1 vnet.ip4.addr=198.51.100.21/24
is "$RC.$ERR" "0." "$P1 on lan1 (eth0)"
run jail -c name=$P2 path=/ persist vnet vnet.bridge=lan2 vnet.link=$P1 \
	'vnet.ip4.addr=203.0.113.22/24,eth1|192.0.2.2/30' 'vnet.ip6.addr=eth1|2001:db8:12::2/64'
is "$RC.$OUT.$ERR" "0.." "$P2 on lan2 with vnet.link=$P1"
is "$(jail_links $P2 | tr '\n' ' ')" "eth0 eth1 lo " "  $P2: eth0 (lan2), eth1 (the link)"
is "$(jail_links $P1 | tr '\n' ' ')" "eth0 eth1 lo " "  $P1 got the other end as its next free ethK, eth1"
is "$(addrs $P2 eth1 | tr '\n' ' ')" "192.0.2.2/30 2001:db8:12::2/64 " "  $P2's eth1 has 192.0.2.2/30 and 2001:db8:12::2/64"
jexec $P1 ip link set eth1 up
jexec $P1 ip addr add 192.0.2.1/30 dev eth1
jexec $P1 ip addr add 2001:db8:12::1/64 dev eth1 nodad
check "$P2 pings $P1 over the link (IPv4)" pings $P2 192.0.2.1
check "$P1 pings $P2 over the link (IPv6)" pings $P1 2001:db8:12::2
is "$(ip -o link show | grep -c 'epair')" 7 "the host holds the 7 bridge epairs (r:2, h1, h2, h3, p1, p2), not the link's ends"

run jail -c name=$P3 path=/ persist vnet vnet.link=$P1,$P2 \
	'vnet.ip4.addr=eth0|192.0.2.6/30,eth1|192.0.2.10/30'
is "$RC.$OUT.$ERR" "0.." "$P3 with vnet.link=$P1,$P2 (a list)"
is "$(jail_links $P3 | tr '\n' ' ')" "eth0 eth1 lo " "  $P3: eth0 (to $P1), eth1 (to $P2)"
is "$(jail_links $P1 | tr '\n' ' ')" "eth0 eth1 eth2 lo " "  $P1's end is eth2"
is "$(jail_links $P2 | tr '\n' ' ')" "eth0 eth1 eth2 lo " "  $P2's end is eth2"
jexec $P1 sh -c 'ip link set eth2 up && ip addr add 192.0.2.5/30 dev eth2'
jexec $P2 sh -c 'ip link set eth2 up && ip addr add 192.0.2.9/30 dev eth2'
check "$P3 pings $P1 over eth0 and $P2 over eth1" eval "pings $P3 192.0.2.5 && pings $P3 192.0.2.9"

run jail -r $P3
is "$RC.$OUT" "0." "jail -r $P3"
check "  $P1 and $P2 lose their ends of its links (eth2)" \
	wait_for 3 eval "no_link eth2 $P1 && no_link eth2 $P2"
check "  the $P1-$P2 link stays" pings $P2 192.0.2.1
run jail -r $P2
is "$RC.$OUT" "0." "jail -r $P2"
check "  $P1 loses its end of the link (eth1)" wait_for 3 no_link eth1 $P1
check "  and keeps eth0 on lan1" pings $P1 198.51.100.10

# ------------------------- a child whose bridge is in its parent's stack --

P=${T}p
run jail -q -c name=$P path=/ persist vnet children.max=1 vnet.bridge=lan1 vnet.ip4.addr=198.51.100.30/24
is "$RC.$ERR" "0." "parent $P (vnet, on lan1, children.max=1)"
run jail -c name=$P.c path=/ persist vnet vnet.bridge=brc \
	vnet.ip4.addr=192.0.2.66/28 vnet.ip6.addr=2001:db8:3::66/64
is "$RC.$OUT.$ERR" "0.." "child $P.c made from the host with vnet vnet.bridge=brc"
jpc=$(jid_of $P.c)
check "brc is not on the host" no_link brc
check "brc is a bridge in $P's stack" is_bridge brc $P
is "$(master_of "$(epair "${jpc:-0}" 0)" $P)" brc "  the child's epair $(epair "${jpc:-0}" 0) is its port, in $P's stack"
is "$(jexec $P cat /proc/sys/net/ipv6/conf/$(epair "${jpc:-0}" 0)/disable_ipv6 2>&1).$(jexec $P cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>&1)" \
	"1.0" "  with IPv6 off, set in $P's stack (its own eth0 keeps it: the control)"
check "$P.c is published at /run/netns/$P.c" test -e "/run/netns/$P.c"
is "$(jail_links $P.c | tr '\n' ' ')" "eth0 lo " "  and has eth0 and lo"
jexec $P sh -c 'ip addr add 192.0.2.65/28 dev brc && ip addr add 2001:db8:3::65/64 dev brc nodad && ip link set brc up'
check "$P pings $P.c over brc (IPv4)" pings $P 192.0.2.66
check "$P.c pings $P (IPv4)" pings $P.c 192.0.2.65
check "$P.c pings $P (IPv6)" pings $P.c 2001:db8:3::65
check "$P still reaches lan1" pings $P 198.51.100.10
run jail -r $P.c
is "$RC.$OUT" "0." "jail -r $P.c"
check "  its epair leaves $P's stack" wait_for 3 no_link "$(epair "${jpc:-0}" 0)" $P
check "  and brc with it (vjail made it)" wait_for 3 no_link brc $P
run jail -q -c name=$P.c path=/ persist vnet vnet.bridge=brc vnet.ip4.addr=192.0.2.66/28
is "$RC.$ERR" "0." "$P.c made again"
run jail -r $P
is "$RC" 0 "jail -r $P takes $P.c with it"
check "  both are gone" eval "jail_absent $P && jail_absent $P.c"
check "  and so are their /run/netns entries" \
	wait_for 3 eval "[ ! -e /run/netns/$P ] && [ ! -e /run/netns/$P.c ] && [ ! -L /run/netns/$P.c ]"

# ------------------------------------------------------- teardown ---------

for j in $H1 $H2 $H3 $P1 $R; do
	run jail -r $j
	is "$RC.$OUT" "0." "jail -r $j"
done
check "no lan1, lan2, epair left: the host has lo alone" wait_for 3 links_are "$base" ||
	diag "$(host_links)"
check "no /run/netns entry of this run" eval "! ls /run/netns 2>/dev/null | grep -q '^$T'"

# jails on one bridge removed by one jail -r (jail(8) kills their holders
# one after the other and waits once): the last one takes the bridge,
# though the others' holders may still be dying when it is undone
for k in 1 2 3; do
	run jail -q -c name=${T}b$k path=/ persist vnet vnet.bridge=lan3 \
		vnet.ip4.addr=198.51.100.4$k/24
	is "$RC.$ERR" "0." "made ${T}b$k on lan3"
done
check "lan3 is a bridge with three ports" eval \
	'[ "$(ip -o link show master lan3 | wc -l)" = 3 ]'
# (their monitors killed first: jail -r then finishes each itself, not
# a monitor woken by its holder's end)
for k in 1 2 3; do
	m=$(sed -n 's/^\.monitor=//p' "$VJAIL_RUNDIR/jails/$(jid_of ${T}b$k)")
	[ -n "$m" ] && kill -KILL "$m" && wait_for 3 pid_gone "$m"
done
run jail -r ${T}b1 ${T}b2 ${T}b3
is "$RC" 0 "jail -r of the three at once"
check "no lan3 or epair left" wait_for 3 links_are "$base" || diag "$(host_links)"

done_testing
