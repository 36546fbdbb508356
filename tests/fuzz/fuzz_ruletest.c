/*
 * fuzz_ruletest.c -- libFuzzer target of the rule-test reader and runner
 * (cx_test_run): the bytes as a test file in fuzz_dir(), whose catalog and
 * packs are the EV mechanic example's. An input naming a path outside that
 * folder is skipped, so a run reads no other file.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_test_summary summary = {0};
    cx_error err;
    cx_error_clear(&err);
    if (!fuzz_paths_inside(data, size)) return 0;
    const char *path = fuzz_write("fuzz.test.yaml", data, size);
    if (cx_test_run(&path, 1, NULL, &summary, &err) == CX_OK && summary.passed > 0)
        fuzz_committed++;
    return 0;
}
