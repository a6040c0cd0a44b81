#!/usr/bin/env bash
# Lifecycle: command=, non-persistent jails ending with their last process,
# jail -r stopping processes (SIGTERM, then stop.timeout and a kill).
. "$(dirname "$0")/lib.sh"


# command=: runs, then the jail is gone
O=${T}once
run jail -c name=$O path=/ command=/bin/echo hi
is "$RC" 0 "jail -c ... command=/bin/echo hi exits 0"
is "$OUT" "hi" "  prints the command's output, no note (FreeBSD: a command-line jail)"
check "the jail is gone once the command ended" wait_for 3 jail_absent $O
run jls -c -j $O
is "$RC" 1 "jls -c -j once exits 1"

run jail -q -c name=${T}cmd2 path=/ host.hostname=cmd.example command=/bin/sh -c 'hostname; echo "$#" args'
is "$OUT" "cmd.example
0 args" "command= takes the rest of the line as the command and its arguments, run in the jail"
check "that jail is gone too" wait_for 3 jail_absent ${T}cmd2

run jail -q -c name=${T}fail path=/ command=/bin/false
isnt "$RC" 0 "a failing command= makes jail -c fail"
check "and its jail does not stay" wait_for 3 jail_absent ${T}fail

# on a terminal the command gets a pty in between, relayed by jail(8) in
# the foreground (a relay in a process group of its own is stopped by
# SIGTTIN as it reads the terminal: jail(8) hung).  script's input stays
# open without data: at its end script types the terminal's EOF, and one
# typed before jail(8) puts the terminal in raw mode is read as a NUL.
run timeout 10 script -qec "$VJAIL_BIN/jail -q -c name=${T}tty path=/ command=/bin/sh -c 'echo on-\$(test -t 0 && echo tty)'" /dev/null < <(sleep 5)
is "$RC" 0 "command= on a terminal runs to its end"
# Under heavy load a NUL sometimes reaches the jail's terminal before the
# command's output and is echoed as "^@" (seen at load 8-10, never when
# quiet; its source is the outer terminal, not the command): what is
# tested is that the command's stdin is a terminal.
like "$OUT" '^(\^@)*on-tty' "  on a terminal of its own (a pty)"
check "  and its jail is gone" wait_for 3 jail_absent ${T}tty

# a non-persistent jail ends with its last process, also one entered by jexec
X=${T}x
run jail -q -c name=$X path=/ persist
bg jexec $X sleep 2
jx=$BGPID
check "a jexec'd sleep runs in the jail" wait_for 3 procs_running $X 'sleep 2$'
run jail -q -m name=$X nopersist
is "$RC" 0 "jail -m nopersist while a process runs"
check "the jail still exists while the process runs" jail_exists $X
wait $jx
is "$?" 0 "the jexec'd sleep ended normally"
check "then the jail is gone" wait_for 3 jail_absent $X

# jail -r stops what runs inside: SIGTERM is enough for sleep
S=${T}s
run jail -q -c name=$S path=/ persist
bg jexec $S sleep 1000
js=$BGPID
check "sleep 1000 runs in the jail" wait_for 3 procs_running $S 'sleep 1000$'
t0=$(now_ms)
run jail -r $S
t1=$(now_ms)
is "$RC.$OUT" "0." "jail -r of a jail running sleep 1000"
ok "$([ $((t1 - t0)) -lt 2000 ]; echo $?)" "  is prompt ($((t1 - t0)) ms < 2000 ms: SIGTERM works)"
check "the jexec running sleep returned" wait_for 2 pid_gone $js
check "the jail is gone" jail_absent $S

# a process ignoring SIGTERM is killed after stop.timeout (a jail(8)
# pseudo-parameter: given to -r, as jail.conf would give it)
K=${T}k
run jail -q -c name=$K path=/ persist
is "$RC.$ERR" "0." "made $K"
bg jexec $K sh -c 'trap "" TERM; sleep 1000'
jk=$BGPID
check "a TERM-ignoring sh and sleep run in the jail" wait_for 3 procs_running $K 'sleep 1000$'
t0=$(now_ms)
run jail -r stop.timeout=1 $K
t1=$(now_ms)
is "$RC.$OUT" "0." "jail -r of a jail whose processes ignore SIGTERM"
ms=$((t1 - t0))
ok "$([ $ms -ge 800 ] && [ $ms -lt 3000 ]; echo $?)" "  takes about stop.timeout=1 s ($ms ms)"
check "the jexec returned" wait_for 2 pid_gone $jk
check "the jail is gone" jail_absent $K

# jail -r of several jails at once (jail(8) signals them all, then waits
# for each, then waits once for their removal): every jail's processes
# get SIGTERM and end on it, a process ignoring it is killed after
# stop.timeout, the notes come in order, nothing is left
D=$(mktemp -d /tmp/vjail-test-rm.XXXXXX) && chmod 1777 "$D"
for m in 1 2 3; do
	run jail -q -c name=${T}m$m path=/ persist
	is "$RC.$ERR" "0." "made ${T}m$m"
done
for m in 1 2; do
	bg jexec ${T}m$m sh -c "trap 'echo term > $D/m$m; exit 0' TERM; while :; do sleep 0.1; done"
done
bg jexec ${T}m3 sh -c 'trap "" TERM; sleep 1000'
jm=$BGPID
for m in 1 2; do
	check "a TERM-trapping loop runs in ${T}m$m" wait_for 3 procs_running ${T}m$m 'sleep 0.1'
done
check "a TERM-ignoring sleep runs in ${T}m3" wait_for 3 procs_running ${T}m3 'sleep 1000$'
is "$(ls "$D")" "" "  control: no jail has had its SIGTERM yet"
run jail -r stop.timeout=1 ${T}m1 ${T}m2 ${T}m3 ${T}nosuch
is "$RC" 1 "jail -r of three jails and a missing one exits 1"
is "$ERR" "jail: \"${T}nosuch\" not found" "  naming the missing one"
is "$OUT" "${T}m1: removed
${T}m2: removed
${T}m3: removed" "  the three removed, noted in order"
is "$(cat "$D"/m1 "$D"/m2 2>&1)" "term
term" "  both loops ended on their SIGTERM"
check "  the TERM-ignoring sleep was killed" wait_for 2 pid_gone $jm
for m in 1 2 3; do
	check "  ${T}m$m is gone" jail_absent ${T}m$m
done
rm -rf "$D"

# jail -r '*': every jail of the registry, a child with its parent
run jls name
is "$OUT" "" "  control: no jail is left before the next ones"
for m in 1 2; do
	run jail -q -c name=${T}s$m path=/ persist children.max=1
	is "$RC.$ERR" "0." "made ${T}s$m"
done
run jail -q -c name=${T}s1.c path=/ persist
is "$RC.$ERR" "0." "made ${T}s1.c"
run jail -r '*'
is "$RC.$ERR" "0." "jail -r '*'"
is "$OUT" "${T}s1: removed
${T}s2: removed" "  notes each top jail removed (the child goes with its parent)"
run jls -d name
is "$RC.$OUT" "0." "  nothing is left, dying or not"

# a name can be used again once its jail is gone
run jail -q -c name=$K path=/ persist
is "$RC.$ERR" "0." "a removed jail's name can be used again"
rm_jail $K

rec_fact() { sed -n "s/^$2=//p" "$VJAIL_RUNDIR/jails/$(readlink "$VJAIL_RUNDIR/names/$1")"; }
# PID 1 of a jail (the holder, a small init once the jail is set up)
# reaps orphans and passes SIGTERM on to the whole jail; it is not the
# monitor's copy kept for life (issue 13: a few pages, not ~250 kB)
P=${T}pid1
run jail -q -c name=$P path=/ persist
is "$RC.$ERR" "0." "made $P"
h=$(holder_pid $P)
small_pid() { local r; r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null); [ -n "$r" ] && [ "$r" -lt 100 ]; }
check "its PID 1 is a small init (under 100 kB resident)" wait_for 5 small_pid "$h"
is "$(cat /proc/$h/comm 2>/dev/null)" vjail-holder "  named vjail-holder"
# x86-64: the stubs' code and stack in one 2 MB region, one page table
# (sys_exec_stub); the control is the same count on the host's side
one_table() {
	local t s
	t=$(awk '/memfd:vjail-/ { sub(/-.*/, "", $1); print $1 }' "/proc/$1/maps")
	s=$(awk '/\[stack\]/ { sub(/.*-/, "", $1); print $1 }' "/proc/$1/maps")
	[ -n "$t" ] && [ -n "$s" ] && [ $((0x$t >> 21)) = $(((0x$s - 1) >> 21)) ] &&
	    [ "$(awk '/^VmPTE:/ { print $2 }' "/proc/$1/status")" -le 12 ]
}
if [ "$(uname -m)" = x86_64 ]; then
	check "  its code and stack share one page table (VmPTE 12 kB)" one_table "$h"
	is "$(cat /proc/$h/personality)" 00040000 \
		"  control: it runs without address randomization (ADDR_NO_RANDOMIZE)"
else
	ok 0 "  # SKIP one page table: x86-64 only"
	ok 0 "  # SKIP PID 1 unrandomized: x86-64 only"
fi
# nothing the jail runs inherits PID 1's personality (it never forks;
# an orphan it adopts keeps its own parent's)
run jexec $P sh -c 'cat /proc/self/personality; (sh -c "sleep 0.3; cat /proc/self/personality" &); sleep 0.6'
is "$RC.$OUT" "0.00000000
00000000" "attack: a jexec'd process and an orphan of PID 1's run randomized"
run jail -q -c name=${P}o path=/ command=/bin/cat /proc/self/personality
is "$RC.$OUT" "0.00000000" "  and so does a one-shot jail's command"
run jexec $P sh -c '(sleep 0.2 &); sleep 1; ps -o stat= -o comm= | grep -c "^Z"'
is "$OUT" 0 "an orphan that ended was reaped by PID 1 (no zombie)"
run jexec $P sh -c '(sleep 0.2 &); sleep 1; ps -o stat= -o comm= | grep -c "^S"'
ok "$([ "$OUT" -ge 1 ]; echo $?)" "  control: ps sees the jail's processes' states"
bg jexec $P sleep 1000
jp=$BGPID
check "a sleep runs in $P" wait_for 3 procs_running $P 'sleep 1000$'
run jexec $P kill -TERM 1
check "SIGTERM to PID 1 ends the jail's processes" wait_for 3 pid_gone $jp
check "  and PID 1 stays: the persistent jail is still there" jail_exists $P
is "$(holder_pid $P)" "$h" "  with the same PID 1"
# one image of each stub serves every jail (spawn.c: a page and an inode
# a jail less), taken from a monitor the registry names
run jail -q -c name=${P}b path=/ persist
h2=$(holder_pid ${P}b)
ino() { stat -L -c %i "/proc/$1/exe" 2>/dev/null; }
is "$(ino "$h2")" "$(ino "$h")" "  a second jail's PID 1 runs the same image"
check "  and their sleeping monitors too" wait_for 8 eval \
	'[ "$(ino "$(rec_fact $P .monitor)")" = "$(ino "$(rec_fact ${P}b .monitor)")" ]'
run jexec $P cat /proc/1/exe
isnt "$RC" 0 "attack: the jail's root cannot read its PID 1's image"
# PID 1 runs unrandomized: its memory must stay out of the jail's reach
run jexec $P sh -c 'exec 3</proc/$$/mem && echo self; exec 4</proc/1/mem && echo one; ls /proc/1/map_files >/dev/null 2>&1 && echo maps'
is "$OUT" self "attack: the jail's root opens neither PID 1's mem nor its map_files (control: its own mem)"
run jexec $P sh -c 'sleep 30 & s=$!; kill -STOP 1; kill -KILL 1; kill -KILL $s; wait $s; echo $?'
is "$RC.$OUT" "0.137" "  control: its root's SIGKILL ends one of its processes"
pid1_up() { [ "$(holder_pid $P)" = "$h" ] && [ "$(awk '/^State:/ { print $2 }' /proc/$h/status)" = S ]; }
check "attack: its SIGSTOP and SIGKILL to PID 1 do nothing (same PID 1, sleeping)" pid1_up
ok "$(cmp -s "/proc/$h/exe" "/proc/$h2/exe"; echo $?)" "  control: the host's root can"
# a forged link: a jail's process offers a file of its own at mode 0111
# and a FIFO where the images are taken from; refused (and nothing is
# opened: no hang), the next jail's are the host's own
mkdir -p "$OPEN/offer" && chmod 1777 "$OPEN/offer"
bg jexec $P sh -c "cd $OPEN/offer && cp /bin/true img && mkfifo fifo &&
	exec 8<img 9<>fifo && chmod 111 img && exec sleep 37"
offer() { for q in /proc/[0-9]*; do [ "$(tr '\0' ' ' <$q/cmdline 2>/dev/null)" = "sleep 37 " ] && echo ${q#/proc/}; done | head -1; }
check "  a jail's sleep holds its offer" wait_for 5 eval '[ -n "$(offer)" ] && [ -p "/proc/$(offer)/fd/9" ]'
q=$(offer)
ln -sfn "$q:$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$q/stat)" "$VJAIL_RUNDIR/stubs"
run jail -q -c name=${P}c path=/ persist
is "$RC.$ERR" "0." "attack: a registry link naming a jail's process: the next jail is made"
h3=$(holder_pid ${P}c)
check "  its PID 1 runs the host's image, not the jail's" eval \
	'[ "$(stat -L -c "%u %a %s" /proc/$h3/exe)" = "0 111 $(stat -L -c %s /proc/$h/exe)" ]'
# a link naming a live monitor that holds the images, but with another
# start time (its pid since reused): nothing is taken from that process
m=$(rec_fact $P .monitor)
ms=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$m/stat)
check "  $P's monitor holds the images" eval \
	'[ "$(stat -L -c %i /proc/$m/fd/9)" = "$(ino "$h")" ]'
ln -sfn "$m:$((ms + 1))" "$VJAIL_RUNDIR/stubs"
run jail -q -c name=${P}d path=/ persist
isnt "$(ino "$(holder_pid ${P}d)")" "$(ino "$h")" \
	"attack: a link with a reused pid (another start time): the next PID 1's image is its own"
ln -sfn "$m:$ms" "$VJAIL_RUNDIR/stubs"
run jail -q -c name=${P}e path=/ persist
is "$(ino "$(holder_pid ${P}e)")" "$(ino "$h")" \
	"  control: the same link with the monitor's start time: its image is taken"
rm_jail ${P}e
rm_jail ${P}d
rm_jail ${P}c
rm_jail ${P}b
rm_jail $P

# A monitor quiet for 2 s sleeps as a small watcher (issue 13) and wakes
# for everything it must do: a non-persistent jail emptying, a jail made
# non-persistent (the registry pokes it), a holder killed, a request to
# its service.  Several jails wait out the 2 s together.
MA=${T}ma MB=${T}mb MC=${T}mc MD=${T}md
run jail -q -c name=$MA path=/ persist
bg jexec $MA sleep 4
sa=$BGPID
check "a sleep runs in $MA" wait_for 3 procs_running $MA 'sleep 4$'
run jail -q -m name=$MA nopersist
run jail -q -c name=$MB path=/ persist
bg jexec $MB sleep 4
sb=$BGPID
check "a sleep runs in $MB" wait_for 3 procs_running $MB 'sleep 4$'
run jail -q -c name=$MC path=/ persist
run jail -q -c name=$MD path=/ persist mount.devfs children.max=1
mon_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$(rec_fact "$1" .monitor)/status" 2>/dev/null; }
mon_asleep() { local r; r=$(mon_rss "$1"); [ -n "$r" ] && [ "$r" -lt 100 ]; }
for j in $MA $MB $MC $MD; do
	check "$j's monitor, quiet for 2 s, is a small watcher" wait_for 8 mon_asleep $j
done
# a read cgroup.events keeps a 4 kB buffer: the watcher holds one only
# where the jail's emptying is an event, unread, under an epoll
mon_events() { ls -l "/proc/$(rec_fact "$1" .monitor)/fd" 2>/dev/null | grep -c 'cgroup\.events$\|eventpoll'; }
is "$(mon_events $MC)" 0 "  the persistent $MC's watcher holds no cgroup.events"
is "$(mon_events $MA)" 2 "  control: the non-persistent $MA's does, and its epoll"
run jail -q -m name=$MB nopersist
is "$RC.$ERR" "0." "$MB made non-persistent while its sleep runs"
h=$(holder_pid $MC)
kill -KILL "$h"
check "$MC's holder killed: its sleeping monitor ends the jail" wait_for 5 jail_absent $MC
run jexec $MD /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$INNER_BIN/jail" -c name=k path=/ persist
is "$RC.$ERR" "0." "$MD's service (its monitor asleep) makes a child"
check "  the host sees $MD.k" jail_exists $MD.k
# the watcher runs unrandomized for its layout; the monitor it execs
# (serving the jail) must get address randomization back
mon_awake_pers() {
	local m=$(rec_fact "$1" .monitor) p prog=$(readlink -f "$VJAIL_BIN/jail")
	[ "$(readlink "/proc/$m/exe")" = "$prog" ] &&
	    p=$(cat "/proc/$m/personality") &&
	    [ "$(readlink "/proc/$m/exe")" = "$prog" ] && echo "$p"
}
pers=
for try in 1 2 3 4 5; do
	run jexec $MD /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$INNER_BIN/jls" name
	pers=$(mon_awake_pers $MD) && break
done
is "$RC.$OUT" "0.k" "$MD's service lists its child (its monitor awake)"
is "${pers:-none}" 00000000 "  the awake monitor runs with address randomization"
if [ "$(uname -m)" = x86_64 ]; then
	check "  asleep again, it is one page table" wait_for 8 one_table "$(rec_fact $MD .monitor)"
else
	ok 0 "  # SKIP one page table: x86-64 only"
fi
wait $sa $sb
check "$MA (non-persistent) ends when its sleep does" wait_for 5 jail_absent $MA
check "$MB (made non-persistent later) ends too" wait_for 5 jail_absent $MB
run jail -q -c name=$MA path=/ persist
check "  control: a persistent jail stays when empty" jail_exists $MA
rm_jail $MA
rm_jail $MD

# jail(8) drops the persist it added for command= by jid, without looking
# the jail up again: if a host hook removed it and another jail took its
# jid meanwhile, that one is left alone (the update, under the lock, finds
# another name at that jid).  Control: the one-shots above still end.
RJ=${T}rj RB=${T}rb
run jail -q -c name=$RJ jid=3901 path=/ exec.poststart="$VJAIL_BIN/jail -q -r $RJ; $VJAIL_BIN/jail -q -c name=$RB jid=3901 path=/ persist" command=/bin/true
is "$RC" 0 "command= in a jail its poststart hook replaces by another of its jid"
check "  the other jail stays (its persist untouched)" jail_exists $RB
run jls -j 3901 name
is "$OUT" "$RB" "  jid 3901 is that other jail's"
check "  the jail made is gone" jail_absent $RJ
rm_jail $RB

done_testing
