# commitd - build, test and install.
#
#   make            build ./commitd (optimised)
#   make test       build the sanitizer (ASan+UBSan) build and run every test
#   make check      install the Debian packages needed, then `make test`
#   make run        install, build, initialise ./data if needed and serve
#   make install    PREFIX=/usr/local DESTDIR= (the server and the client tools)
#   make install-tools   only git-remote-codecommit and git-credential-commitd

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
PKGS := libmicrohttpd jansson sqlite3 libcrypto libargon2 libgit2 zlib libssh libqrencode libcurl

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-format-truncation
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -I. $(PKG_CFLAGS)
CFLAGS ?= -O2 -g
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRCS := $(sort $(wildcard src/*/*.c))
MAIN := src/main.c
OBJS := $(SRCS:src/%.c=build/rel/%.o)
TOBJS := $(SRCS:src/%.c=build/san/%.o)
# tools/: the client programs (git-remote-codecommit, git-credential-commitd),
# built from tools/*.c, src/core and src/auth/sigv4.c only, so a developer's
# machine needs libcrypto, jansson and libcurl and nothing of the server.
TOOL_MAINS := tools/git-remote-codecommit.c tools/git-credential-commitd.c
TOOL_SRCS := $(filter-out $(TOOL_MAINS),$(sort $(wildcard tools/*.c)))
TOOL_OBJS := $(TOOL_SRCS:tools/%.c=build/rel/tools/%.o)
TOOL_TOBJS := $(TOOL_SRCS:tools/%.c=build/san/tools/%.o)
TOOL_DEPS := $(filter build/rel/core/%,$(OBJS)) build/rel/auth/sigv4.o
TOOL_LIBS := $(shell pkg-config --libs libcrypto jansson libcurl 2>/dev/null)
TOOLS := $(patsubst tools/%.c,%,$(wildcard $(TOOL_MAINS)))
UNIT_SRCS := $(sort $(wildcard tests/unit/*/*.c))
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=build/san/unit/%.o)

.PHONY: all test check run install install-tools clean deps unit e2e bench lint fuzz

all: commitd $(TOOLS)

commitd: $(OBJS) $(TOOL_OBJS) build/rel/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(TOOLS): %: build/rel/tools/%.o $(TOOL_OBJS) $(TOOL_DEPS)
	$(CC) $(CFLAGS) -o $@ $^ $(TOOL_LIBS) -lpthread

build/rel/tools/%.o: tools/%.c $(wildcard tools/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

build/san/tools/%.o: tools/%.c $(wildcard tools/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

# the sanitizer builds of the client programs, which the end-to-end tests run
build/san/bin/%: build/san/tools/%.o $(TOOL_TOBJS) $(filter build/san/core/%,$(TOBJS)) build/san/auth/sigv4.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -g -o $@ $^ $(TOOL_LIBS) -lpthread

build/rel/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

build/rel/main.o: src/main.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

# The sanitizer build: what the test suite runs, end-to-end tests included.
build/san/commitd: $(TOBJS) $(TOOL_TOBJS) build/san/main.o
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS) -lpthread

build/san/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/san/main.o: src/main.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/san/unit/%.o: tests/unit/%.c tests/unit/unit.h $(wildcard tests/unit/*/*.h) $(wildcard src/*/*.h) $(wildcard tools/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Wno-missing-prototypes -Itests/unit -O1 -g $(SAN) -c -o $@ $<

# Every function named test_<folder>_<file>__<case> is a unit test case.
build/san/unit_list.h: $(UNIT_SRCS)
	@mkdir -p $(dir $@)
	sed -n 's/^void \(test_[a-z0-9_]*__[a-z0-9_]*\)(void)$$/T(\1)/p' $(UNIT_SRCS) > $@.tmp
	mv $@.tmp $@

build/san/unit/main.o: tests/unit/main.c build/san/unit_list.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Wno-missing-prototypes -Itests/unit -Ibuild/san -O1 -g $(SAN) -c -o $@ $<

build/san/unit-tests: build/san/unit/main.o $(filter-out build/san/unit/main.o,$(UNIT_OBJS)) $(TOBJS) $(TOOL_TOBJS)
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS) -lpthread

deps:
	scripts/setup-debian.sh

test: build/san/commitd build/san/unit-tests $(TOOLS:%=build/san/bin/%) lint
	tests/run.sh

check: deps
	$(MAKE) test

run: deps commitd
	scripts/quickstart.sh

bench: commitd
	bench/run.sh auth sts audit trail policy clone ssh tools

build/bench/policy: bench/policy.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc -o $@ \
		bench/policy.c $(filter build/rel/core/% build/rel/policy/%,$(OBJS)) $(PKG_LIBS)

build/bench/trail: bench/trail.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ bench/trail.c \
		$(filter build/rel/core/% build/rel/audit/%,$(OBJS)) $(PKG_LIBS) -lpthread

lint:
	scripts/lint-banned.sh
	scripts/check-layers.sh
	scripts/gen-api-coverage.py --check

# the server and the two client programs, with the clients' man pages; a
# developer's machine needs only the clients: `make install-tools`
install: commitd install-tools
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 commitd $(DESTDIR)$(PREFIX)/bin/commitd

install-tools: $(TOOLS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(TOOLS:%=man/%.1) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build commitd $(TOOLS)

-include $(OBJS:.o=.d)

# ---- fuzzing (STYLE.md section 9) --------------------------------------------
# tests/fuzz/fuzz_<parser>.c each define LLVMFuzzerTestOneInput.  `make test`
# builds build/san/fuzz-<parser> (gcc, sanitizers, tests/fuzz/standalone.c) and
# tests/run.sh replays tests/fuzz/corpus/<parser>/ with it.  `make fuzz`
# builds real libFuzzer binaries into build/fuzz/ with clang, which
# `scripts/setup-debian.sh fuzz` installs (`make test` does not need it).
# Run one as
#   build/fuzz/fuzz-policy -max_len=8192 tests/fuzz/corpus/policy
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_SAN := $(FUZZ_NAMES:%=build/san/fuzz-%)
FUZZ_BIN := $(FUZZ_NAMES:%=build/fuzz/fuzz-%)
FUZZ_CC ?= clang
FUZZ_SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_OBJS := $(SRCS:src/%.c=build/fuzz/obj/%.o)
# clang lacks some of gcc's warning options (-Wno-format-truncation)
FUZZ_CFLAGS := $(BASE_CFLAGS) -Wno-unknown-warning-option -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN_FLAGS)

test: $(FUZZ_SAN)

build/san/fuzz/%.o: tests/fuzz/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/san/fuzz-%: build/san/fuzz/fuzz_%.o build/san/fuzz/standalone.o $(TOBJS) $(TOOL_TOBJS)
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS) -lpthread

fuzz: $(FUZZ_BIN)

build/fuzz/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/fuzz_%.o: tests/fuzz/fuzz_%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/obj/tools/%.o: tools/%.c $(wildcard tools/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/fuzz-%: build/fuzz/fuzz_%.o $(FUZZ_OBJS) $(TOOL_SRCS:tools/%.c=build/fuzz/obj/tools/%.o)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN_FLAGS) -g -o $@ $^ $(PKG_LIBS) -lpthread
.PRECIOUS: build/san/fuzz/%.o build/fuzz/fuzz_%.o build/fuzz/obj/%.o
