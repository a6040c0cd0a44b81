#!/usr/bin/env bash
# jail(8) with jail.conf: hook order, rollback of a failed step by the
# pairs of the steps done, exec.timeout, depend, loops, bad files.
. "$(dirname "$0")/lib.sh"

C=$WORK/jail.conf
LOG=$OPEN/hooks.log
: >"$LOG"
chmod 666 "$LOG"

# every hook appends its name to the log (exec.start/stop from inside)
hooks() {
	local j=$1
	for h in prepare prestart created start poststart prestop stop poststop release; do
		printf '\texec.%s = "echo %s %s >>%s";\n' "$h" "$j" "$h" "$LOG"
	done
}

cat >"$C" <<EOF
# globals, then a wildcard block, then the jails
path = "/";
persist;
\$net = "${T}";
* {
	host.hostname = "\$name.example";
}
${T}b {
$(hooks ${T}b)
}
${T}a {
	depend = "\${net}b";
$(hooks ${T}a)
}
EOF

run jail -f "$C" -c
is "$RC" 0 "jail -f conf -c creates every jail in the file"
is "$OUT" "${T}b: created
${T}a: created" "  the one depended on first"
is "$(jexec ${T}a hostname 2>&1)" "${T}a.example" "  wildcard and \$name reach each jail"
is "$(grep "^${T}b " "$LOG" | cut -d' ' -f2 | tr '\n' ' ')" \
	"prepare prestart created start poststart " "start hooks run in FreeBSD's order"
: >"$LOG"
run jail -f "$C" -r '*'
is "$RC" 0 "jail -f conf -r '*'"
is "$OUT" "${T}a: removed
${T}b: removed" "  the dependent one first"
is "$(grep "^${T}a " "$LOG" | cut -d' ' -f2 | tr '\n' ' ')" \
	"prestop stop poststop release " "stop hooks run in FreeBSD's order"

# a failed step undoes exactly the steps done, by their pairs
for step in prepare prestart created start poststart; do
	: >"$LOG"
	F=$WORK/fail-$step.conf
	{
		echo "${T}f { path = \"/\"; persist;"
		hooks ${T}f | sed "s|echo ${T}f $step >>$LOG|echo ${T}f $step >>$LOG; false|"
		echo "}"
	} >"$F"
	run jail -f "$F" -c ${T}f
	is "$RC" 1 "exec.$step failing: jail -c exits 1"
	like "$ERR" "exec\\.$step" "  the message names exec.$step"
	case $step in
	prepare) want="prepare release " ;;
	prestart) want="prepare prestart poststop release " ;;
	created) want="prepare prestart created poststop release " ;;
	start) want="prepare prestart created start stop poststop release " ;;
	poststart) want="prepare prestart created start poststart stop poststop release " ;;
	esac
	is "$(cut -d' ' -f2 "$LOG" | tr '\n' ' ')" "$want" "  undone by the pairs of the steps done"
	check "  and no jail is left" jail_absent ${T}f
done

# exec.timeout bounds a hook that hangs
cat >"$WORK/hang.conf" <<EOF
${T}h { path = "/"; exec.timeout = 1; exec.prestart = "sleep 30"; }
EOF
t0=$(now_ms)
run jail -f "$WORK/hang.conf" -c ${T}h
is "$RC" 1 "a hook that hangs past exec.timeout fails the start"
like "$ERR" 'timed out' "  saying it timed out"
ok "$([ $(( $(now_ms) - t0 )) -lt 5000 ]; echo $?)" "  after about exec.timeout"
check "  no jail is left" jail_absent ${T}h

# a dependency loop is refused before anything is made
cat >"$WORK/loop.conf" <<EOF
${T}x { path = "/"; persist; depend = ${T}y; }
${T}y { path = "/"; persist; depend = ${T}x; }
EOF
run jail -f "$WORK/loop.conf" -c ${T}x
is "$RC" 1 "a dependency loop: exit 1"
like "$ERR" 'dependency loop' "  named as such"
check "  nothing made" jail_absent ${T}x
check "  nothing made" jail_absent ${T}y

# bad files: where, and what was expected
printf '%s {\n\tpath = "/"\n\tpersist;\n}\n' ${T}s >"$WORK/syntax.conf"
run jail -f "$WORK/syntax.conf" -c
is "$RC" 1 "a syntax error: exit 1"
like "$ERR" "syntax\\.conf:[23]" "  the message gives file and line"
printf '%s {\n\tpath = "/";\n\tbogus.param = 1;\n}\n' ${T}u >"$WORK/unknown.conf"
run jail -f "$WORK/unknown.conf" -c
is "$RC" 1 "an unknown parameter: exit 1"
like "$ERR" "unknown\\.conf:3: unknown parameter: bogus\\.param" "  with file, line and name"
check "  nothing made" jail_absent ${T}u

# mount: in the jail's own mount table, never the host's
mkdir -p "$WORK/mnt"
cat >"$WORK/mount.conf" <<EOF
${T}m { path = "/"; persist; mount = "tmpfs $WORK/mnt tmpfs rw,size=1m 0 0"; }
EOF
run jail -f "$WORK/mount.conf" -c ${T}m
is "$RC" 0 "a jail with a mount entry"
like "$(jexec ${T}m cat /proc/self/mountinfo 2>&1)" " $WORK/mnt .* - tmpfs " "  mounted in the jail"
unlike "$(cat /proc/self/mountinfo)" " $WORK/mnt " "  and not on the host"
rm_jail ${T}m
mkroot "$WORK/r"
cat >"$WORK/mount2.conf" <<EOF
${T}n { path = "$WORK/r"; persist; mount = "tmpfs /elsewhere tmpfs rw 0 0"; }
EOF
run jail -f "$WORK/mount2.conf" -c ${T}n
is "$RC" 1 "a mount point outside the jail's path is refused"
like "$ERR" 'not below the jail' "  saying so"
check "  and no jail is left" jail_absent ${T}n

# -e lists the configured jails
run jail -f "$C" -e :
like "$OUT" "^name=${T}b:" "jail -e lists configured jails, one a line"

done_testing
