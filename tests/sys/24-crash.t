#!/usr/bin/env bash
# Crash consistency (DESIGN.md: any vjail process may be killed at any
# instruction; no state may exist that jls does not show or jail -r cannot
# remove).  vjail is killed at each named step of create and remove
# (VJAIL_FAULT=<step>: a test-only hook, armed only with a registry other
# than the default one) and at random moments; holders and monitors are
# killed; registry records are damaged.  Each time: jls tells the truth,
# jail -r (or a re-create of the name) cleans up, and nothing of any kind
# is left: records, index entries, cgroups, netns links, links, bridges,
# processes; a link moved into the jail is back on the host.
. "$(dirname "$0")/lib.sh"

BR=${T}br
V=${T}v0
J=${T}c
ip link add "$V" type veth peer name "${V}p"
NETP=(vnet=new "vnet.interface=$V" "vnet.bridge=$BR")

# killed STEP CMD...: run CMD with the hook armed at STEP (the shell's own
# "Killed" notice kept off the test's output).
killed() { local st=$1; shift; { run env VJAIL_FAULT="$st" "$@"; } 2>/dev/null; }

# What this run has on the machine besides the registry's files: links of
# the test's stack other than lo and our veth pair, /run/netns entries,
# cgroups, processes in them, registry records and index entries.
leftovers() {
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -vxE "lo|$V|${V}p" | sed 's/^/link: /'
	registry_entries | sed 's/^/record: /'
	index_entries | sed 's/^/index: /'
	find "$VJAIL_CGROUP" -mindepth 1 -type d 2>/dev/null | sed 's/^/cgroup: /'
	for f in /run/netns/"$T"*; do [ -e "$f" ] || [ -L "$f" ] && echo "netns: $f"; done
	grep -lE "vjail-test\.$$/" /proc/[0-9]*/cgroup 2>/dev/null | sed 's/^/process: /'
}
clean() { [ -z "$(leftovers)" ]; }
v_home() { ip link show "$V" >/dev/null 2>&1; }

# after NAME WHAT: nothing is left (a monitor may still be finishing, so
# give it a moment), and the link moved into the jail is back.
after() {
	check "$2: nothing left" wait_for 5 clean || diag "$(leftovers)"
	check "$2: $V is back on the host" v_home
}

# the record of jail NAME (a file under jails/), by the names index
record_of() { echo "$VJAIL_RUNDIR/jails/$(readlink "$VJAIL_RUNDIR/names/$1")"; }
fact() { sed -n "s/^$2=//p" "$1"; }

# ---- create, killed at each step ----
# Before the holder exists nobody else knows of the creation: the record
# says CREATING, jls -d shows it, jail -r undoes it.  From then on the
# monitor sees its creator die and undoes it from the record, or jail -r
# does, whichever comes first.
early="reserve-recorded reserve-named reserve-done create-cgroup"
late="create-spawned create-holder net-linked net-move-recorded \
net-bridge-recorded net-bridge-made net-epair create-wired"
for st in $early $late; do
	killed $st jail -c name=$J path=/ persist "${NETP[@]}"
	is "$RC" 137 "jail -c killed at $st"
	if [[ " $early " == *" $st "* ]]; then
		run jls -d -j $J state
		is "$RC.$OUT" "0.creating" "$st: jls -d shows it, state creating"
	fi
	run jls
	unlike "$OUT" " $J\$|^ +[0-9]+ .*/\$" "$st: jls does not list the half-made jail"
	run jail -r $J
	ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" \
		"$st: jail -r removes it (or the monitor did)" || diag "$RC $ERR"
	after $J "$st"
done

# the monitor killed before the creator hears from it: the creation fails
# cleanly, and says why
killed monitor-setup jail -c name=$J path=/ persist "${NETP[@]}"
is "$RC" 1 "monitor killed during setup: jail -c fails"
like "$ERR" "monitor exited" "  saying the monitor exited"
after $J "monitor killed during setup"
# the helper that masks and locks the holder's mount table (a jail whose
# root may make mount calls) killed (it leaves nothing behind of its own):
# the creation fails cleanly, and says why
killed fs-lock jail -c name=$J path=/ persist "${NETP[@]}" allow.mount \
	allow.mount.tmpfs enforce_statfs=1
is "$RC" 1 "the helper locking the mount table killed: jail -c fails"
like "$ERR" "locking its mount table exited" "  saying so" || diag "$ERR"
after $J "the helper locking the mount table killed"
# libmnl is opened on first use: where it cannot be (a library of that
# name without its functions first on the path), the wired create fails
# at its first netlink step, says why, and leaves nothing
NOMNL=$WORK/nomnl
mkdir -p "$NOMNL" && cp "$(ls /lib/*/libseccomp.so.2 /usr/lib/*/libseccomp.so.2 2>/dev/null | head -1)" "$NOMNL/libmnl.so.0"
run env LD_LIBRARY_PATH="$NOMNL" "$VJAIL_BIN/jail" -c name=$J path=/ persist "${NETP[@]}"
is "$RC" 1 "libmnl unusable: the wired create fails"
like "$ERR" "libmnl\.so\.0: no mnl_" "  naming the library" || diag "$ERR"
after $J "libmnl unusable"
# ... and once it said ready: the jail is made and works without it
killed monitor-ready jail -c name=$J path=/ persist "${NETP[@]}"
is "$RC.$ERR" "0." "monitor killed once ready: the jail is made"
run jexec $J true
is "$RC" 0 "  and works"
run jail -r $J
is "$RC.$ERR" "0." "  and jail -r removes it"
after $J "monitor killed once ready"

# a re-create of the name finishes an abandoned one, without jail -r
killed create-wired jail -c name=$J path=/ persist "${NETP[@]}"
is "$RC" 137 "jail -c killed after wiring"
run jail -c name=$J path=/ persist "${NETP[@]}"
is "$RC.$ERR" "0." "a jail of the same name is made at once"
check "  with its own /run/netns link" test -e /run/netns/$J
run jail -r $J
is "$RC" 0 "  and removed"
after $J "re-create"

# ---- remove, killed at each step ----
# (net-bridge-left: the bridge's last user has left the registry's set
# of its users, the bridge not yet looked at)
for st in teardown-marked teardown-destroyed net-bridge-left teardown-cgroup; do
	run jail -c name=$J path=/ persist "${NETP[@]}"
	is "$RC.$ERR" "0." "$st: made $J"
	killed $st jail -r $J
	is "$RC" 137 "jail -r killed at $st"
	if [ $st != teardown-cgroup ]; then	# (its monitor may finish it)
		run jls -d -j $J state
		is "$RC.$OUT" "0.dying" "$st: jls -d shows it dying"
	fi
	run jls name
	unlike "$OUT" "^$J\$" "$st: jls no longer lists it"
	run jail -r $J
	ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" \
		"$st: jail -r finishes it" || diag "$RC $ERR"
	after $J "$st"
done

# ---- jail -r of several, killed once their holders (and monitors) are
# killed, before it waits for them (jail(8) kills them all, then waits
# once): the next jail -r finishes them ----
for k in 1 2; do
	run jail -c name=$J$k path=/ persist vnet "vnet.bridge=$BR"
	is "$RC.$ERR" "0." "made $J$k"
done
killed remove-wait jail -r $J"1" $J"2"
is "$RC" 137 "jail -r of both killed before waiting for their holders"
run jls name
unlike "$OUT" "^$J[12]\$" "  jls no longer lists them"
for k in 1 2; do
	run jail -r $J$k
	ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" \
		"  jail -r $J$k finishes it" || diag "$RC $ERR"
done
after $J "jail -r killed before its wait"

# ---- jail -r of jails on one bridge, one of them out of the bridge's
# users already (an earlier jail -r of it killed once it was undone):
# the bridge goes once the last of them is removed, whoever took each
# one out ----
for k in 1 2 3; do
	run jail -c name=$J$k path=/ persist vnet "vnet.bridge=$BR"
	is "$RC.$ERR" "0." "made $J$k on $BR"
done
killed teardown-destroyed jail -r $J"1"
is "$RC" 137 "jail -r $J""1 killed once undone"
run jail -r $J"2" $J"3" $J"1"
ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" \
	"  jail -r of the three then" || diag "$RC $ERR"
after $J "a bridge's users taken out by two jail -r"

# ---- the monitor killed in its own teardown ----
# (the hook armed when the jail is made is the monitor's too; a bridge
# only: a link moved into a stack whose holder is killed is the kernel's)
run env VJAIL_FAULT=teardown-marked jail -c name=$J path=/ persist vnet "vnet.bridge=$BR"
is "$RC.$ERR" "0." "made $J with its monitor to die in teardown"
mp=$(fact "$(record_of $J)" .monitor)
kill -KILL "$(holder_pid $J)"
check "its holder killed, the monitor dies marking it dying" wait_for 5 pid_gone "$mp"
run jls -d -j $J state
is "$RC.$OUT" "0.dying" "  jls -d shows it dying"
run jail -r $J
is "$RC.$ERR" "0." "  jail -r finishes it"
after $J "monitor killed in teardown"

# ---- a child jail, killed half-made ----
P=${T}p
run jail -c name=$P path=/ persist children.max=2 vnet
killed create-holder jail -c name=$P.k path=/ persist vnet "vnet.bridge=$BR"
is "$RC" 137 "jail -c of a child killed once its holder is recorded"
run jail -r $P.k
ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" "  jail -r removes the child"
run jexec $P true
is "$RC" 0 "  the parent still works"
killed create-spawned jail -c name=$P.k path=/ persist
is "$RC" 137 "another child killed once spawned"
run jail -r $P
is "$RC.$ERR" "0." "  jail -r of the parent takes the half-made child too"
check "  nothing left" wait_for 5 clean || diag "$(leftovers)"

# ---- the monitor killed in a jail's setfib (its part, SVC_SETFIB) ----
# The record says the jail has FIB groups before the first is made, so a
# teardown looks for them only then: killed once it said so (no group
# yet), or once the group, its member of FIB 1 and the rules are made,
# jail -r still removes all of it.  (A jail that never used setfib is not
# looked at: see 25-setfib for the removal of a live one's.)
kv=$(uname -r); kv=${kv%%-*}
if printf '5.18\n%s\n' "$kv" | sort -V -C; then
	for st in setfib-recorded setfib-entered; do
		run env VJAIL_FAULT=$st jail -c name=$J path=/ persist
		is "$RC.$ERR" "0." "$st: made $J, its monitor to die in setfib"
		mp=$(fact "$(record_of $J)" .monitor)
		cg=$(fact "$(record_of $J)" .cgroup)
		is "$(fact "$(record_of $J)" .fib_groups)" 0 "  its record says it has no FIB group"
		run jexec $J "$INNER_BIN/setfib" 1 true
		check "  jexec $J setfib 1: the monitor dies" wait_for 5 pid_gone "$mp"
		is "$(fact "$(record_of $J)" .fib_groups)" 1 "  the record says it may have one now"
		if [ $st = setfib-entered ]; then
			check "  its group for FIB 1 is made" test -d "$cg/jail/fib.$(stat -L -c %i /proc/self/ns/net).1"
			like "$(ls "$VJAIL_RUNDIR/fibs")" '\.1$' "  counted as a member of FIB 1"
			like "$(ip -4 rule)" "fwmark 0x766a0001" "  its rule is made"
		else
			check "  no group made" test -z "$(find "$cg" -name 'fib.*')"
		fi
		run jail -r $J
		is "$RC.$ERR" "0." "  jail -r removes it"
		unlike "$(ip -4 rule; ip -6 rule)" "0x766a0001" "  and the rules of FIB 1"
		after $J "monitor killed in setfib ($st)"
	done
else
	skip "setfib needs Linux 5.18 (this is $kv)" 20
fi

# ---- killed at random moments ----
for i in 1 2 3 4 5 6 7 8; do
	"$VJAIL_BIN/jail" -q -c name=$J path=/ persist "${NETP[@]}" </dev/null >/dev/null 2>&1 &
	p=$!
	sleep "0.00$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL $p 2>/dev/null; wait $p 2>/dev/null
	if jail_exists $J; then
		"$VJAIL_BIN/jail" -q -r $J </dev/null >/dev/null 2>&1 &
		p=$!
		sleep "0.00$((RANDOM % 10))"
		kill -KILL $p 2>/dev/null; wait $p 2>/dev/null
	fi
	timeout 20 jail -q -r $J >/dev/null 2>&1
done
after $J "8 creates and removes killed at random"

# ---- holder and monitor ----
# (a link moved into a stack that dies with its holder is the kernel's to
# destroy: these jails have a bridge only)
mon_of() { fact "$(record_of "$1")" .monitor; }
NETP=(vnet=new "vnet.bridge=$BR")
run jail -c name=$J path=/ persist "${NETP[@]}"
mp=$(mon_of $J); hp=$(holder_pid $J)
kill -KILL "$mp" "$hp"
wait_for 3 pid_gone "$hp"
run jls -d -j $J state
is "$RC.$OUT" "0.dead" "holder and monitor killed: jls -d shows the jail dead"
run jexec $J true
is "$RC" 1 "jexec of the dead jail fails"
like "$ERR" "not found" "  saying not found"
# (jexec is static, without netlink: a jail whose removal needs it, here
# for its bridge, is left whole to jail -r; 03-jexec.t)
run jls -d -j $J state
is "$RC.$OUT" "0.dead" "  and leaves it to jail -r: jls -d shows it dead"
run jail -r $J
is "$RC.$ERR" "0." "  jail -r removes it"
after $J "holder and monitor dead, jexec met it, jail -r"

run jail -c name=$J path=/ persist "${NETP[@]}"
mp=$(mon_of $J); hp=$(holder_pid $J)
kill -KILL "$mp" "$hp"
wait_for 3 pid_gone "$hp"
run jls name
unlike "$OUT" "^$J\$" "holder and monitor killed: jls does not list the jail"
run jail -r $J
is "$RC.$ERR" "0." "holder and monitor dead: jail -r removes the jail"
after $J "holder and monitor dead, jail -r"

# a dead monitor alone: a non-persistent jail still ends when it empties,
# noticed by the next command that looks at it
M=${T}m
run jail -c name=$M path=/ persist
bg jexec $M sleep 1000
check "a process runs in $M" wait_for 3 procs_running $M 'sleep 1000$'
run jail -m name=$M nopersist
kill -KILL "$(mon_of $M)"
check "its monitor is gone" wait_for 3 pid_gone "$(mon_of $M)"
check "the jail still runs its process" jail_exists $M
for p in $(jail_pids "$(jid_of $M)"); do
	[ "$(awk '/^NSpid:/ { print $NF }' /proc/$p/status 2>/dev/null)" = 1 ] || kill -KILL $p
done
check "once empty, the next look finds it gone" wait_for 5 jail_absent $M
check "  and nothing of it is left" wait_for 5 clean || diag "$(leftovers)"

# ... and when the jexec'd process ends by itself, the jexec that ran it
# ends the jail (no other command looks at it)
M=${T}m2
run jail -c name=$M path=/ persist
mrec=$(record_of $M)
bg jexec $M sleep 1
check "a jexec'd sleep 1 runs in $M" wait_for 3 procs_running $M 'sleep 1$'
run jail -m name=$M nopersist
kill -KILL "$(mon_of $M)"
wait "$BGPID"
is "$?" 0 "  the jexec returns with the sleep"
check "  and the jail's record is gone with it" test ! -e "$mrec"
check "  and nothing of it is left" wait_for 5 clean || diag "$(leftovers)"

# ---- damaged records ----
D=${T}d
mkd() { run jail -c name=$D path=/ persist vnet=new; jid=$(jid_of $D); rec=$(record_of $D); }

# empty (truncated) record: the jail is damaged, shown, removable
mkd
hp=$(holder_pid $D)
: >"$rec"
run jls -j $D
is "$RC" 1 "an emptied record: jls does not show it as a jail"
run jls -d -j $jid state
is "$RC.$OUT" "0.damaged" "  jls -d shows jail $jid as damaged"
run jail -r $D
is "$RC" 0 "  jail -r $D (by the name index) removes it"
check "  its holder is gone" wait_for 3 pid_gone "$hp"
check "  and nothing is left" wait_for 5 clean || diag "$(leftovers)"

# an emptied record of a jail with limits in v1 groups: they go too
if [ -d /sys/fs/cgroup/pids ] && grep -q " - cgroup .*[ ,]pids" /proc/self/mountinfo; then
	rctl -a jail:${D}l:maxproc:deny=20 >/dev/null
	run jail -c name=${D}l path=/ persist
	rec=$(record_of ${D}l)
	v1=$(fact "$rec" .cg1.pids)
	check "a jail with a maxproc rule has a v1 pids group" test -d "${v1:-/nonexistent}"
	: >"$rec"
	run jail -r ${D}l
	is "$RC" 0 "  its record emptied, jail -r removes it"
	check "  and its v1 group, found where vjail puts it" test ! -d "${v1:-/nonexistent}"
	rctl -r jail:${D}l >/dev/null 2>&1
else
	skip "no v1 pids hierarchy" 3
fi

# a record deleted outright: found through its cgroup
mkd
hp=$(holder_pid $D)
rm -f "$rec"
run jls -d
like "$OUT" "^ +$jid " "a deleted record: jls -d still lists jail $jid (its cgroup)"
run jail -r $jid
is "$RC" 0 "  jail -r $jid removes it"
check "  its holder is gone" wait_for 3 pid_gone "$hp"
check "  and nothing is left" wait_for 5 clean || diag "$(leftovers)"

# a record's word on how the jail's table was made (.table: 1, masks made
# by the holder, not locked): out of range, the record is not believed
mkd
is "$(fact "$rec" .table)" 1 "a default jail's record: masks made by its holder (.table=1)"
sed -i "s|^\.table=.*|.table=7|" "$rec"
run jls -d -j $jid state
is "$RC.$OUT" "0.damaged" "  rewritten to .table=7: jls -d shows it damaged"
run jail -q -m name=$D allow.mount allow.mount.tmpfs enforce_statfs=1
isnt "$RC" 0 "  jail -m cannot give it the mount calls"
run jail -r $D
is "$RC" 0 "  jail -r $D removes it"
check "  and nothing is left" wait_for 5 clean || diag "$(leftovers)"

# a record naming another cgroup: never killed on its word
mkdir "$VJAIL_CGROUP/victim"
sleep 1000 &
victim=$!
echo $victim >"$VJAIL_CGROUP/victim/cgroup.procs"
mkd
sed -i "s|^\.cgroup=.*|.cgroup=$VJAIL_CGROUP/victim|" "$rec"
run jail -r $D
is "$RC" 0 "a record whose cgroup was rewritten: jail -r removes the jail"
check "  a process of the cgroup it named lives" test -d /proc/$victim
check "  the jail's own cgroup is gone" test ! -d "$VJAIL_CGROUP/$jid"
# the same against another jail's cgroup
run jail -c name=${D}2 path=/ persist
other=$(jid_of ${D}2)
mkd
sed -i "s|^\.cgroup=.*|.cgroup=$VJAIL_CGROUP/$other|" "$rec"
run jail -r $D
is "$RC" 0 "a record naming another jail's cgroup: jail -r removes it"
check "  the other jail is untouched" jail_exists ${D}2
run jexec ${D}2 true
is "$RC" 0 "  and works"
rm_jail ${D}2
kill -KILL $victim; wait $victim 2>/dev/null
rmdir "$VJAIL_CGROUP/victim"
check "  nothing is left" wait_for 5 clean || diag "$(leftovers)"

# a FIFO among the records hangs nothing
mkd
mkfifo "$VJAIL_RUNDIR/jails/999"
RUN_TIMEOUT=10 run jls name
is "$RC.$OUT" "0.$D" "a FIFO in jails/: jls answers at once, listing the jail"
RUN_TIMEOUT=10 run jls -d jid state
like "$OUT" "^999 damaged$" "  jls -d shows the FIFO as a damaged record 999"
RUN_TIMEOUT=10 run jail -c name=${D}3 path=/ persist
is "$RC.$ERR" "0." "  jail -c works"
run jail -r 999
ok "$([ "$RC" = 0 ] || [[ $ERR == *'not found'* ]]; echo $?)" \
	"  jail -r 999 removes it (or a sweep of dead records did)"
check "  the FIFO is gone" test ! -e "$VJAIL_RUNDIR/jails/999"
rm_jail ${D}3

# a missing boot file drops no live jail
rm -f "$VJAIL_RUNDIR/boot"
run jail -c name=${D}3 path=/ persist
is "$RC" 0 "boot file deleted: the next jail -c works"
run jls name
is "$(echo "$OUT" | sort | tr '\n' ' ')" "$D ${D}3 " "  and the running jail is still listed"
run jexec $D true
is "$RC" 0 "  and still works"
rm_jail ${D}3

# counters out of range
for v in -5 99999999 junk; do
	echo "$v" >"$VJAIL_RUNDIR/lastjid"
	run jail -c name=${D}4 path=/ persist
	j4=$(jid_of ${D}4)
	ok "$([ "$RC" = 0 ] && [ "${j4:-0}" -ge 1 ] && [ "$j4" -le 999999 ]; echo $?)" \
		"lastjid=$v: the next jail gets a jid in range (${j4:-none})"
	rm_jail ${D}4
done
rm_jail $D
check "nothing is left of the damaged-record cases" wait_for 5 clean || diag "$(leftovers)"

# ---- errors that tell the truth ----
# a registry out of inodes says so (not "already exists")
TINY=$WORK/tiny
mkdir "$TINY" && mount -t tmpfs -o nr_inodes=16,size=1m vjail-test "$TINY"
tiny() { run env VJAIL_RUNDIR="$TINY/r" "$@"; }
full=""
for i in 1 2 3 4 5 6; do
	tiny jail -c name=${T}f$i path=/ persist
	[ "$RC" != 0 ] && { full=$ERR; break; }
done
like "$full" "registry: .*No space left on device" "a full registry: jail -c says the registry is full" ||
	diag "last: $RC $ERR"
unlike "$full" "already exists" "  not that the jail exists"
tiny jls -d name
made=$OUT
for n in $made; do tiny jail -r $n; done
tiny jls -d name
is "$OUT" "" "  the jails made before it filled are removed"
umount "$TINY"
run jail -c name=rel.. path=/ persist
is "$RC" 1 "name rel..: refused"
like "$ERR" "name: .*empty component" "  as a name with an empty component (not a missing parent)"
deep=$(printf 'a.%.0s' $(seq 1 32))a
run jail -c name=$deep path=/ persist
is "$RC" 1 "a jail 33 levels deep: refused"
like "$ERR" "nest at most" "  saying how deep jails nest"
run jail -c name=$J path=/ persist
pids=()
for i in 1 2 3 4; do
	timeout 20 "$VJAIL_BIN/jail" -r $J </dev/null >"$WORK/rm$i.out" 2>"$WORK/rm$i.err" &
	pids+=($!)
done
wins=0
for p in "${pids[@]}"; do wait $p && wins=$((wins + 1)); done
is "$wins" 1 "four jail -r $J at once: exactly one succeeds"
after $J "concurrent removes"

# ---- two registries on one stack ----
# (their jids meet; each its own cgroup base, as each its own registry)
R2=$WORK/reg2 CG2=$VJAIL_CGROUP/reg2 B2=${T}b2
mkdir -p "$CG2"
two() { run env VJAIL_RUNDIR="$R2" VJAIL_CGROUP="$CG2" "$@"; }
ports_of() { ip -o link show master "$1" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '; }
run jail -c name=${T}a path=/ persist vnet "vnet.bridge=$B2"
ja=$(jid_of ${T}a)
two jail -c name=${T}b jid=$ja path=/ persist vnet "vnet.bridge=$B2"
is "$RC.$ERR" "0." "a jail of the same jid ($ja) in another registry, on the same bridge: made"
is "$(ports_of $B2)" "$(printf 'epair%da\n' $((ja * 10)) $((10000000 + ja * 10)) | sort | tr '\n' ' ')" \
	"  both epairs are ports of $B2, the second under another name"
run jail -r ${T}a
check "removing the first keeps the bridge (the other registry's port counts)" \
	ip link show "$B2"
two jail -r ${T}b
is "$RC" 0 "removing the second"
check "  takes the bridge with it" wait_for 3 eval "! ip link show $B2 >/dev/null 2>&1"
rmdir "$CG2" 2>/dev/null
umount "$R2" 2>/dev/null	# (vjail's registry tmpfs, where /tmp is not one)
rm -rf "$R2"

# ---- input ----
run jail -c name=$'\xff'${T}u path=/ persist
is "$RC" 1 "a name that is not UTF-8: refused"
like "$ERR" "name: not valid UTF-8" "  saying why"
run jail -c name=${T}u$'\xc3\xa9' path=/ persist
is "$RC.$ERR" "0." "a name in UTF-8 (é): made"
rm_jail ${T}u$'\xc3\xa9'
run jail -c name=${T}h path=/ persist host.hostname=$'h\xffx'
is "$RC" 0 "a hostname with a byte that is not UTF-8: made (Linux allows it)"
run jls --libxo json
valid_json() { printf '%s' "$1" | python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))'; }
check "  jls --libxo json is still valid JSON (strict UTF-8)" valid_json "$OUT"
like "$OUT" 'h\\ufffdx' "  the byte shown as U+FFFD"
rm_jail ${T}h
run jail -c name=${T}x path=/ persist vnet vnet.bridge=$'a\tb'
is "$RC" 1 "a control character in vnet.bridge: refused"
like "$ERR" "vnet\.bridge: invalid character" "  naming vnet.bridge"

ip link del "$V" 2>/dev/null
done_testing
