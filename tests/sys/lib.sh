# tests/sys/lib.sh: sourced by every system test (tests/sys/NN-*.t).
#
# Gives each test file:
#   - TAP helpers: plan, ok, check, is, isnt, like, unlike, diag, skip,
#     todo_start/todo_end, done_testing;
#   - run CMD...: runs CMD (stdin /dev/null, a time limit) and leaves its
#     exit status in RC, its stdout in OUT and its stderr in ERR;
#   - its own isolation, so runs never see each other or the machine's jails:
#       a fresh network namespace playing the host (the file re-executes
#       itself under `unshare -n`), VJAIL_RUNDIR=/run/vjail-test.$$ (the
#       registry), VJAIL_CGROUP=<cgroup2 mount>/vjail-test.$$ (cgroup
#       parent), T=t$$ as the prefix of every jail name, WORK a scratch dir;
#   - a leak check at exit, reported as a TAP test of its own: no jail left,
#     no registry entry or index entry, no cgroup below VJAIL_CGROUP, no /run/netns entry
#     with the prefix, no mount naming the run's directories or prefix, no
#     process in the run's cgroups or network namespace. It then removes what
#     this run made, and only that.
#
# The commands come from $VJAIL_BIN (default: <repo>/build/bin), first on PATH.

set -u

_vj_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi

# Re-run this test file in a network namespace of its own, which plays the
# host: whatever a test or a bug does to links, the machine's stack is safe.
if [ "${VJAIL_TEST_NETNS:-}" != "$0" ]; then
	export VJAIL_TEST_NETNS="$0"
	exec unshare --net -- "$BASH" "$0" "$@"
	echo "1..0 # SKIP cannot unshare a network namespace"
	exit 0
fi
if [[ /proc/self/ns/net -ef /proc/1/ns/net ]]; then
	echo "Bail out! still in the host's network namespace"
	exit 1
fi
ip link set lo up 2>/dev/null

export VJAIL_BIN=${VJAIL_BIN:-$_vj_top/build/bin}
export PATH="$VJAIL_BIN:$PATH"
for _c in jail jls jexec; do
	if [ ! -x "$VJAIL_BIN/$_c" ]; then
		echo "Bail out! $VJAIL_BIN/$_c not found (run make)"
		exit 1
	fi
done

# The cgroup2 mount: /sys/fs/cgroup on unified hosts, .../unified on hybrid.
_cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
if [ -z "$_cg2" ]; then
	echo "1..0 # SKIP no cgroup2 mount"
	exit 0
fi

T=t$$
export VJAIL_RUNDIR=/run/vjail-test.$$
export VJAIL_CGROUP=$_cg2/vjail-test.$$
CG_REL=${VJAIL_CGROUP#"$_cg2"}             # the cgroup path as /proc/PID/cgroup shows it
_cg_rel_re=${CG_REL//./\\.}
if [ -e "$VJAIL_RUNDIR" ] || [ -e "$VJAIL_CGROUP" ]; then
	echo "Bail out! $VJAIL_RUNDIR or $VJAIL_CGROUP already exists: not ours, not touching it"
	exit 1
fi
if ! _e=$(mkdir "$VJAIL_CGROUP" 2>&1); then
	echo "Bail out! cannot make the run's cgroup: $_e"
	exit 1
fi
# Jail roots live below WORK, root's and 0700 as FreeBSD advises for
# /var/jail (vjail refuses a root other host users can reach).
WORK=$(mktemp -d "/tmp/vjail-test.$$.XXXXXX")
# The commands as a jail's root can reach them (the checkout may sit below
# a directory only host root may enter, like WORK): for tests that run
# jail, jls or jexec inside a path=/ jail; OPEN is for such files.
OPEN=$(mktemp -d "/tmp/vjail-test.$$.open.XXXXXX")
chmod 0755 "$OPEN"
INNER_BIN=$OPEN/bin
mkdir -p "$INNER_BIN" && chmod 755 "$INNER_BIN" &&
	cp "$VJAIL_BIN/jail" "$VJAIL_BIN/jls" "$VJAIL_BIN/jexec" "$VJAIL_BIN/setfib" "$INNER_BIN/"
_bgpids=()

# ---------------------------------------------------------------- TAP ----

_n=0
_failed=0
_done=0
_todo=""

diag() { local l; while IFS= read -r l; do printf '# %s\n' "$l" >&2; done <<<"$*"; }
note() { local l; while IFS= read -r l; do printf '# %s\n' "$l"; done <<<"$*"; }
plan() { :; }   # the plan is printed at the end (after the leak check)

# ok STATUS DESC: passes when STATUS is 0.
ok() {
	local st=$1; shift
	_n=$((_n + 1))
	local dir=""
	[ -n "$_todo" ] && dir=" # TODO $_todo"
	if [ "$st" -eq 0 ]; then
		echo "ok $_n - $*$dir"
		return 0
	fi
	echo "not ok $_n - $*$dir"
	[ -z "$_todo" ] && _failed=$((_failed + 1))
	return 1
}

# check DESC CMD...: passes when CMD exits 0.
check() { local d=$1; shift; "$@"; ok $? "$d"; }

# is GOT EXPECTED DESC
is() {
	if [ "$1" == "$2" ]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"
	diag "     got: '$1'" ; diag "expected: '$2'"
	return 1
}

# isnt GOT UNEXPECTED DESC
isnt() {
	if [ "$1" != "$2" ]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"; diag "got the unwanted value: '$1'"
	return 1
}

# like GOT ERE DESC: some line of GOT matches ERE.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; return 0; fi
	ok 1 "$3"; diag "     got: '$1'"; diag "expected a line matching: /$2/"
	return 1
}

# unlike GOT ERE DESC: no line of GOT matches ERE.
unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; return 0; fi
	ok 1 "$3"; diag "     got: '$1'"; diag "expected no line matching: /$2/"
	return 1
}

# skip REASON [COUNT]
skip() { local i; for ((i = 0; i < ${2:-1}; i++)); do _n=$((_n + 1)); echo "ok $_n # SKIP $1"; done; }

todo_start() { _todo=$1; }
todo_end() { _todo=""; }

done_testing() { _done=1; }

# ------------------------------------------------------------ helpers ----

# The commands, bounded in time wherever a test calls them directly (run and
# bg call the binaries through timeout themselves).
jail() { timeout -k 5 60 "$VJAIL_BIN/jail" "$@"; }
jls() { timeout -k 5 60 "$VJAIL_BIN/jls" "$@"; }
jexec() { timeout -k 5 60 "$VJAIL_BIN/jexec" "$@"; }

# run CMD...: RC, OUT, ERR. RUN_TIMEOUT (s) bounds it; RUN_STDIN feeds it.
run() {
	timeout -k 5 "${RUN_TIMEOUT:-30}" "$@" <"${RUN_STDIN:-/dev/null}" >"$WORK/.out" 2>"$WORK/.err"
	RC=$?
	OUT=$(cat "$WORK/.out")
	ERR=$(cat "$WORK/.err")
	return 0
}

# bg CMD...: starts CMD in the background, output to files; BGPID is its pid.
bg() {
	timeout -k 5 "${BG_TIMEOUT:-60}" "$@" </dev/null >"$WORK/.bg.$_n.out" 2>&1 &
	BGPID=$!
	_bgpids+=("$BGPID")
}

now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	local end=$(( $(now_ms) + $1 * 1000 )); shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# jail_exists NAME: `jls -c -j NAME` says so.
# procs_running NAME PATTERN: a process in the jail runs a command matching PATTERN
procs_running() { timeout 10 jexec "$1" ps ax 2>/dev/null | grep -Eq -- "$2"; }
jail_exists() { timeout 10 jls -c -j "$1" >/dev/null 2>&1; }
jail_absent() { timeout 10 jls -c -j "$1" >/dev/null 2>&1; [ $? -eq 1 ]; }

# jid_of NAME
jid_of() { timeout 10 jls -j "$1" jid 2>/dev/null; }

# registry_entries: what is under $VJAIL_RUNDIR/jails/ (a lock file aside)
registry_entries() {
	local f
	for f in "$VJAIL_RUNDIR"/jails/* "$VJAIL_RUNDIR"/jails/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		case ${f##*/} in .lock|lock) continue ;; esac
		echo "$f"
	done
}
registry_count() { registry_entries | wc -l; }

# index_entries: what is left in the registry's indexes (names, uid slots,
# children, bridge users, addresses, FIBs)
index_entries() {
	find "$VJAIL_RUNDIR"/names "$VJAIL_RUNDIR"/slots "$VJAIL_RUNDIR"/kids \
		"$VJAIL_RUNDIR"/bridges "$VJAIL_RUNDIR"/addrs "$VJAIL_RUNDIR"/fibs \
		-mindepth 1 2>/dev/null
}

# cgroup_count: cgroup directories below $VJAIL_CGROUP
cgroup_count() { find "$VJAIL_CGROUP" -mindepth 1 -type d 2>/dev/null | wc -l; }

# jail_pids JID: host pids of the processes in the jail's cgroup (and below).
jail_pids() {
	local f p
	for f in $(grep -lE "^0::${_cg_rel_re}(/.*)?/$1(/.*)?\$" /proc/[0-9]*/cgroup 2>/dev/null); do
		p=${f#/proc/}; echo "${p%/cgroup}"
	done
}

# holder_pid NAME: host pid of the jail's PID 1, found as the process in
# the cgroup $VJAIL_CGROUP/.../<jid> whose innermost pid is 1.
holder_pid() {
	local jid f p nspid
	jid=$(jid_of "$1") && [ -n "$jid" ] || return 1
	# (<jid>/init once a v2 group passes controllers to child jails)
	for f in $(grep -lE "^0::${_cg_rel_re}(/.*)?/${jid}(/init)?\$" /proc/[0-9]*/cgroup 2>/dev/null); do
		p=${f#/proc/}; p=${p%/cgroup}
		nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)
		if [ "$nspid" = 1 ]; then echo "$p"; return 0; fi
	done
	return 1
}

# pid_gone PID: no such process, or only a zombie left.
pid_gone() {
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	[ -e "/proc/$1" ] || return 0
	[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = Z ]
}

# mkroot DIR: an empty jail root with the usual mount points.
mkroot() { mkdir -p "$1"/bin "$1"/dev "$1"/etc "$1"/proc "$1"/sys "$1"/tmp "$1"/root; }

# Kernel features some files need; on an older kernel they skip cleanly.
# skip_all REASON: the whole file is skipped (call it before any test).
skip_all() { trap - EXIT; _cleanup; echo "1..0 # SKIP $*"; exit 0; }
# need_kernel X.Y WHAT: skip the file on kernels older than X.Y
need_kernel() {
	local v; v=$(uname -r); v=${v%%-*}
	printf '%s\n%s\n' "$1" "$v" | sort -V -C || skip_all "$2 needs Linux $1 (this is $v)"
}
# have_ipjail: address-restricted jails (ip4.addr) can be made here: cgroup
# BPF socket hooks with bpf_set_retval (5.18) and Landlock's scopes (ABI 6,
# 6.12), which libjail checks before it makes anything; else $_why says
# what is missing.  A failure of any other kind is the test's to see.
have_ipjail() {
	local v; v=$(uname -r); v=${v%%-*}
	if ! printf '5.18\n%s\n' "$v" | sort -V -C; then
		_why="cgroup BPF socket hooks need Linux 5.18 (this is $v)"; return 1
	fi
	run jail -c name=${T}probe path=/ persist ip4.addr=192.0.2.254
	rm_jail ${T}probe
	case $ERR in *"needs Landlock ABI"*) _why=${ERR#jail: }; return 1 ;; esac
	return 0
}
need_ipjail() { have_ipjail || skip_all "$_why"; }

# rm_jail NAME: removes a jail the test made, quietly (test-level cleanup).
rm_jail() { timeout 20 jail -q -r "$1" >/dev/null 2>&1; }

# _state: what the run has on the machine: registry entries, cgroups, netns
# entries, processes in its cgroups.
_state() {
	registry_entries
	find "$VJAIL_CGROUP" -mindepth 1 -type d 2>/dev/null | sort
	local f
	for f in /run/netns/"$T"[!0-9]* /run/netns/"$T"; do
		[ -e "$f" ] || [ -L "$f" ] && echo "$f"
	done
	grep -lE "vjail-test\.$$(/|\$)" /proc/[0-9]*/cgroup 2>/dev/null | sort
}

# snapshot: remember the state; no_trace compares against it (or nothing).
_snap=""
snapshot() { _snap=$(_state); }

# no_trace NAME: the jail NAME is unknown to jls and the state is as at the
# last snapshot (no half-made jail: no registry entry, cgroup, netns, process).
no_trace() {
	local now why=""
	jail_absent "$1" || why="jls -c -j $1 finds it. "
	now=$(_state)
	[ "$now" == "$_snap" ] || why+="state now:
$now
state before:
$_snap"
	ok "$([ -z "$why" ]; echo $?)" "$1 left no trace (jls, registry, cgroups, netns, processes)" || diag "$why"
}

# ---------------------------------------------------------- leak check ----

_leaks() {
	local out p f
	out=$(timeout 10 jls -d 2>&1 | tail -n +2)
	[ -n "$out" ] && echo "jails: $out"
	registry_entries | sed 's/^/registry entry: /'
	index_entries | sed 's/^/registry index entry: /'
	find "$VJAIL_CGROUP" -mindepth 1 -type d 2>/dev/null | sed 's/^/cgroup: /'
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -path "*/vjail-test.$$/*" \
		-not -path "$VJAIL_CGROUP/*" 2>/dev/null | sed 's/^/v1 cgroup: /'
	for f in /run/netns/"$T"[!0-9]* /run/netns/"$T"; do
		[ -e "$f" ] || [ -L "$f" ] && echo "netns: $f"
	done
	# (the registry's own tmpfs, mounted by vjail where /run is not one,
	# stays: it is vjail's, as /run is; the cleanup unmounts it)
	grep -E -e "$VJAIL_RUNDIR|$WORK|$OPEN" -e "/$T([^0-9]|\$)" /proc/self/mountinfo |
		awk -v r="$VJAIL_RUNDIR" '$5 != r' | sed 's/^/mount: /'
	for f in $(grep -lE "vjail-test\.$$(/|\$)" /proc/[0-9]*/cgroup 2>/dev/null); do
		p=${f#/proc/}; p=${p%/cgroup}
		pid_gone "$p" || echo "process in our cgroup: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		if [[ /proc/$p/ns/net -ef /proc/$$/ns/net ]] && ! pid_gone "$p"; then
			# ignore the helpers of this very check (children of this shell)
			[ "$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = "$BASHPID" ] && continue
			echo "process in our netns: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		fi
	done
}

_cleanup() {
	local n p f i
	for p in "${_bgpids[@]}"; do kill "$p" 2>/dev/null; done
	for n in $(timeout 10 jls -d name 2>/dev/null); do
		timeout 15 jail -q -r "$n" >/dev/null 2>&1
	done
	[ -e "$VJAIL_CGROUP/cgroup.kill" ] && echo 1 >"$VJAIL_CGROUP/cgroup.kill" 2>/dev/null
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		[[ /proc/$p/ns/net -ef /proc/$$/ns/net ]] && kill -9 "$p" 2>/dev/null
	done
	for f in /run/netns/"$T"[!0-9]* /run/netns/"$T"; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		umount -l "$f" 2>/dev/null; rm -f "$f"
	done
	grep -E -e "$VJAIL_RUNDIR|$WORK|$OPEN" -e "/$T([^0-9]|\$)" /proc/self/mountinfo |
		awk '{ print $5 }' | sort -r | while read -r f; do umount -l "$f" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		find "$VJAIL_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$VJAIL_CGROUP" ] || break
		sleep 0.2
	done
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -depth -type d -path "*/vjail-test.$$*" \
		-exec rmdir {} + 2>/dev/null
	rm -rf --one-file-system "$VJAIL_RUNDIR" "$WORK" "$OPEN"
}

_finish() {
	local st=$? l i
	trap - EXIT
	_todo=""
	if [ "$_done" != 1 ]; then
		ok 1 "test script ran to done_testing (it stopped early, status $st)"
	fi
	# background commands a test started get 3 s to end, then are killed
	for p in "${_bgpids[@]}"; do
		wait_for 3 pid_gone "$p" || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# teardown that is asynchronous by design (a monitor noticing an empty
	# jail) gets a moment; a leak is what is still there after it.
	for i in $(seq 30); do
		l=$(_leaks)
		[ -z "$l" ] && break
		sleep 0.1
	done
	ok "$([ -z "$l" ]; echo $?)" "no leaks: jails, registry, cgroups, netns, mounts, processes" || diag "$l"
	_cleanup
	echo "1..$_n"
	[ "$_failed" -eq 0 ] && exit 0
	exit 1
}
trap _finish EXIT
trap 'exit 130' INT TERM HUP
