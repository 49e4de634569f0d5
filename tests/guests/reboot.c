/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reboot: asks to be rebooted the moment it starts, and says nothing. Under
 * the management domain with on_reboot=restart it is a reboot loop as fast
 * as the machine builds domains: the boot test counts the restarts and
 * checks that nothing leaks, ids are reused and the line is not flooded.
 */
#include "runtime.h"

const char guest_name[] = "reboot";

void guest_main(void)
{
	guest_exit(SHUTDOWN_reboot);
}
