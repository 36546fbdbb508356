# A thin wrapper over CMake (as in Neovim): `make demo` and `make test` do
# the whole set-up on a fresh Debian 12 machine.
#   make deps     install missing Debian packages (or print the apt-get line)
#   make build    configure and build into $(BUILD)
#   make test     deps + build + the whole suite through ctest
#   make demo     deps + build + the examples/ev-mechanic story
#   make sanitize the suite under ASan+UBSan in build-asan/
#   make install  build, then install into $(PREFIX) (default /usr/local;
#                 DESTDIR honoured): bin/credex, include/credex.h,
#                 libcredex.so and .a, credex.pc, lib/cmake/credex
#   make format   clang-format every C file in place
BUILD    ?= build
TYPE     ?= RelWithDebInfo
SANITIZE ?=
WERROR   ?= ON
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX   ?= /usr/local
DESTDIR  ?=

.PHONY: all deps build test demo sanitize install format clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) -DCREDEX_WERROR=$(WERROR) \
	      -DCREDEX_SANITIZE=$(SANITIZE) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	CREDEX=$(abspath $(BUILD))/credex bash examples/ev-mechanic/demo.sh

sanitize:
	$(MAKE) test BUILD=build-asan TYPE=Debug SANITIZE=address,undefined

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

format:
	clang-format -i runtime/*.c runtime/*.h runtime/include/*.h runtime/cli/*.c runtime/cli/*.h \
	    tests/unit/*.c tests/unit/*.h tests/bench/*.c 2>/dev/null || true

clean:
	rm -rf build build-asan
