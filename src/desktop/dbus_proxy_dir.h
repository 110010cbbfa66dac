/* dbus_proxy_dir.h - the host directory of the D-Bus proxy's sockets
 *
 * Theory of operation. Each sbx with a D-Bus proxy makes a directory
 * "sbx-dbus-XXXXXX" in $XDG_RUNTIME_DIR (else /tmp) for the proxy's
 * sockets, and holds an exclusive flock() on it for as long as it runs.
 * The lock goes with the last fd of its open file, which only sbx itself
 * has (close-on-exec, and closed in every process it forks that does not
 * exec), so however sbx ends the lock goes with it: a directory whose lock
 * can be taken belongs to no running sbx. It is removed by whoever sees
 * that first:
 *   - sbx at its end;
 *   - the proxy's sbx when sbx was killed (PR_SET_PDEATHSIG tells it);
 *   - the next sbx that starts a proxy, for those left when both were
 *     killed at once.
 * Removal always holds the lock, and removes only the proxy's two sockets
 * and the then empty directory: a directory in which anything else was
 * made is left as it is.
 */
#pragma once

#include "error.h"

/**
 * dbus_proxy_dir_make() - make and lock a new directory under @parent
 * @ret_path:	its path (the caller frees it)
 * @ret_lock:	the locked directory fd (close-on-exec); closing it unlocks
 *
 * A collector may come between mkdtemp() and the lock: it removes the
 * directory only while holding the lock, and once the lock is ours a
 * directory without a name any more is replaced by a new one.
 * Return: 0 or -errno with @e filled
 */
int dbus_proxy_dir_make(const char *parent, char **ret_path, int *ret_lock, struct sbx_error *e);

/**
 * dbus_proxy_dir_remove() - remove directory @path if its lock is free
 *
 * Return: 0 when it is gone (or was), -EBUSY when a running sbx holds it,
 * another -errno when it is not ours (or open to others: not one
 * dbus_proxy_dir_make() made) or not empty after the sockets
 */
int dbus_proxy_dir_remove(const char *path);

/**
 * dbus_proxy_dir_collect() - remove @parent's proxy directories that no
 *			      running sbx holds
 * Return: how many were removed
 */
int dbus_proxy_dir_collect(const char *parent);
