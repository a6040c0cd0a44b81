# vjail: FreeBSD jails with vnet, on Linux.
#
#   make            build libjail (shared and static) and jail, jls, jexec,
#                   rctl, cpuset
#   make check      the layer check (tools/layers), unit tests (no root)
#                   and system tests (root) via prove
#   make bench      benchmarks, as ratios to a floor and to peers
#   make install    PREFIX=/usr/local DESTDIR= honoured

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/sbin
LIBDIR	 = $(PREFIX)/lib
INCDIR	 = $(PREFIX)/include
MANDIR	 = $(PREFIX)/share/man
PCDIR	 = $(LIBDIR)/pkgconfig

CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-result -Wno-format-truncation \
	   -Iinclude -I$(B)/gen -fstack-protector-strong -D_FORTIFY_SOURCE=2
LIBS	 =		# libmnl, libseccomp and libbpf: dlopen on first use

B	 = build
# (sys/dl_static.c: not libjail's, the static commands' own; see there)
LIB_SRC	 = $(filter-out src/libjail/sys/dl_static.c,\
	   $(wildcard src/libjail/*.c src/libjail/sys/*.c src/libjail/modules/*.c))
LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/obj/%.o)
PIC_OBJ	 = $(LIB_SRC:%.c=$(B)/pic/%.o)
HDRS	 = include/jail.h src/libjail/vjail.h src/libjail/service.h \
	   src/libjail/sys/mnl.h
CMDS	 = jail jls jexec sockstat rctl cpuset setfib
SOVER	 = 1

EXAMPLES = $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))

all: $(B)/lib/libjail.a $(B)/lib/libjail.so.$(SOVER) $(CMDS:%=$(B)/bin/%) \
    $(EXAMPLES)

# Programs using libjail as a user would (tests run them too).
$(B)/examples/%: examples/%.c $(B)/lib/libjail.a include/jail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/lib/libjail.a $(LIBS)

# The stubs (src/libjail/stub/*.c): freestanding and static, embedded in
# libjail as byte arrays run from sealed memfds: execstub, the last exec
# into a jail (exec.c); initstub, a jail's PID 1 once set up, and
# watchstub, its monitor between events (spawn.c).
# The two that stay for a jail's life are linked 2 MB under the stack's
# top on x86-64 (sys_exec_stub runs them unrandomized): one page table.
$(B)/stub/%: src/libjail/stub/%.c src/libjail/stub/stub.h
	@mkdir -p $(dir $@)
	$(CC) -Os -static -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns \
	    -fno-stack-protector -fpie -no-pie \
	    -fno-asynchronous-unwind-tables -Wl,--build-id=none \
	    -Wl,-z,noexecstack -Wl,-n $(STUB_AT) -s -o $@ $<
STUB_HIGH := $(if $(findstring x86_64,$(shell $(CC) -dumpmachine)),0x7fffffe00000)
$(B)/stub/initstub $(B)/stub/watchstub: STUB_AT = \
    $(STUB_HIGH:%=-Xlinker -Ttext-segment=%)

$(B)/gen/%.h: $(B)/stub/%
	@mkdir -p $(dir $@)
	{ echo 'static const unsigned char $*[] = {'; \
	  od -An -v -tu1 $< | sed 's/ *\([0-9][0-9]*\)/\1,/g'; echo '};'; } >$@

$(B)/obj/src/libjail/exec.o $(B)/pic/src/libjail/exec.o: $(B)/gen/execstub.h
$(B)/obj/src/libjail/spawn.o $(B)/pic/src/libjail/spawn.o: $(B)/gen/initstub.h $(B)/gen/watchstub.h

$(B)/obj/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/pic/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -c -o $@ $<

# The address-restriction programs: BPF, built into the library
# (sys/bpf.c includes the object with .incbin).
BPF_CC	?= clang
$(B)/bpf/jailip.bpf.o: src/libjail/bpf/jailip.bpf.c src/libjail/bpf/jailip.h
	@mkdir -p $(dir $@)
	$(BPF_CC) -O2 -g -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) \
	    -Wall -c -o $@ $<
	llvm-strip -g --remove-section=.BTF --remove-section=.BTF.ext --remove-section=.rel.BTF.ext $@

$(B)/obj/src/libjail/sys/bpf.o $(B)/pic/src/libjail/sys/bpf.o: \
    $(B)/bpf/jailip.bpf.o src/libjail/bpf/jailip.h
$(B)/obj/src/libjail/sys/bpf.o $(B)/pic/src/libjail/sys/bpf.o: \
    CFLAGS += -DJAILIP_OBJ='"$(B)/bpf/jailip.bpf.o"'

$(B)/lib/libjail.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/lib/libjail.so.$(SOVER): $(PIC_OBJ) src/libjail/libjail.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libjail.so.$(SOVER) \
	    -Wl,--version-script=src/libjail/libjail.map -o $@ $(PIC_OBJ) $(LIBS)
	ln -sf libjail.so.$(SOVER) $(B)/lib/libjail.so

# The commands carry libjail statically and bind every symbol at start
# (-z now): the monitor, holder and exec child, all forks of the command,
# then never resolve a symbol again.
$(B)/bin/%: src/cmd/%.c $(B)/lib/libjail.a include/jail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wl,-z,now -o $@ $< $(B)/lib/libjail.a $(LIBS)

# jexec is static-pie (no loader, no libc.so to map: about 0.2 ms a run):
# sys/dl_static.c stands in for sys/dl.c, libseccomp is linked in, and
# it never dlopens (no netlink, no BPF; doc/design-notes.md).
STATIC_CMDS = jexec
$(STATIC_CMDS:%=$(B)/bin/%): $(B)/bin/%: src/cmd/%.c $(B)/obj/src/libjail/sys/dl_static.o \
    $(B)/lib/libjail.a include/jail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static-pie -o $@ $< $(B)/obj/src/libjail/sys/dl_static.o \
	    $(B)/lib/libjail.a -l:libseccomp.a

# jail(8) is four files, as FreeBSD's: main (driver), config (jail.conf),
# command (exec.* hooks and steps), state (order, dependencies).
JAIL_SRC = $(wildcard src/cmd/jail/*.c)
$(B)/bin/jail: $(JAIL_SRC) $(wildcard src/cmd/jail/*.h) $(B)/lib/libjail.a include/jail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wl,-z,now -o $@ $(JAIL_SRC) $(B)/lib/libjail.a $(LIBS)

# The version script exports only <jail.h>'s names.
libjail.pc = printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: libjail\nDescription: FreeBSD jails on Linux (vjail)\nVersion: 0.1\nLibs: -L$${libdir} -ljail\nLibs.private: %s\nCflags: -I$${includedir}\n' \
	    '$(PREFIX)' '$(LIBDIR)' '$(INCDIR)' '$(LIBS)'

# The manual's table of securelevel and allow.*, printed by the code that
# enforces them: `make man` puts it into man/jail.8 (tests/unit/manpage.t
# fails when they disagree).
$(B)/tools/allowtable: tools/allowtable.c $(B)/lib/libjail.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc/libjail -o $@ $< $(B)/lib/libjail.a $(LIBS)

man: $(B)/tools/allowtable
	$(B)/tools/allowtable >$(B)/allow.mdoc
	awk -v t=$(B)/allow.mdoc '/^\.\\" BEGIN allow table/ { while ((getline l <t) > 0) print l; skip = 1; next } \
	    /^\.\\" END allow table/ { skip = 0; next } !skip' man/jail.8 >$(B)/jail.8.new
	mv $(B)/jail.8.new man/jail.8

# ---- tests ----
UNIT_SRC = $(filter-out tests/unit/shared.c tests/unit/dlstatic.c,$(wildcard tests/unit/*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%.t) $(B)/tests/shared.t \
	   $(B)/tests/dlstatic.t

# Against the shared library, through the public header only: what a
# user of -ljail gets (exported names, version script).
$(B)/tests/shared.t: tests/unit/shared.c $(B)/lib/libjail.so.$(SOVER) include/jail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -L$(B)/lib -ljail -Wl,-rpath,'$$ORIGIN/../lib'

$(B)/tests/%.t: tests/unit/%.c tests/unit/tap.h $(B)/lib/libjail.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc/libjail -o $@ $< $(B)/lib/libjail.a $(LIBS)

# Linked as the static commands are.
$(B)/tests/dlstatic.t: tests/unit/dlstatic.c tests/unit/tap.h \
    $(B)/obj/src/libjail/sys/dl_static.o $(B)/lib/libjail.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc/libjail -static-pie -o $@ $< \
	    $(B)/obj/src/libjail/sys/dl_static.o $(B)/lib/libjail.a -l:libseccomp.a

# The jail.conf parser, on its own (no libjail).
$(B)/tests/conf.t: tests/unit/conf.c tests/unit/tap.h src/cmd/jail/config.c src/cmd/jail/config.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ tests/unit/conf.c src/cmd/jail/config.c

# make fuzz: libFuzzer on the parser for a fixed budget, tests/conf as the
# seeds; any crash, leak or undefined behaviour fails (clang; not in CI).
FUZZ_CC	?= clang
FUZZ_TIME ?= 60
FUZZ_RUNS ?= 5000000
$(B)/fuzz/conf_fuzz: tests/fuzz/conf_fuzz.c src/cmd/jail/config.c src/cmd/jail/config.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ tests/fuzz/conf_fuzz.c src/cmd/jail/config.c

fuzz: $(B)/fuzz/conf_fuzz
	@mkdir -p $(B)/fuzz/corpus
	$(B)/fuzz/conf_fuzz -max_total_time=$(FUZZ_TIME) -runs=$(FUZZ_RUNS) \
	    -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
	    -dict=tests/fuzz/conf.dict -artifact_prefix=$(B)/fuzz/ \
	    $(B)/fuzz/corpus tests/conf tests/conf/inc

# A subreaper reaps exited monitors where PID 1 does not reap orphans.
REAPER	 = $(shell command -v tini >/dev/null && echo tini -s --)

# Helpers of the system tests.
SYS_HELPERS = $(B)/tests/sockattack $(B)/tests/escape
$(B)/tests/sockattack: tests/sys/sockattack.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<
# static: it runs in jail roots that have no libc
$(B)/tests/escape: tests/sys/escape.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $<

check: all $(UNIT_BIN) $(SYS_HELPERS) $(B)/tools/allowtable
	@tools/layers $(LIB_OBJ)	# libjail calls in no circle
	$(REAPER) tests/run

bench: all
	$(REAPER) bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(CMDS:%=$(B)/bin/%) $(DESTDIR)$(BINDIR)
	install -m 644 $(B)/lib/libjail.a $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/lib/libjail.so.$(SOVER) $(DESTDIR)$(LIBDIR)
	ln -sf libjail.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libjail.so
	install -m 644 include/jail.h $(DESTDIR)$(INCDIR)
	$(libjail.pc) > $(DESTDIR)$(PCDIR)/libjail.pc
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.3 $(DESTDIR)$(MANDIR)/man3
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 755 etc/vjail-rc $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/sbin|$(BINDIR)|' etc/vjail.service \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/vjail.service
	-[ -z "$(DESTDIR)" ] && ldconfig

clean:
	rm -rf $(B)

.PHONY: all check bench install clean fuzz man
.SECONDARY:
