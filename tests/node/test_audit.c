#include <criterion/criterion.h>
Test(audit, placeholder) { cr_assert(1); }
