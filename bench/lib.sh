# bench/lib.sh: sourced by the benchmark scripts (bench/run, bench/net/run,
# bench/net/datapath, bench/endurance).
#
# Gives each script: die and warn (warn makes the exit status 1), a private
# registry and cgroup parent (private_jails NAME: VJAIL_RUNDIR=/run/NAME,
# VJAIL_CGROUP=<cgroup2 mount>/NAME; vjail also makes NAME under each
# cgroup v1 controller), a leak check over them (leaks), their removal
# (private_cleanup), /proc/meminfo (meminfo), a jail root of busybox-static
# (busybox_root DIR), wall time (now, sub) and results (result KEY VALUE...:
# one line appended to $BENCH_RESULTS when it is set).
#
# The scripts never fail on time: only a failed command or something left
# behind makes their exit status non-zero.

# Descriptors the caller left open would be inherited by every jail's
# holder and monitor, and one above 63 makes each of their files tables
# 2 kB larger for the jail's life (measured: a harness's fd 251 cost 4 kB a
# jail): the benchmarks measure jails, not their caller's descriptors.
close_inherited() {
	local fd
	for fd in /proc/$$/fd/*; do
		fd=${fd##*/}
		((fd > 2 && fd != 255)) && eval "exec $fd>&-"
	done
	return 0
}
close_inherited

# own_netns "$@": re-run the calling script in a network namespace of its
# own, which plays the host (bridges, host ends and traffic never touch the
# machine's stack), and a mount namespace (slave of the host's) where
# $NETSYS is a sysfs mounted from that network namespace: a sysfs shows the
# links of the namespace that mounted it, so the host's /sys/class/net
# shows the machine's.  (Not over /sys/class/net: a sysfs not fully visible
# would stop jails from mounting theirs.)  Under tini -s if there is one:
# exited jail monitors must be reaped and PID 1 here may not do it.
own_netns() {
	if [[ -z ${BENCH_NETNS:-} ]]; then
		BENCH_NETNS=1 exec unshare --net --mount --propagation slave -- \
			"$BASH" "$0" "$@"
	fi
	if [[ $BENCH_NETNS == 1 ]]; then
		[[ /proc/self/ns/net -ef /proc/1/ns/net ]] &&
			die "still in the host's network namespace"
		NETSYS=$(mktemp -d /tmp/vjail-bench-sys.XXXXXX) &&
			mount -t sysfs sysfs "$NETSYS" ||
			die "cannot mount a sysfs of our network namespace"
		ip link set lo up
		export BENCH_NETNS=2 NETSYS
	fi
	if [[ -z ${BENCH_REAPED:-} ]] && command -v tini >/dev/null; then
		BENCH_REAPED=1 exec tini -s -- "$BASH" "$0" "$@"
	fi
}

# The empty mount point own_netns left on the host's /tmp.
netsys_cleanup() {
	[[ -n ${NETSYS:-} && -d $NETSYS ]] || return 0
	umount "$NETSYS" && rmdir "$NETSYS"
}

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
status=0

die() { echo "${me:-bench}: $*" >&2; exit 1; }
warn() { echo "${me:-bench}: $*" >&2; status=1; }

result() { [[ -n ${BENCH_RESULTS:-} ]] && echo "$*" >>"$BENCH_RESULTS"; return 0; }

now() { echo "${EPOCHREALTIME/,/.}"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }

mem=0 slab=0
meminfo() {
	local k v u
	while read -r k v u; do
		case $k in
		MemAvailable:) mem=$v ;;
		Slab:) slab=$v ;;
		esac
	done </proc/meminfo
	charged=-
	[[ -n ${BENCH_MEMCG:-} ]] && read -r v <"$BENCH_MEMCG" &&
		charged=$((v / 1024))
	return 0
}

# memcg_join NAME: this script and all it starts are charged to a v1
# memory cgroup of their own (BENCH_MEMCG: its usage file, read by
# meminfo and netfloor).  A jail's holder and monitor stay in it (vjail
# makes v1 groups only for limited controllers), so its usage counts
# what the kernel and the processes charge for them: steadier than
# MemAvailable, which other work on the machine moves and which counts
# reclaimable caches at half.  Not on a host without the v1 memory
# hierarchy (charged is "-" then).  memcg_leave undoes it.
memcg_join() {
	local d=/sys/fs/cgroup/memory
	[[ -f $d/cgroup.procs && -f $d/memory.usage_in_bytes ]] || return 0
	mkdir "$d/$1" && echo $$ >"$d/$1/cgroup.procs" || {
		rmdir "$d/$1" 2>/dev/null; return 0; }
	export BENCH_MEMCG=$d/$1/memory.usage_in_bytes
}

memcg_leave() {
	[[ -n ${BENCH_MEMCG:-} ]] || return 0
	local d=${BENCH_MEMCG%/*}
	echo $$ >"${d%/*}/cgroup.procs"
	rmdir "$d" 2>/dev/null || warn "memory cgroup $d still in use"
	unset BENCH_MEMCG
}

# The cgroup2 mount: /sys/fs/cgroup on unified hosts, .../unified on hybrid.
cg2_mount() {
	awk '{ for (i = 7; i < NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup2") { print $5; exit }
		break } }' /proc/self/mountinfo
}

# private_jails NAME: a registry and cgroup parent of our own, exported.
rundir= cg= cgname=
private_jails() {
	local cg2
	cg2=$(cg2_mount)
	[[ -n $cg2 ]] || die "no cgroup2 mount found"
	[[ ! -e /run/$1 && ! -e $cg2/$1 ]] ||
		die "/run/$1 or $cg2/$1 already exists: not ours, not touching it"
	mkdir -m 0700 "/run/$1" || die "cannot make /run/$1"
	rundir=/run/$1
	mkdir "$cg2/$1" || die "cannot make cgroup $cg2/$1"
	cg=$cg2/$1 cgname=$1
	export VJAIL_RUNDIR=$rundir VJAIL_CGROUP=$cg
}

# Our cgroups below the parent, v2 and v1 (vjail mirrors the parent's
# name under each v1 controller it uses).
our_cgroups() {
	[[ -n $cgname ]] || return 0
	find "$cg" -mindepth 1 -type d 2>/dev/null
	find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d \
		-path "*/$cgname/*" -not -path "$cg/*" 2>/dev/null
}

# leaks [JLS]: print what the private registry and cgroup parent still
# hold: jails, registry entries, cgroups, processes in our cgroups.
leaks() {
	local jls=${1:-$bin/jls} f p
	[[ -n $rundir && -d $rundir ]] || return 0
	"$jls" name 2>/dev/null | sed 's/^/jail: /'
	for f in "$rundir"/jails/* "$rundir"/names/* "$rundir"/slots/*; do
		[[ -e $f || -L $f ]] && echo "registry entry: $f"
	done
	our_cgroups | sed 's/^/cgroup: /'
	[[ -d $cg ]] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null |
		while read -r p; do
			echo "process in our cgroups: $p $(tr '\0' ' ' \
				<"/proc/$p/cmdline" 2>/dev/null)"
		done
	# (the registry's own tmpfs, where /run is not one, is vjail's: the
	# cleanup unmounts it)
	grep -F -e "$rundir" /proc/self/mountinfo | awk -v r="$rundir" '$5 != r' |
		sed 's/^/mount: /'
	return 0
}

# Remove the private registry and cgroups: their jails first (JLS JAIL),
# then whatever processes are left in our cgroups.
private_cleanup() {
	local jls=${1:-$bin/jls} jail=${2:-$bin/jail} name i
	if [[ -n $rundir && -d $rundir ]]; then
		for name in $("$jls" name 2>/dev/null); do
			warn "jail $name left behind; removing it"
			"$jail" -q -r "$name" >/dev/null 2>&1 ||
				warn "jail -r $name failed"
		done
	fi
	if [[ -n $cg && -d $cg ]]; then
		# A one-shot jail ends in the background: give it 5 s.
		for ((i = 0; i < 50; i++)); do
			[[ -z $(our_cgroups) ]] &&
				grep -q '^populated 0' "$cg/cgroup.events" && break
			sleep 0.1
		done
		if ! grep -q '^populated 0' "$cg/cgroup.events"; then
			# Only processes our jails started can be in here.
			warn "processes left in $cg; killing them"
			echo 1 >"$cg/cgroup.kill"
			for ((i = 0; i < 50; i++)); do
				grep -q '^populated 0' "$cg/cgroup.events" && break
				sleep 0.1
			done
		fi
		[[ -n $(our_cgroups) ]] && warn "cgroups left under $cg; removing them"
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
		find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -depth -type d \
			-path "*/$cgname*" -exec rmdir {} + 2>/dev/null
		[[ -d $cg ]] && warn "could not remove $cg"
	fi
	if [[ -n $rundir && -d $rundir ]]; then
		# (vjail keeps its registry on a tmpfs where /run is not one)
		umount "$rundir" 2>/dev/null
		rm -rf --one-file-system -- "$rundir"
		[[ -d $rundir ]] && warn "could not remove $rundir"
	fi
	rundir= cg= cgname=
}

# busybox_root DIR: a tiny jail root, busybox-static and its applets.
busybox_root() {
	local bb a
	bb=$(command -v busybox) || die "busybox not found (busybox-static)"
	ldd "$bb" >/dev/null 2>&1 &&
		die "$bb is dynamically linked; install busybox-static"
	mkdir -p "$1"/bin "$1"/dev "$1"/etc "$1"/proc "$1"/sys "$1"/tmp &&
		cp "$bb" "$1/bin/busybox" || die "cannot make a root in $1"
	for a in true sh readlink ping cat sleep; do
		ln -s busybox "$1/bin/$a"
	done
}
