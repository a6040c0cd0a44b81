#!/usr/bin/env bash
# rctl(8) and cpuset(1): rules by jail name, the limits biting (each next
# to a control without the rule), usage, CPU sets, the hierarchy, bad
# input, and what a jail's root may try against its own limits.
. "$(dirname "$0")/lib.sh"

# record FIELD NAME: a host-side fact of the jail's registry record
record() { sed -n "s/^$1=//p" "$VJAIL_RUNDIR/jails/$(jid_of "$2")" 2>/dev/null; }
# group NAME CTRL: the jail's group holding CTRL's limits: its v1 group
# on a hybrid host, else its own v2 group (the test runs on both layouts)
group() { local d; d=$(record ".cg1.$2" "$1"); echo "${d:-$(record .cgroup "$1")}"; }
# knob NAME CTRL V1FILE V2FILE: that limit file's contents
knob() { local d; d=$(record ".cg1.$2" "$1")
	if [ -n "$d" ]; then cat "$d/$3"; else cat "$(record .cgroup "$1")/$4"; fi 2>&1; }
# have CTRL: the controller is there for limits (v1 mount, or the base offers it)
have() { [ -d "/sys/fs/cgroup/$1" ] && grep -q " - cgroup .*[ ,]$1\(,\|\$\)" /proc/self/mountinfo && return 0
	grep -qw "$2" "$VJAIL_CGROUP/cgroup.controllers"; }
v1=0; [ -d /sys/fs/cgroup/pids ] && grep -q " - cgroup .*[ ,]pids" /proc/self/mountinfo && v1=1
# cpu_us NAME: CPU time of the jail so far (v2 core statistics), µs
cpu_us() { awk '/^usage_usec/ { print $2 }' "$(record .cgroup "$1")/cpu.stat"; }
# forks NAME N: how many of N sleeping children a process in the jail gets
forks() {
	run jexec "$1" perl -e '$n = 0; for (1..'"$2"') { $p = fork; last unless defined $p;
		if (!$p) { sleep 30; exit } $n++; push @k, $p } print "$n\n"; kill 9, @k; 1 while wait != -1'
}
HOG='$x = q(a) x (128 * 1024 * 1024); print length($x), qq(\n)'

# ---- bad input: a clear error, exit 1, nothing changed ----
A=${T}a
run rctl -a jail:$A:memoryuse:deny=64m
is "$RC.$ERR" "0." "rctl -a jail:$A:memoryuse:deny=64m"
before=$(rctl)
while IFS='|' read -r rule msg; do
	run rctl -a "$rule"
	is "$RC.$ERR" "1.rctl: failed to add rule '$rule': $msg" "refused: $rule"
done <<EOF
jail:$A:bogus:deny=1|unknown resource 'bogus'
jail:$A:memoryuse:frob=1|unknown action 'frob'
jail:$A:memoryuse:log=1|action 'log' is not supported on Linux
jail:$A:memoryuse:devctl=1|action 'devctl' is not supported on Linux
jail:$A:memoryuse:deny=12q|invalid numeric value '12q'
user:1000:memoryuse:deny=1|subject 'user' is not supported (rules are for jails)
jail:$A:cputime:sigterm=10/process|cputime/process: action 'sigterm' is not supported on Linux (RLIMIT_CPU sends sigxcpu, then sigkill)
jail:$A:cputime:sigthr=10|signal 'sigthr' does not exist on Linux
jail:$A:nsem:deny=1|resource 'nsem' is not supported on Linux
jail:$A:readbps:deny=1m|readbps: action 'deny' is not supported (use throttle)
jail:$A:memoryuse:deny|missing amount
jail:$A:pcpu:deny=0|pcpu: 0 out of range (1 to 100000 percent of one CPU)
jail:$A/x:maxproc:deny=1|jail name: invalid character in "$A/x"
EOF
is "$(rctl)" "$before" "the refused rules changed nothing"

# ---- listing, replacing, removing ----
run rctl -a jail:$A:memoryuse:deny=32m jail:$A:cputime:sigxcpu=60
is "$RC" 0 "two rules in one rctl -a"
is "$(rctl jail:$A)" "jail:$A:memoryuse:deny=33554432
jail:$A:cputime:sigxcpu=60" "the same resource and action is replaced; amounts expanded"
is "$(rctl -h jail:$A:memoryuse)" "jail:$A:memoryuse:deny=32M" "rctl -h: human units"
run rctl -r jail:$A:cputime
is "$RC.$(rctl jail:$A)" "0.jail:$A:memoryuse:deny=33554432" "rctl -r FILTER removes what matches"
run rctl -r jail:$A:cputime
is "$RC.$ERR" "1.rctl: failed to remove rule 'jail:$A:cputime': No such process" \
	"rctl -r of nothing: FreeBSD's ESRCH, exit 1"
run rctl -r jail:$A
is "$RC.$(rctl jail:$A)" "0." "rctl -r jail:NAME removes all of its rules"

# rules read back from the registry are untrusted: only valid ones of
# that very name count
mkdir -p "$VJAIL_RUNDIR/rctl"
printf '%s\n' "jail:$A:maxproc:deny=7" "jail:other:maxproc:deny=1" "garbage" \
	"jail:$A:memoryuse:log=1" "jail:$A:pcpu:deny=99999999999999999999" >"$VJAIL_RUNDIR/rctl/$A"
is "$(rctl jail:$A)" "jail:$A:maxproc:deny=7" "a tampered rules file: only its valid rules for $A are read"
rctl -r jail:$A >/dev/null 2>&1

# rctl -f loads rule files; /etc/rctl.conf ($VJAIL_RCTL_CONF) on a new boot
cat >"$WORK/rctl.conf" <<EOF
# rules
jail:${T}cf:maxproc:deny=50     # trailing comment
jail:${T}cf:bogus:deny=1
EOF
run rctl -f "$WORK/rctl.conf"
is "$RC" 1 "rctl -f: exit status counts the bad lines"
like "$ERR" "rctl.conf:3: failed to add rule 'jail:${T}cf:bogus:deny=1': unknown resource 'bogus'" "  naming file and line"
is "$(rctl jail:${T}cf)" "jail:${T}cf:maxproc:deny=50" "  and the good rules are in"
rctl -r jail:${T}cf >/dev/null
run env VJAIL_RUNDIR="$WORK/reg2" VJAIL_RCTL_CONF="$WORK/rctl.conf" rctl
is "$RC.$OUT" "0.jail:${T}cf:maxproc:deny=50" "a fresh registry (a new boot) loads \$VJAIL_RCTL_CONF"
umount "$WORK/reg2" 2>/dev/null	# (vjail's registry tmpfs)
rm -rf "$WORK/reg2"

# Without the controllers there is nothing more to test (a container
# without delegation); rctl said so above by name.
missing=""
for c in "cpu cpu" "memory memory" "pids pids" "cpuset cpuset" "blkio io"; do
	have $c || missing+=" ${c#* }"
done
if [ -n "$missing" ]; then
	skip "controllers missing:$missing"
	done_testing
	exit 0
fi

# ---- maxproc: a fork bomb stops at the limit, the host stays usable ----
F=${T}f C=${T}c
rctl -a jail:$F:maxproc:deny=40 >/dev/null
run jail -q -c name=$F path=/ persist
run jail -q -c name=$C path=/ persist
is "$(knob $F pids pids.max pids.max)" 40 "a rule added before the jail existed applies when it starts"
is "$(record .cg1.pids $C)$(record .cg1.memory $C)$(record .rlimits $C)" "" \
	"a jail without rules gets no v1 group and no per-process limit"
forks $C 60
is "$OUT" 60 "control: a jail without the rule forks 60 processes"
forks $F 60
ok "$([ "${OUT:-99}" -lt 40 ]; echo $?)" "maxproc=40: the same load gets fewer than 40 ($OUT)"
bg jexec $F perl -e 'fork while 1'
sleep 1.5
t0=$(now_ms); run /bin/true; t1=$(now_ms)
is "$RC" 0 "during a fork bomb in $F a host command runs"
diag "host command latency during the fork bomb: $((t1 - t0)) ms"
run rctl -u jail:$F
n=$(echo "$OUT" | sed -n 's/^maxproc=//p')
ok "$([ "${n:-99}" -le 40 ] && [ "${n:-0}" -gt 5 ]; echo $?)" "rctl -u: the bomb holds at most 40 processes ($n)"
run jail -r $F
is "$RC" 0 "jail -r ends the bomb"

# ---- memoryuse: a hog is killed inside its jail only ----
M=${T}m
rctl -a jail:$M:memoryuse:deny=32m >/dev/null
run jail -q -c name=$M path=/ persist
bg sleep 30; hostpid=$BGPID
run jexec $C perl -e "$HOG"
is "$RC.$OUT" "0.134217728" "control: 128 MB in a jail without the rule"
run jexec $M perl -e "$HOG"
is "$RC.$OUT" "137." "memoryuse=32m: the same hog is killed (SIGKILL)"
like "$(knob $M memory memory.oom_control memory.events)" '^oom_kill [1-9]' "  by the OOM killer of $M's memory group"
check "a host process is untouched" test -d /proc/$hostpid
check "another jail is untouched" jail_exists $C
check "the jail itself lives on" jail_exists $M
kill "$hostpid"

# ---- pcpu: a CPU burner gets about its share ----
P=${T}p
rctl -a jail:$P:pcpu:deny=20 >/dev/null
run jail -q -c name=$P path=/ persist
like "$(knob $P cpu cpu.cfs_quota_us cpu.max)" '^20000( 100000)?$' "pcpu=20: a quota of 20 ms per 100 ms"
p0=$(cpu_us $P) c0=$(cpu_us $C)
BURN='timeout 2 sh -c "while :; do :; done"'
jexec $P sh -c "$BURN" & b1=$!
jexec $C sh -c "$BURN" & b2=$!
wait $b1 $b2
dp=$(( ($(cpu_us $P) - p0) / 1000 )) dc=$(( ($(cpu_us $C) - c0) / 1000 ))
diag "CPU time in 2 s: pcpu=20 $dp ms, unlimited $dc ms"
ok "$([ $((dp * 2)) -lt "$dc" ] && [ "$dp" -lt 1000 ]; echo $?)" "the burner under pcpu=20 gets well under the unlimited one's ($dp < $dc ms)"

# ---- cputime, address space per process, I/O throttling ----
X=${T}x
rctl -a jail:$X:cputime:sigterm=1 jail:$X:vmemoryuse:deny=64m/process jail:$X:writebps:throttle=1m >/dev/null
run jail -q -c name=$X path=/ persist
xw=$(record .watcher $X)
ok "$([ -n "$xw" ] && [ "$xw" != 0 ] && ! pid_gone "$xw"; echo $?)" "cputime (jail-wide): a watcher runs for $X"
rctl -a jail:$M:cputime:sigkill=1/process >/dev/null
Z=${T}z
rctl -a jail:$Z:wallclock:sigterm=2 >/dev/null
run jail -q -c name=$Z path=/ persist
# 3 s of CPU, not of wall time: at load 10 a 3 s loop got under the 1 s
# the limits need (bounded at 60 s of wall time all the same)
LOOP='$t = time; 1 while (times)[0] < 3 && time - $t < 60'
jexec $X perl -e "$LOOP" & x1=$!
jexec $M perl -e "$LOOP" & m1=$!
jexec $C perl -e "$LOOP" & c1=$!
jexec $Z sleep 4 & z1=$!
jexec $C sleep 4 & c2=$!
wait $x1; xs=$?; wait $m1; ms=$?; wait $c1; cs=$?
is "$xs.$ms.$cs" "143.137.0" "cputime:sigterm=1 ends a 3 s burner with SIGTERM, cputime:sigkill=1/process with SIGKILL; the control runs out"
wait $z1; zs=$?; wait $c2; cs=$?
is "$zs.$cs" "143.0" "wallclock:sigterm=2: a jail's process gets SIGTERM 2 s after the jail started; the control sleeps on"
rm_jail $Z
rctl -r jail:$Z >/dev/null
run jexec $X perl -e "$HOG"
ok "$([ "$RC" != 0 ] && [ -z "$OUT" ]; echo $?)" "vmemoryuse=64m/process: 128 MB cannot be mapped (RLIMIT_AS)"
like "$(knob $X blkio blkio.throttle.write_bps_device io.max)" '^[0-9]+:[0-9]+ (1048576|rbps=max wbps=1048576 riops=max wiops=max)$' \
	"writebps:throttle=1m: each disk's write_bps_device (io.max)"
rctl -r jail:$X:cputime >/dev/null
check "rctl -r of the cputime rule ends the watcher" wait_for 3 pid_gone "${xw:-none}"
rctl -a jail:$X:cputime:sigterm=600 >/dev/null
xw=$(record .watcher $X)
ok "$([ -n "$xw" ] && ! pid_gone "$xw"; echo $?)" "  a rule for the running jail starts one again"
rm_jail $X
check "  and it goes with the jail" wait_for 3 pid_gone "${xw:-none}"
rctl -r jail:$X >/dev/null

# ---- usage follows load ----
run rctl -u jail:$C
like "$OUT" '^cputime=[1-9]' "rctl -u: cputime counts the burner's seconds"
is "$(rctl -u jail:$C | sed -n 's/^maxproc=//p')" 0 "rctl -u: an idle jail has no process (its holder is not counted)"
bg jexec $C perl -e '$x = q(a) x (64 * 1024 * 1024); sleep 20'
wait_for 5 sh -c "rctl -u jail:$C | awk -F= '/^memoryuse/ { exit !(\$2 > 60000000) }'"
run rctl -u jail:$C
mem=$(echo "$OUT" | sed -n 's/^memoryuse=//p'); np=$(echo "$OUT" | sed -n 's/^maxproc=//p')
ok "$([ "${mem:-0}" -gt 60000000 ] && [ "${np:-0}" -ge 1 ]; echo $?)" "rctl -u: memoryuse and maxproc move with a 64 MB process ($mem bytes, $np processes)"
kill "$BGPID" 2>/dev/null
run rctl -u jail:${T}none
is "$RC" 1 "rctl -u of a jail that does not run fails"

# ---- cpuset ----
cjid=$(jid_of $C)
run cpuset -g -j $C
is "$OUT" "jail $cjid mask: 0, 1" "cpuset -g -j: the host's CPUs"
is "$(jls -j $C cpuset.id)" "$cjid" "jls cpuset.id"
run cpuset -l 0 -j $C
is "$RC.$ERR" "0." "cpuset -l 0 -j $C"
is "$(cpuset -g -j $C)" "jail $cjid mask: 0" "  cpuset -g shows it"
run jexec $C sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; grep Cpus_allowed_list /proc/$$/status; cut -d" " -f39 /proc/$$/stat'
is "$OUT" "$(printf 'Cpus_allowed_list:\t0\n0')" "a process of the pinned jail may run and ran only on CPU 0"
run jexec $P sh -c 'grep Cpus_allowed_list /proc/$$/status'
is "$OUT" "$(printf 'Cpus_allowed_list:\t0-1')" "control: another jail keeps both CPUs"
run cpuset -l 0-7 -j $C
is "$RC.$ERR" "1.cpuset: setaffinity: CPUs 2-7 are not in the host's set (0-1)" "a CPU the host lacks is refused"
run cpuset -l x -j $C
is "$RC.$ERR" "1.cpuset: Malformed cpu-list x" "a malformed list is refused"
Q=${T}q
run jail -q -c name=$Q path=/ persist children.max=1
cpuset -l 1 -j $Q
run jail -q -c name=$Q.k path=/ persist
is "$(cpuset -g -j $Q.k)" "jail $(jid_of $Q.k) mask: 1" "a new child jail takes its parent's set"
run cpuset -l 0 -j $Q.k
is "$RC.$ERR" "1.cpuset: setaffinity: CPUs 0 are not in the parent jail's set (1)" "a child's set stays within its parent's"
cpuset -l 0-1 -j $Q
run cpuset -l 0 -j $Q.k
is "$RC" 0 "after the parent grows, the child may take CPU 0"
run cpuset -l 1 -j $Q
is "$RC.$ERR" "1.cpuset: setaffinity: jail $Q.k would have no CPU left" "shrinking the parent below a child's only CPU is refused"
is "$(cpuset -g -j $Q.k)" "jail $(jid_of $Q.k) mask: 0" "  and changes nothing"

# ---- rules on a running jail, the hierarchy, and a hostile jail root ----
R=${T}r
# allow.mount: jail root may mount, so the cgroup attack below is real
run jail -q -c name=$R path=/ persist children.max=1 allow.mount allow.mount.tmpfs enforce_statfs=1
bg jexec $R sleep 30; sp=$BGPID
rjid=$(jid_of $R)
two_procs() { [ "$(jail_pids "$1" | wc -l)" -ge 2 ]; }
wait_for 5 two_procs "$rjid"
run rctl -a jail:$R:maxproc:deny=30 jail:$R:openfiles:deny=64
is "$RC.$ERR" "0." "rules for a running jail"
rpids=$(group $R pids)
if [ "$v1" = 1 ]; then
	moved=0 stayed=0 holder=$(holder_pid $R)
	for p in $(jail_pids $rjid); do
		[ "$p" = "$holder" ] && continue	# the holder stays out (design notes)
		if grep -q "pids:${rpids#/sys/fs/cgroup/pids}\$" /proc/$p/cgroup; then moved=$((moved + 1)); else stayed=$((stayed + 1)); fi
	done
	ok "$([ $moved -ge 1 ] && [ $stayed = 0 ] && [ -n "$holder" ]; echo $?)" "  its running processes ($moved) are moved into its new group"
else
	is "$(cat "$rpids/pids.max")" 30 "  its own v2 group holds the limit at once"
fi
run rctl -l process:$(jail_pids $rjid | head -1)
is "$OUT" "jail:$R:maxproc:deny=30
jail:$R:openfiles:deny=64" "rctl -l process:PID: the rules of the process's jail"
run rctl -a jail:$R.k:maxproc:deny=100
is "$RC.$ERR" "1.rctl: failed to add rule 'jail:$R.k:maxproc:deny=100': exceeds the limit of jail $R (jail:$R:maxproc:deny=30)" \
	"a child's rule looser than its parent's is refused"
inner() { local j=$1; shift; run jexec "$j" /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }
inner $R "$INNER_BIN/jail" -c name=k path=/ persist
is "$RC" 0 "jail root makes a child jail (no rules of its own)"
check "  whose group sits inside the parent's" test -d "$rpids/$(jid_of $R.k)"
check "  and so does its v2 group" test -d "$(record .cgroup $R)/$(jid_of $R.k)"
forks $R.k 60
ok "$([ "${OUT:-99}" -lt 30 ]; echo $?)" "attack: the child cannot exceed the parent's maxproc ($OUT forks)"
inner $R "$INNER_BIN/jexec" k perl -e '$n = 0; for (1..60) { $p = fork; last unless defined $p;
	if (!$p) { sleep 30; exit } $n++; push @k, $p } print "$n\n"; kill 9, @k; 1 while wait != -1'
ok "$([ "${OUT:-99}" -lt 30 ]; echo $?)" "  entered from inside the parent too: a process joins the limited groups ($OUT forks)"
cp "$VJAIL_BIN/rctl" "$INNER_BIN/"
inner $R "$INNER_BIN/rctl" -a jail:k:maxproc:deny=1000
is "$RC.$ERR" "1.rctl: failed to add rule 'jail:k:maxproc:deny=1000': Operation not permitted" "attack: rctl inside a jail is refused"
run jexec $R sh -c "echo max > $rpids/pids.max"
isnt "$RC" 0 "attack: jail root cannot write its pids.max"
is "$(cat "$rpids/pids.max")" 30 "  it stays 30 (the host's rctl set it)"
run jexec $R sh -c "{ mount -t cgroup -o pids cg /mnt || mount -t cgroup2 cg /mnt; } && { echo mounted; echo max > /mnt/pids.max; echo \$\$ > /mnt/cgroup.procs; }; grep -E '(pids:|^0::)' /proc/self/cgroup"
like "$OUT" "^mounted" "jail root (allow.mount) mounts the pids hierarchy"
if [ "$v1" = 1 ]; then where="pids:.*/$(jid_of $R)\$"; else where="^0::/jail\$"; fi
like "$OUT" "$where" "attack: writing its limit and moving itself there, it stays in its group"
is "$(cat "$rpids/pids.max")" 30 "  and its limit is unchanged"
run jexec $R sh -c 'ulimit -n; ulimit -Sn 32 && echo lowered; ulimit -Hn 4096 && echo raised'
is "$OUT" "64
lowered" "openfiles=64: every process has it; lowering works, raising is refused"
run jexec $C sh -c 'ulimit -Hn'
is "$OUT" "$(ulimit -Hn)" "control: without the rule a jail keeps the host's limit"
kill "$sp" 2>/dev/null

# a record that names another group is not trusted (the registry is
# host-only, but what is read back is checked all the same)
if [ "$v1" = 1 ]; then
Y=${T}y
rctl -a jail:$Y:maxproc:deny=20 >/dev/null
run jail -q -c name=$Y path=/ persist
yrec=$VJAIL_RUNDIR/jails/$(jid_of $Y) ypids=$(record .cg1.pids $Y)
sed -i "s|^.cg1.pids=.*|.cg1.pids=/sys/fs/cgroup/pids|" "$yrec"
run jexec $Y /bin/true
is "$RC.$ERR" "1.jexec: jail \"$Y\": its registry record is damaged (jls -d shows it, jail -r removes it)" \
	"jexec refuses a recorded group that is not the jail's (no move to the root group)"
# (such a record is damaged: the jail is not found alive, so rctl keeps
# the rule for its name and applies it to nothing)
run rctl -a jail:$Y:maxproc:deny=10
is "$RC" 0 "  rctl records the rule, for the name"
is "$(cat "$ypids/pids.max")" 20 "  nothing was written"
sed -i "s|^.cg1.pids=.*|.cg1.pids=$ypids|" "$yrec"
rm_jail $Y
rctl -r jail:$Y >/dev/null 2>&1
else
	skip "v1 groups only" 3
fi

# ---- removal leaves no group in either layout ----
dirs="$(record .cg1.pids $R) $(record .cg1.memory $M) $(record .cg1.cpu $P) $(record .cg1.cpuset $Q) $(record .cg1.cpuset $C)"
for j in $R $M $P $Q $C; do rm_jail $j; done
left=$(for d in $dirs; do [ -e "$d" ] && echo "$d"; done)
is "$left" "" "jail -r removed every v1 group"
is "$(cgroup_count)" 0 "and every v2 group"
rctl -r jail:$F jail:$M jail:$P jail:$R jail:$R.k >/dev/null 2>&1

done_testing
