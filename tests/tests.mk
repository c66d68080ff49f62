# tests/: cmocka unit tests (TAP via CMOCKA_MESSAGE_OUTPUT=TAP) and shell
# integration tests (*.t) — all run by prove in `make check`.
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

-include tests/fuzz/fuzz.mk
TEST_SCRIPTS += tests/selftest/mem-on-off.t
