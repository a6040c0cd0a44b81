#!/usr/bin/env bash
# Robustness: races between commands, a holder killed from outside, a
# registry with a stray file, many jails made and removed.
. "$(dirname "$0")/lib.sh"

# two creates of one name at once: exactly one wins, the other says why
for round in 1 2 3 4 5; do
	R=${T}race$round
	timeout 20 jail -c name=$R path=/ persist >"$WORK/r1.out" 2>"$WORK/r1.err" </dev/null &
	p1=$!
	timeout 20 jail -c name=$R path=/ persist >"$WORK/r2.out" 2>"$WORK/r2.err" </dev/null &
	p2=$!
	wait $p1; s1=$?
	wait $p2; s2=$?
	wins=$(( (s1 == 0) + (s2 == 0) ))
	if [ $s1 -eq 0 ]; then lose=r2; else lose=r1; fi
	why=""
	[ $wins -eq 1 ] || why+="$wins succeeded; "
	[ -s "$WORK/$lose.err" ] || why+="the loser said nothing; "
	[ "$(jls name 2>/dev/null | grep -cx "$R")" -eq 1 ] || why+="jls does not list it once; "
	[ "$(registry_count)" -eq 1 ] || why+="registry has $(registry_count) entries; "
	[ "$(jail_pids "$(jid_of $R)" | wc -l)" -eq 1 ] || why+="processes in its cgroup: $(jail_pids "$(jid_of $R)" | wc -l); "
	ok "$([ -z "$why" ]; echo $?)" "race $round: two jail -c name=$R at once, exactly one jail results" ||
		diag "$why status $s1/$s2; r1: $(cat "$WORK/r1.out" "$WORK/r1.err"); r2: $(cat "$WORK/r2.out" "$WORK/r2.err")"
	rm_jail $R
done
is "$(registry_count).$(cgroup_count)" "0.0" "after the races nothing is left over"

# creates of different names at once: all succeed, jids distinct
pids=()
for i in 1 2 3 4 5 6; do
	timeout 20 jail -q -c name=${T}par$i path=/ persist </dev/null >/dev/null 2>"$WORK/par$i.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
is "$fails" 0 "six jail -c of different names at once all succeed" || diag "$(cat "$WORK"/par*.err)"
jids=$(for i in 1 2 3 4 5 6; do jid_of ${T}par$i; done | sort -u | grep -c .)
is "$jids" 6 "  with six distinct jids"
# and removes at once
pids=()
for i in 1 2 3 4 5 6; do
	timeout 20 jail -q -r ${T}par$i </dev/null >/dev/null 2>"$WORK/par$i.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
is "$fails" 0 "six jail -r at once all succeed" || diag "$(cat "$WORK"/par*.err)"
is "$(registry_count).$(cgroup_count)" "0.0" "  leaving no registry entry and no cgroup"

# a holder killed with SIGKILL: the jail is gone for jls, and cleaned up
K=${T}kill
run jail -q -c name=$K path=/ persist vnet=new
jid=$(jid_of $K)
hp=$(holder_pid $K)
like "${hp:-}" '^[0-9]+$' "found $K's holder from the host (pid ${hp:-none})"
check "/run/netns/$K is published" test -e "/run/netns/$K"
[ -n "$hp" ] && kill -KILL "$hp"
check "the holder dies" wait_for 2 pid_gone "${hp:-none}"
run jls -c -j $K
is "$RC" 1 "the next jls does not show the jail"
run jls
is "$(echo "$OUT" | tail -n +2)" "" "  nor does plain jls"
check "its cgroup is removed" wait_for 3 test ! -e "$VJAIL_CGROUP/$jid"
registry_empty() { [ "$(registry_count)" -eq 0 ]; }
check "its registry entry is removed" wait_for 3 registry_empty
check "its /run/netns entry is removed" wait_for 3 test ! -e "/run/netns/$K" -a ! -L "/run/netns/$K"
run jail -q -c name=$K path=/ persist
is "$RC.$ERR" "0." "the name can be used again"
run jexec $K true
is "$RC" 0 "and the new jail works"
rm_jail $K

# the holder of a jail with a jexec'd process: killing it ends all
K=${T}kill2
run jail -q -c name=$K path=/ persist
bg jexec $K sleep 1000
jk=$BGPID
kjid=$(jid_of $K)
two_procs() { [ "$(jail_pids "$kjid" | wc -l)" -ge 2 ]; }
check "the jexec'd sleep joined the jail's cgroup" wait_for 3 two_procs
hp=$(holder_pid $K)
[ -n "$hp" ] && kill -KILL "$hp"
check "killing the holder ends the jexec'd process too" wait_for 3 pid_gone $jk
check "and the jail is gone" wait_for 3 jail_absent $K

# a stray file in the registry does not break the commands
run jail -q -c name=${T}ok path=/ persist
mkdir -p "$VJAIL_RUNDIR/jails"
printf 'garbage\0\377\n' >"$VJAIL_RUNDIR/jails/${T}stray"
run jls name
is "$RC" 0 "jls still works with a garbage file in the registry"
like "$OUT" "^${T}ok\$" "  and lists the real jail"
run jail -q -c name=${T}ok2 path=/ persist
is "$RC" 0 "jail -c still works"
rm -f "$VJAIL_RUNDIR/jails/${T}stray"
rm_jail ${T}ok; rm_jail ${T}ok2

# many jails in a row
t0=$(now_ms)
fails=0
for i in $(seq 1 20); do timeout 20 jail -q -c name=${T}m$i path=/ persist </dev/null || fails=$((fails + 1)); done
t1=$(now_ms)
is "$fails" 0 "20 jails made one after another"
is "$(jls 2>/dev/null | tail -n +2 | grep -c .)" 20 "jls lists 20 jails"
for i in $(seq 1 20); do timeout 20 jail -q -r ${T}m$i </dev/null || fails=$((fails + 1)); done
t2=$(now_ms)
is "$fails" 0 "and all 20 removed"
note "20 creates: $((t1 - t0)) ms, 20 removes: $((t2 - t1)) ms"
is "$(registry_count).$(cgroup_count)" "0.0" "nothing left"

# the registry in memory: where its directory is not on a tmpfs, vjail
# mounts one there (creating a jail makes files: 0.6-1.4 ms each on ext4)
R3=$WORK/reg3
if [ "$(stat -f -c %T "$WORK")" = tmpfs ]; then
	skip "$WORK is a tmpfs already" 6
else
	mkdir "$R3"
	# a mount namespace made before (private: it will not see the tmpfs)
	unshare -m --propagation private sleep 60 </dev/null &
	ns=$!
	_bgpids+=("$ns")
	wait_for 3 eval "! [[ /proc/$ns/ns/mnt -ef /proc/self/ns/mnt ]]"
	run env VJAIL_RUNDIR="$R3" jls
	is "$RC" 0 "a new registry where $WORK is not a tmpfs"
	is "$(stat -f -c %T "$R3")" tmpfs "  is kept on a tmpfs of vjail's"
	run nsenter -t "$ns" -m env VJAIL_RUNDIR="$R3" "$VJAIL_BIN/jls"
	is "$RC" 1 "a mount namespace that does not see that tmpfs is refused"
	like "$ERR" "tmpfs in another mount namespace" \
		"  saying why, not given a second registry at the same path"
	kill "$ns" 2>/dev/null
	umount "$R3"
	# a registry there before the tmpfs (an index entry naming a jail)
	rm -f "$R3/tmpfs-mounted"
	mkdir -p "$R3/names" && ln -s 5 "$R3/names/${T}old"
	run env VJAIL_RUNDIR="$R3" jls -d
	is "$RC" 0 "a registry made on disk before"
	isnt "$(stat -f -c %T "$R3")" tmpfs "  stays on disk: nothing of it is hidden"
	rm -rf "$R3"
fi

done_testing
