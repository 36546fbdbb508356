#include <stdio.h>

#include "credex.h"

int main(void)
{
    printf("credex %s\n", CREDEX_VERSION);
    return 0;
}
