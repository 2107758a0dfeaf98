#include "runtime.h"
void guest_main(void) { kprintf("demo\n"); }
