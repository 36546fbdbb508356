/*
 * test_hash.c -- cx__sha256_hex against the FIPS 180-2 test vectors and
 * bytes with a NUL inside (a pack's source is hashed by length, not as a
 * C string).
 */
#include <stdlib.h>

#include "hash.h"
#include "test.h"

TEST(fips_vectors)
{
    char hex[65];
    cx__sha256_hex(NULL, 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cx__sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    cx__sha256_hex(two_blocks, strlen(two_blocks), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(million_a)
{
    char hex[65];
    char *a = malloc(1000000);
    CHECK(a != NULL);
    if (!a) return;
    memset(a, 'a', 1000000);
    cx__sha256_hex(a, 1000000, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

TEST(bytes_not_strings)
{
    char hex[65];
    cx__sha256_hex("a\0b", 3, hex); /* printf 'a\0b' | sha256sum */
    CHECK_STR(hex, "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
    cx__sha256_hex("pack \"x\" {}\n", 12, hex);
    CHECK_STR(hex, "42a7d1ad4cc77b88a21b2c15916ed8f04a4b5fcdada883b6a48283c1caa4ac5f");
    CHECK_INT(strlen(hex), 64);
}

static const test_case cases[] = {{"fips_vectors", fips_vectors},
                                  {"million_a", million_a},
                                  {"bytes_not_strings", bytes_not_strings},
                                  {NULL, NULL}};

TEST_MAIN(cases)
