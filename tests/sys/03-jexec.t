#!/usr/bin/env bash
# jexec: runs in the jail's namespaces, root, user; propagates status,
# stdin, working directory; leaks no fds; -l cleans the environment.
. "$(dirname "$0")/lib.sh"

W=${T}web
run jail -q -c name=$W path=/ host.hostname=web.example persist
is "$RC.$ERR" "0." "made $W (path=/)"
jid=$(jid_of $W)

run jexec $W hostname
is "$RC.$OUT" "0.web.example" "jexec name hostname prints the jail's hostname"
run jexec $jid hostname
is "$RC.$OUT" "0.web.example" "jexec jid hostname too"

run jexec $W ps ax
is "$RC" 0 "jexec ps ax exits 0"
rows=$(echo "$OUT" | tail -n +2)
pids=$(echo "$rows" | awk '{ print $1 }' | sort -n | tr '\n' ' ')
is "$(echo "$rows" | grep -c .)" 2 "ps ax in the jail shows two processes (the holder and ps)" || diag "$OUT"
like "$pids" '^1 ' "the jail's PID 1 is there"
like "$rows" ' ps ax$' "and ps itself"

run jexec $W cat /proc/self/uid_map
read -r inside outside count <<<"$OUT"
is "${inside:-}" 0 "uid_map: uid 0 in the jail ..."
ok "$([ "${outside:-0}" -ge 1073741824 ]; echo $?)" "... maps to a host uid >= 2^30 ($outside), not the identity"
run jexec $W cat /proc/self/gid_map
read -r inside goutside gcount <<<"$OUT"
ok "$([ "${inside:-x}" = 0 ] && [ "${goutside:-0}" -ge 1073741824 ]; echo $?)" "gid_map: gid 0 maps to a host gid >= 2^30 ($goutside)"
run jexec $W id -u
is "$OUT" 0 "a plain jexec runs as root of the jail"

# users
nobody_id=$(id nobody)
nobody_home=$(getent passwd nobody | cut -d: -f6)
run jexec -l -U nobody $W id
is "$RC.$OUT" "0.$nobody_id" "jexec -l -U nobody id runs as nobody"
run env FOO=leak jexec -l -U nobody $W env
unlike "$OUT" '^FOO=' "jexec -l: the caller's environment is not passed"
like "$OUT" '^USER=nobody$' "jexec -l: USER is the target user"
like "$OUT" "^HOME=$nobody_home\$" "jexec -l: HOME is the target's home"
like "$OUT" '^SHELL=' "jexec -l: SHELL is set"
run jexec -U nobody $W id -u
is "$OUT" 65534 "jexec -U nobody (without -l) also runs as nobody"
run jexec -u nobody $W id -u
is "$OUT" 65534 "jexec -u nobody (host's user database) too"
run jexec -U ${T}nouser $W id
ok "$([ "$RC" -ne 0 ]; echo $?)" "jexec -U of an unknown user fails"
like "$ERR" "${T}nouser" "  naming the user"

# status, stdin, cwd, fds
run jexec $W sh -c 'exit 7'
is "$RC" 7 "jexec returns the command's exit status"
run jexec $W sh -c 'kill -9 $$'
is "$RC" 137 "a command killed by SIGKILL gives status 128+9"
echo hello >"$WORK/in"
RUN_STDIN=$WORK/in run jexec $W cat
is "$OUT" hello "jexec passes stdin through"
echo 'echo from-shell; hostname' >"$WORK/in"
RUN_STDIN=$WORK/in run jexec $W
is "$RC.$OUT" "0.from-shell
web.example" "jexec without a command runs a shell"
run jexec $W pwd
is "$OUT" / "jexec starts in the jail's root"
run jexec -d /tmp $W pwd
is "$OUT" /tmp "jexec -d dir starts in dir"
exec 9<"$WORK/in"
run jexec $W ls /proc/self/fd
exec 9<&-
is "$(echo $OUT)" "0 1 2 3" "no inherited file descriptor reaches the command (only 0 1 2 and ls's own)"
run jexec $W ${T}nosuchcmd
ok "$([ "$RC" -ne 0 ]; echo $?)" "jexec of a missing command fails"
like "$ERR" "${T}nosuchcmd" "  naming it"

run jexec ${T}nosuch hostname
is "$RC" 1 "jexec into a missing jail exits 1"
is "$ERR" "jexec: jail \"${T}nosuch\" not found" "  with FreeBSD's message"
run jexec "" hostname
is "$RC.$ERR" "1.jexec: no jail specified" "jexec of an empty name: no jail specified"

rm_jail $W
run jexec $W hostname
is "$RC" 1 "jexec into a removed jail fails"

# a jail rooted in a directory: the command sees that directory as /
R=${T}root
mkroot "$WORK/root"
if command -v cc >/dev/null && cat >"$WORK/probe.c" <<'EOF' && cc -static -o "$WORK/root/bin/probe" "$WORK/probe.c" 2>/dev/null
/* probe [dir]: the names in dir (default /), one a line, dot files left out */
#include <dirent.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	DIR *d = opendir(argc > 1 ? argv[1] : "/");
	struct dirent *e;
	if (!d) { perror("opendir"); return 1; }
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			puts(e->d_name);
	return 0;
}
EOF
then
	run jail -q -c name=$R path="$WORK/root" host.hostname=root.example persist
	is "$RC.$ERR" "0." "made $R with path=\$WORK/root"
	run jexec $R /bin/probe /
	is "$(echo "$OUT" | sort | tr '\n' ' ')" "bin dev etc proc root sys tmp " "in the jail / is the jail's path"
	run jexec $R /bin/probe /bin
	is "$OUT" probe "and /bin holds only what the directory holds"
	run jexec $R /bin/probe /proc
	is "$(echo "$OUT" | grep -E '^[0-9]+$' | sort -n | head -1)" 1 "/proc in the jail is the jail's (PID 1 is there)"
	is "$(echo "$OUT" | grep -cE '^[0-9]+$')" 2 "and shows only the holder and the probe"
	rm_jail $R
else
	skip "no static C compiler for a probe binary" 5
fi

# ---- jexec is static-pie and never loads a library (doc/design-notes.md)
# A trap library marks its loading; it is offered where a dynamic
# program's dlopen looks first (LD_LIBRARY_PATH) as libseccomp, libmnl
# and an NSS module (named by a private /etc/nsswitch.conf).
run readelf -lW "$VJAIL_BIN/jexec"
is "$RC.$(grep -c INTERP <<<"$OUT")" "0.0" "jexec is static: no program interpreter"
TRAP=$WORK/trap
mkdir -p "$TRAP"
cat >"$TRAP/trap.c" <<'EOF'
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void trap(void)
{
	close(open(MARK, O_WRONLY | O_CREAT, 0644));
}
EOF
traps_built=1
for l in libseccomp.so.2 libmnl.so.0 libnss_vjtrap.so.2; do
	cc -shared -fPIC -DMARK="\"$TRAP/loaded-$l\"" -o "$TRAP/$l" \
	    "$TRAP/trap.c" || traps_built=0
done
loaded() { ls "$TRAP" | sed -n 's/^loaded-//p' | tr '\n' ' '; }
trapped=(env LD_LIBRARY_PATH="$TRAP")
if [ "$traps_built" = 1 ]; then
	# libseccomp: a jail with a filter (sysvipc=disable); with the
	# registry's cached program removed, jexec compiles it
	S=${T}ipc
	run jail -q -c name=$S path=/ persist sysvipc=disable
	is "$RC.$ERR" "0." "made $S (sysvipc=disable: a seccomp filter)"
	rm -f "$VJAIL_RUNDIR"/filters/*
	run "${trapped[@]}" "$VJAIL_BIN/jexec" $S ipcmk -Q
	isnt "$RC" 0 "jexec compiling the filter itself: SysV IPC is refused in $S"
	is "$(loaded)" "" "  by the libseccomp linked in, not the trap"
	check "  the compiled program is cached" \
	    eval 'ls "$VJAIL_RUNDIR"/filters/* >/dev/null 2>&1'
	run "${trapped[@]}" "$VJAIL_BIN/jexec" $S ipcmk -Q
	isnt "$RC" 0 "  and refused through the cache too"
	run jexec $S true
	is "$RC.$ERR" "0." "  while the jail runs what it may (control)"
	rm -f "$VJAIL_RUNDIR"/filters/*
	run "${trapped[@]}" "$VJAIL_BIN/jail" -q -c name=${T}ctl path=/ persist sysvipc=disable
	is "$RC.$(loaded)" "1.libseccomp.so.2 " \
	    "control: the dynamic jail(8) compiling it loads the trap (and fails)"
	rm -f "$TRAP"/loaded-*

	# NSS: jexec -u reads the host's user from /etc/passwd and
	# /etc/group (NSS's "files"); it never loads a module that
	# nsswitch.conf names (static glibc would, with a second libc);
	# getent(1), a process of its own, asks the others
	printf 'passwd: files vjtrap\ngroup: files vjtrap\n' >"$TRAP/nsswitch.conf"
	nss=(unshare -m sh -c 'mount --bind "$0/nsswitch.conf" /etc/nsswitch.conf &&
	    LD_LIBRARY_PATH="$0" exec "$@"' "$TRAP")
	run "${nss[@]}" getent passwd ${T}nouser
	is "$(loaded)" "libnss_vjtrap.so.2 " \
	    "control: a dynamic lookup under that nsswitch.conf loads the module"
	rm -f "$TRAP"/loaded-*
	run "${nss[@]}" "$VJAIL_BIN/jexec" -u nobody $S id
	is "$RC.$OUT" "0.$nobody_id" "jexec -u nobody: from /etc/passwd and /etc/group"
	is "$(loaded)" "" "  and no module loaded"
	run "${nss[@]}" "$VJAIL_BIN/jexec" -u ${T}nouser $S true
	is "$RC.$ERR" "1.jexec: ${T}nouser: no such user" \
	    "jexec -u of a user no module knows: no such user"
	is "$(loaded)" "libnss_vjtrap.so.2 " "  asked of getent, which loads the module"
	rm -f "$TRAP"/loaded-*
	# a user only another module knows (a getent of ours answers)
	cat >"$TRAP/getent" <<EOF
#!/bin/sh
case "\$1 \$3" in
"passwd ${T}ldap") echo "${T}ldap:x:4242:4243::/nonexistent:/bin/sh" ;;
"initgroups ${T}ldap") echo "${T}ldap   4244 4245" ;;
*) exit 2 ;;
esac
EOF
	chmod +x "$TRAP/getent"
	run unshare -m sh -c 'mount --bind "$0/getent" /usr/bin/getent &&
	    exec "$@"' "$TRAP" "$VJAIL_BIN/jexec" -u ${T}ldap $S id
	is "$RC.$OUT" "0.uid=4242 gid=4243 groups=4243,4244,4245" \
	    "jexec -u of a user only getent knows: its ids and groups"
	# on a terminal: a pty in between (posix_openpt, grantpt: static too)
	run timeout 10 script -qec "$VJAIL_BIN/jexec $S sh -c 'test -t 0 && echo on-tty'" /dev/null
	like "$RC.$OUT" '^0\..*on-tty' "jexec on a terminal gives the command a pty"
	rm_jail $S

	# libmnl: a dead jail whose removal needs netlink (its bridge) is
	# left whole to jail -r
	D=${T}dead
	run jail -q -c name=$D path=/ persist vnet vnet.bridge=${T}br
	is "$RC.$ERR" "0." "made $D (vnet, on bridge ${T}br)"
	hp=$(holder_pid $D)
	kill -KILL "$(sed -n 's/^\.monitor=//p' \
	    "$VJAIL_RUNDIR/jails/$(jid_of $D)")" "$hp"
	check "  its holder and monitor killed" wait_for 3 pid_gone "$hp"
	run "${trapped[@]}" "$VJAIL_BIN/jexec" $D true
	is "$RC.$ERR" "1.jexec: jail \"$D\" not found" "jexec of the dead jail: not found"
	is "$(loaded)" "" "  nothing loaded"
	run jls -d -j $D state
	is "$RC.$OUT" "0.dead" "  the jail is left whole to jail -r (jls -d shows it)"
	check "  with its bridge" eval 'ip link show ${T}br >/dev/null'
	run jail -q -r $D
	is "$RC.$ERR" "0." "jail -r removes it"
	check "  and its bridge" eval '! ip link show ${T}br >/dev/null 2>&1'
	run "${trapped[@]}" "$VJAIL_BIN/jail" -q -c name=${T}ctl path=/ persist vnet \
	    vnet.bridge=${T}br
	is "$RC.$(loaded)" "1.libmnl.so.0 " \
	    "control: the dynamic jail(8) wiring a jail loads the trap (and fails)"
else
	skip "no C compiler for the trap library" 21
fi

done_testing
