#!/usr/bin/env bash
# etc/vjail-rc, the boot and shutdown script (FreeBSD's "service jail"):
# the jails of jail.conf and jail.conf.d, one dependency order across the
# files on start, the reverse on stop; one jail by name from its own file.
. "$(dirname "$0")/lib.sh"

RC_SH=$_vj_top/etc/vjail-rc
export VJAIL_CONF=$WORK/jail.conf VJAIL_CONFDIR=$WORK/jail.conf.d
LOG=$WORK/order.log
: >"$LOG"
mkdir -p "$VJAIL_CONFDIR"
hooks() { printf 'exec.poststart = "echo start %s >>%s"; exec.poststop = "echo stop %s >>%s";' "$1" "$LOG" "$1" "$LOG"; }
{
	echo 'path = "/";'
	echo 'persist;'
	echo "${T}a { $(hooks ${T}a) }"
} >"$VJAIL_CONF"
echo "${T}b { path = \"/\"; persist; depend = ${T}a; $(hooks ${T}b) }" >"$VJAIL_CONFDIR/${T}b.conf"
echo "${T}c { path = \"/\"; persist; $(hooks ${T}c) }" >"$VJAIL_CONFDIR/${T}c.conf"
echo "not a jail file" >"$VJAIL_CONFDIR/README"

run "$RC_SH" start
is "$RC" 0 "vjail-rc start: every jail of jail.conf and jail.conf.d" || diag "$ERR"
for j in ${T}a ${T}b ${T}c; do check "  $j runs" jail_exists $j; done
like "$(tr '\n' ' ' <"$LOG")" "start ${T}a .*start ${T}b " "  ${T}b (jail.conf.d) after ${T}a (jail.conf), which it depends on"
run "$RC_SH" status
like "$OUT" "${T}b" "vjail-rc status lists them"
: >"$LOG"
run "$RC_SH" stop
is "$RC" 0 "vjail-rc stop" || diag "$ERR"
for j in ${T}a ${T}b ${T}c; do check "  $j is gone" jail_absent $j; done
like "$(tr '\n' ' ' <"$LOG")" "stop ${T}b .*stop ${T}a " "  in reverse: ${T}b before ${T}a"
run "$RC_SH" start ${T}c
is "$RC.$OUT" "0.${T}c: created" "vjail-rc start NAME: from jail.conf.d/NAME.conf"
check "  only it" jail_absent ${T}a
run "$RC_SH" stop ${T}c
is "$RC.$OUT" "0.${T}c: removed" "vjail-rc stop NAME"
# FreeBSD's rc.d/jail: /etc/jail.NAME.conf before jail.conf.d/NAME.conf
echo "${T}c { path = \"/\"; persist; host.hostname = legacy; }" >"$WORK/jail.${T}c.conf"
run "$RC_SH" start ${T}c
is "$RC.$OUT.$(jls -j ${T}c host.hostname)" "0.${T}c: created.legacy" "vjail-rc start NAME: /etc/jail.NAME.conf first, as rc.d/jail"
run "$RC_SH" stop ${T}c
rm -f "$WORK/jail.${T}c.conf"
# jail(8) itself reads only its -f file (FreeBSD's config.c): not
# jail.conf.d/NAME.conf
run jail -f "$VJAIL_CONF" -c ${T}c
is "$RC.$ERR" "1.jail: \"${T}c\" not found" "jail -f jail.conf -c NAME does not look in jail.conf.d (FreeBSD)"
run "$RC_SH" start ${T}nope
is "$RC" 1 "an unknown jail: exit 1"
run "$RC_SH" bogus
is "$RC" 1 "usage"

done_testing
