/*
 * test_row_digest.c -- the row hash of a table's digest (registry_fsck.c,
 * docs/registry.md "Tamper evidence"): MurmurHash3_x64_128, seed 0, over a
 * row's encoding, against values of an independent implementation
 * (murmurhash3js's x64.hash128 of the same bytes); every length across the
 * 16-byte blocks and the 1 KiB buffer; sums that do not depend on order.
 */
#include <stdio.h>
#include <string.h>

#include "registry_int.h"
#include "test.h"

/* The hash of one row alone, as 32 hex digits (h1's then h2's). */
static void hex_of(cx__row_hasher *rh, char out[33])
{
    cx__row_sum sum = {0};
    cx__row_end(rh, &sum);
    CHECK_INT(sum.rows, 1);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)sum.h1, (unsigned long long)sum.h2);
}

TEST(reference_values)
{
    static cx__row_hasher rh;
    char hex[33];
    cx__row_begin(&rh); /* no column: MurmurHash3 of no bytes */
    hex_of(&rh, hex);
    CHECK_STR(hex, "00000000000000000000000000000000");
    cx__row_begin(&rh); /* "N" */
    cx__row_text(&rh, NULL);
    hex_of(&rh, hex);
    CHECK_STR(hex, "365345324a710f7b5f2824f1da013f2d");
    cx__row_begin(&rh);
    cx__row_text(&rh, "The quick brown fox jumps over the lazy dog");
    hex_of(&rh, hex);
    CHECK_STR(hex, "a3370f8306b2e98ddaa38722563984ab");
    cx__row_begin(&rh); /* "I" 00..2a "T" 00..01 "a" */
    cx__row_int(&rh, 42);
    cx__row_text(&rh, "a");
    hex_of(&rh, hex);
    CHECK_STR(hex, "649069e424925c0af616d94279acd14f");
    cx__row_begin(&rh);
    cx__row_int(&rh, -1);
    cx__row_text(&rh, NULL);
    cx__row_text(&rh, "h-0000001");
    hex_of(&rh, hex);
    CHECK_STR(hex, "39a588e6943f6deb8f756308645a8035");
}

/* Texts "", "a", "ab", ... of 0 to 40 letters: a tail of every length. */
TEST(every_tail)
{
    static const char *const want[] = {
        "ee2600fe93e58a306b044b255837cf10", "e41bad504282e4c38dbb69f6249da000",
        "35701cc61e7e30ff28f30e5ea628f033", "bda73cc19a83b228e7f21b43952a2f17",
        "c9a0f7824678091e1232f2d493a575c6", "c30f9d19dc1ebece981d4d8ca8d84078",
        "b68684a62e5446f3a6ccaa43b7cd208a", "696f1646404442445ecff9274d9cfdca",
        "caf03e8d942b6ded4ab542733229571e", "9b66923cd16eb4f680cfd963a2a80d70",
        "8b79b48383893c143edd384ead18c8db", "65f18fb30703ea9f010bb90fddb4962a",
        "32acd04774d0dca0736be994ce337b34", "b5e54bf63282d516fe729f46f587ae97",
        "36e5c42d21198b117e065504da22b16e", "bef036bcbbc90d62c0602a2e62555218",
        "858082487844bf22757047d8a41d4ccd", "f7f7415b4db3d66902803d3ca2a531a1",
        "83d3411ffee584cfbde6e399e6ca130f", "1b716a19b8b68eddb5768016351a578a",
        "43250000e9e9638b48a7012d4e71fc3f", "4029fa177c0f1ae8ae43080bb9412134",
        "dec4ffc6abb448247c483c7a3471e14c", "da98ce19847df6f9d2486782358e796a",
        "a612920c7dd86850d27a337d8b081b5a", "01da6cd3318a4bea5978d54989702c8d",
        "486fdb00f55f3d42a07fe1828740a765", "131d27bd9d9ed0a5ea126332f09b7d47",
        "f540ebdf08d02cb5866698637fd28f06", "236c3cd8d749c239208032ff0ddec1dd",
        "6358c2f96aaefeb5625a80fed12b2cf6", "03c7639b0f7b4187b843b524987714b1",
        "881cfb7c5d9e412f7628c81d794afa00", "ddbbd15fdb3f0be5709b7fd36aaef710",
        "2ac440c5b165e2a2acbb19d478f2623d", "0862d9957c5002f2d18d2daf8196602a",
        "9d68a4159bac4cddbc486d2f6441433f", "bf151d46c091e18ebe5d4b51dae912bc",
        "2719d3840d5f46741b402cbc25a5d68e", "88c6079d682e5b2b9615bec4b490adee",
        "db7c48c86359bc1f85f90b95f8a8dfa5"};
    static cx__row_hasher rh;
    char text[41], hex[33];
    for (int n = 0; n <= 40; n++) {
        for (int i = 0; i < n; i++) text[i] = (char)('a' + i % 26);
        text[n] = '\0';
        cx__row_begin(&rh);
        cx__row_text(&rh, text);
        hex_of(&rh, hex);
        CHECK_STR(hex, want[n]);
    }
}

/* A row longer than the hasher's buffer: 3,000 x's in one text. */
TEST(long_row)
{
    static cx__row_hasher rh;
    static char text[3001];
    char hex[33];
    memset(text, 'x', 3000);
    cx__row_begin(&rh);
    cx__row_text(&rh, text);
    hex_of(&rh, hex);
    CHECK_STR(hex, "9156f2600ea32b0478522b0773e18476");
}

/* A table's sum is the same whatever order its rows come in. */
TEST(order_independent)
{
    static cx__row_hasher rh;
    static const char *const ids[] = {"h-1", "h-2", "h-3", "h-4"};
    cx__row_sum ab = {0}, ba = {0};
    for (int i = 0; i < 4; i++) {
        cx__row_begin(&rh);
        cx__row_text(&rh, ids[i]);
        cx__row_text(&rh, "US-OH");
        cx__row_end(&rh, &ab);
        cx__row_begin(&rh);
        cx__row_text(&rh, ids[3 - i]);
        cx__row_text(&rh, "US-OH");
        cx__row_end(&rh, &ba);
    }
    CHECK_INT(ab.rows, 4);
    CHECK(ab.h1 == ba.h1 && ab.h2 == ba.h2);
    cx__row_sum one = {0};
    cx__row_begin(&rh);
    cx__row_text(&rh, "h-1");
    cx__row_text(&rh, "US-OH");
    cx__row_end(&rh, &one);
    CHECK(one.h1 != ab.h1 || one.h2 != ab.h2);
}

static const test_case cases[] = {{"reference_values", reference_values},
                                  {"every_tail", every_tail},
                                  {"long_row", long_row},
                                  {"order_independent", order_independent},
                                  {NULL, NULL}};

TEST_MAIN(cases)
