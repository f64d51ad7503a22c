# commitd - build, test and install.
#
#   make            build ./commitd (optimised)
#   make test       build the sanitizer (ASan+UBSan) build and run every test
#   make check      install the Debian packages needed, then `make test`
#   make run        install, build, initialise ./data if needed and serve
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
PKGS := libmicrohttpd jansson sqlite3 libcrypto libargon2

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-format-truncation
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -Isrc $(PKG_CFLAGS)
CFLAGS ?= -O2 -g
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRCS := $(sort $(wildcard src/*/*.c))
MAIN := src/main.c
OBJS := $(SRCS:src/%.c=build/rel/%.o)
TOBJS := $(SRCS:src/%.c=build/san/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*/*.c))
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=build/san/unit/%.o)

.PHONY: all test check run install clean deps unit e2e bench lint fuzz

all: commitd

commitd: $(OBJS) build/rel/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

build/rel/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

build/rel/main.o: src/main.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

# The sanitizer build: what the test suite runs, end-to-end tests included.
build/san/commitd: $(TOBJS) build/san/main.o
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS) -lpthread

build/san/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/san/main.o: src/main.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/san/unit/%.o: tests/unit/%.c tests/unit/unit.h $(wildcard src/*/*.h)
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

build/san/unit-tests: build/san/unit/main.o $(filter-out build/san/unit/main.o,$(UNIT_OBJS)) $(TOBJS)
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS) -lpthread

deps:
	scripts/setup-debian.sh

test: build/san/commitd build/san/unit-tests lint
	tests/run.sh

check: deps
	$(MAKE) test

run: deps commitd
	scripts/quickstart.sh

bench: commitd
	bench/run.sh

lint:
	scripts/lint-banned.sh
	scripts/check-layers.sh
	scripts/gen-api-coverage.py --check

install: commitd
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 commitd $(DESTDIR)$(PREFIX)/bin/commitd

clean:
	rm -rf build commitd

-include $(OBJS:.o=.d)
