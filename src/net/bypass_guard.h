/* bypass_guard.h - calls on a program's socket that the program could make wait */
#pragma once

/**
 * bypass_guard_init() - install the worker's SIGALRM handler (before its
 *			 lockdown: rt_sigaction is not on its allow-list)
 *
 * Without it, bypass_guard_arm() arms nothing and the calls are unguarded.
 */
void bypass_guard_init(void);

/**
 * bypass_guard_arm() - a timer signal interrupts the calls that follow if
 *			they take longer than BYPASS_GUARD_MS
 *
 * For calls on the worker's duplicate of a program's socket, which the
 * program can make block: another thread clears O_NONBLOCK on the shared
 * open file between the worker's F_SETFL and its connect(), or sets
 * SO_LINGER and closes its own descriptor, so that the worker's close() is
 * the socket's last and waits for its queued bytes to leave (for as long as
 * SO_LINGER says). A pending signal ends both waits.
 */
void bypass_guard_arm(void);

/**
 * bypass_guard_disarm() - stop the timer bypass_guard_arm() started
 */
void bypass_guard_disarm(void);

/**
 * bypass_guard_close() - close the worker's duplicate @fd of a program's
 *			  socket without waiting out its SO_LINGER
 *
 * The bytes it still had queued are sent by the kernel after close()
 * returns, as for any socket closed without lingering.
 */
void bypass_guard_close(int fd);
