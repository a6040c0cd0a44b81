#!/usr/bin/env bash
# Hierarchical jails: parent.child names, children.max/cur, removal of a
# parent takes its children, nested cgroups and process spaces.
. "$(dirname "$0")/lib.sh"

W=${T}web
mkroot "$WORK/web"
mkroot "$WORK/web/db"
run jail -q -c name=$W path="$WORK/web" host.hostname=web.example persist children.max=4
is "$RC.$ERR" "0." "made $W with children.max=4"
run jail -c name=$W.db path="$WORK/web/db" persist
is "$RC" 0 "jail -c name=$W.db makes a child"
is "$OUT" "" "  printing nothing"
pjid=$(jid_of $W); cjid=$(jid_of $W.db)
run jls name
is "$OUT" "$W
$W.db" "jls lists parent and child"
run jls -j $W.db parent path
is "$OUT" "$pjid $WORK/web/db" "the child's parent is the parent's jid; its path is as given"
run jls -j $W children.cur
is "$OUT" 1 "the parent's children.cur is 1"
pcg=$(find "$VJAIL_CGROUP" -type d -name "$pjid" | head -1)
check "the child's cgroup is below the parent's" test -n "$pcg" -a -d "$pcg/$cjid"

run jail -r $W.db
is "$RC.$OUT" "0." "jail -r of the child alone"
check "the parent stays" jail_exists $W
is "$(jls -j $W children.cur 2>&1)" 0 "children.cur back to 0"
check "the child's cgroup is gone" test ! -e "${pcg:-/nonexistent}/$cjid"

run jail -q -c name=$W.db path="$WORK/web/db" persist
run jail -q -c name=$W.db.x path="$WORK/web/db" persist
is "$RC" 1 "a grandchild is refused when the child has children.max=0 (default)"
like "$ERR" '^jail: (.*: )?prison limit exceeded$' "  with 'prison limit exceeded'"
# A jail's user ids are fixed at birth: its range holds its own and room
# for children.max descendants then, so raising children.max later gives
# the limit but not the room (doc/design-notes.md).
run jail -q -m name=$W.db children.max=1
run jail -q -c name=$W.db.x path="$WORK/web/db" persist
is "$RC" 1 "children.max raised later: no id range for a grandchild"
like "$ERR" 'no free user id range in the parent jail \(it was made with room for 0\)' "  saying why"
run jail -q -r $W.db
run jail -q -c name=$W.db path="$WORK/web/db" persist children.max=1
run jail -q -c name=$W.db.x path="$WORK/web/db" persist
is "$RC.$ERR" "0." "with children.max=1 on the child, a grandchild is made"
run jls name
is "$(echo "$OUT" | tr '\n' ' ')" "$W $W.db $W.db.x " "jls lists all three"
run jail -r $W
is "$RC" 0 "jail -r of the parent exits 0"
is "$OUT" "" "  quietly"
for n in $W $W.db $W.db.x; do
	check "$n is gone" jail_absent $n
done
is "$(registry_count).$(cgroup_count)" "0.0" "no registry entry and no cgroup remain"

# children.max limits
P=${T}p
run jail -q -c name=$P path=/ persist children.max=1
run jail -c name=$P.a path=/ persist
is "$RC.$OUT" "0." "children.max=1: the first child is made"
snapshot
run jail -c name=$P.b path=/ persist
is "$RC" 1 "children.max=1: a second child is refused, status 1"
like "$ERR" '^jail: (.*: )?prison limit exceeded$' "  with FreeBSD's 'prison limit exceeded'"
no_trace $P.b
run jail -q -r $P.a
run jail -c name=$P.b path=/ persist
is "$RC" 0 "after the first child is removed, there is room again"
rm_jail $P

Z=${T}z
run jail -q -c name=$Z path=/ persist
snapshot
run jail -c name=$Z.a path=/ persist
is "$RC" 1 "a jail with the default children.max=0 gets no child"
like "$ERR" '^jail: (.*: )?prison limit exceeded$' "  'prison limit exceeded'"
no_trace $Z.a
rm_jail $Z

# processes: the parent sees its child's, not the other way round
P=${T}q
run jail -q -c name=$P path=/ host.hostname=q.example persist children.max=1
run jail -q -c name=$P.c path=/ host.hostname=c.example persist
is "$RC" 0 "made $P and $P.c (path=/)"
run jexec $P.c hostname
is "$OUT" c.example "jexec into the child by its full name"
run jexec $P ps ax
is "$(echo "$OUT" | tail -n +2 | grep -c .)" 3 "the parent sees its holder, the child's holder and ps" || diag "$OUT"
run jexec $P.c ps ax
is "$(echo "$OUT" | tail -n +2 | grep -c .)" 2 "the child sees only its own holder and ps" || diag "$OUT"
hc=$(holder_pid $P.c); hpar=$(holder_pid $P)
nsp=$( [ -n "$hc" ] && awk '/^NSpid:/ { print NF - 1 }' /proc/$hc/status)
is "$nsp" 3 "the child's holder has pids at three levels (host, parent, child)"
run jail -q -r $P
check "removing the parent stops the child's holder" wait_for 2 pid_gone "${hc:-none}"
check "and its own" wait_for 2 pid_gone "${hpar:-none}"

# inside a jail: jail(8) there sees and makes only its own children
I=${T}in
run jail -q -c name=$I path=/ persist children.max=1
# inner JAIL CMD...: CMD run in JAIL as a jailed admin would, without the
# test's registry and cgroup settings
inner() { local j=$1; shift; run jexec "$j" /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }
inner $I "$INNER_BIN/jail" -c name=k path=/ persist
is "$RC.$OUT" "0." "inside a jail, jail -c name=k makes a child"
check "the host sees it as $I.k" jail_exists $I.k
inner $I "$INNER_BIN/jls" name
is "$OUT" "k" "jls inside the jail lists only its child, by relative name"
run timeout 5 "$VJAIL_BIN/jexec" $I /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$INNER_BIN/jls" -n jid name
is "$RC.$(echo "$OUT" | grep -c .)" "0.1" "jls -n jid name inside lists the child once (jid 0 is not itself while listing)"
is "$(echo "$OUT" | sed 's/^jid=[0-9]* //')" "name=k" "  by its relative name"
inner $I "$INNER_BIN/jls" -j 0 name
is "$RC.$OUT" "0.0" "  control: jls -j 0 inside is the jail itself"
inner $I "$INNER_BIN/jail" -c name=k2 path=/ persist
is "$RC" 1 "inside: children.max still holds"
like "$ERR" '^jail: (.*: )?prison limit exceeded$' "  'prison limit exceeded'"
inner $I "$INNER_BIN/jail" -r k
is "$RC.$OUT" "0." "inside: jail -r k"
check "the host no longer sees $I.k" jail_absent $I.k
rm_jail $I
J=${T}j0
run jail -q -c name=$J path=/ persist children.max=0
inner $J "$INNER_BIN/jail" -c name=k path=/ persist
is "$RC" 1 "inside a jail with children.max=0, jail -c fails"
like "$ERR" '^jail: (k: )?jail_set: Operation not permitted$' "  'jail: jail_set: Operation not permitted'"
check "and makes nothing" jail_absent $J.k
rm_jail $J

done_testing
