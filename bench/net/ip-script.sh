#!/bin/bash
# The peer for the network benchmark: N "jails" wired to one bridge, built
# and torn down with iproute2 from a shell script, one command at a time.
#
# usage: ip-script.sh [-b] create|destroy PREFIX BRIDGE N
#
# create: bridge BRIDGE (multicast snooping off, no IPv6 address of its
# own), then for K = 1..N: namespace PREFIXK (/run/netns/PREFIXK), a veth
# pair with host end PREFIXK on the bridge and peer eth0 made in the
# namespace, IPv6 address generation off on the host end before it goes up,
# 198.18.0.0+K/15 on eth0, lo and eth0 up.  The same kernel work, and the
# same IPv6 settings, as bench/net/netfloor.c (without -J).
# destroy: ip netns del PREFIXK for every K, then delete the bridge.
#
# -b: the same with ip -batch: one ip for everything on the host side and
# one "ip -n PREFIXK -batch" per namespace, so create runs N + 1 ip
# processes instead of 6N + 2, and destroy runs one instead of N + 1.
#
# Stops at the first failing command (exit 1); cleaning up is the
# caller's job: "ip-script.sh -f destroy ..." also takes down a half-made
# topology, skipping what is not there and deleting host ends left
# without a namespace.
set -euo pipefail

batch=0 force=0
while [[ ${1:-} == -* ]]; do
	case $1 in
	-b) batch=1 ;;
	-f) force=1 ;;
	*) echo "usage: ip-script.sh [-b] [-f] create|destroy PREFIX BRIDGE N" >&2
	   exit 2 ;;
	esac
	shift
done
(($# == 4)) && [[ $4 =~ ^[1-9][0-9]*$ ]] || {
	echo "usage: ip-script.sh [-b] [-f] create|destroy PREFIX BRIDGE N" >&2
	exit 2
}
op=$1 p=$2 br=$3 n=$4

addr() { echo "198.18.$(($1 >> 8)).$(($1 & 255))/15"; }

case $op,$batch in
create,0)
	ip link add "$br" type bridge mcast_snooping 0
	ip link set "$br" addrgenmode none up
	for ((k = 1; k <= n; k++)); do
		ip netns add "$p$k"
		ip link add "$p$k" master "$br" type veth peer name eth0 \
			netns "$p$k"
		# Before the link has carrier (its peer is still down), so
		# no link-local address is made.
		ip link set "$p$k" addrgenmode none up
		ip -n "$p$k" addr add "$(addr "$k")" dev eth0
		ip -n "$p$k" link set lo up
		ip -n "$p$k" link set eth0 up
	done
	;;
create,1)
	{
		echo "link add $br type bridge mcast_snooping 0"
		echo "link set $br addrgenmode none up"
		for ((k = 1; k <= n; k++)); do
			echo "netns add $p$k"
			echo "link add $p$k master $br type veth peer name eth0 netns $p$k"
			echo "link set $p$k addrgenmode none up"
		done
	} | ip -batch -
	for ((k = 1; k <= n; k++)); do
		printf 'addr add %s dev eth0\nlink set lo up\nlink set eth0 up\n' \
			"$(addr "$k")" | ip -n "$p$k" -batch -
	done
	;;
destroy,0)
	for ((k = 1; k <= n; k++)); do
		if ((force)); then
			[[ -e /run/netns/$p$k ]] || continue
			ip netns del "$p$k" || true
		else
			ip netns del "$p$k"
		fi
	done
	if ((force)); then
		for ((k = 1; k <= n; k++)); do	# host ends left without a netns
			ip link show dev "$p$k" >/dev/null 2>&1 && ip link del "$p$k" || true
		done
		ip link show dev "$br" >/dev/null 2>&1 && ip link del "$br" || true
	else
		ip link del "$br"
	fi
	;;
destroy,1)
	{
		for ((k = 1; k <= n; k++)); do
			((force)) && [[ ! -e /run/netns/$p$k ]] && continue
			echo "netns del $p$k"
		done
		((force)) && ! ip link show dev "$br" >/dev/null 2>&1 || echo "link del $br"
	} | ip $( ((force)) && echo -force) -batch -
	;;
*)
	echo "ip-script.sh: unknown operation $op" >&2
	exit 2
	;;
esac
