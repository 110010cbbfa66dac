/* oci_cloned.h - sbx-oci re-executed from a sealed copy of itself */
#pragma once

/**
 * oci_cloned_reexec() - re-execute sbx-oci from a sealed memfd copy of its
 *			 binary, unless it runs from one already
 * @argc:	oci_main()'s argc
 * @argv:	oci_main()'s argv (argv[0] "oci" or "sbx-oci"; the copy runs
 *		as "sbx-oci", so the same command line reaches oci_main())
 *
 * The container's process and exec's are forks of sbx-oci: until their
 * execve, /proc/self/exe is sbx's binary, so a program in the container
 * that is a "#!/proc/self/exe" script makes the kernel run that binary in
 * the container, whose other processes can then reopen it through
 * /proc/PID/exe and write to it (CVE-2019-5736, as runc): the host's sbx,
 * for root, or a user's own build. Run from a copy sealed against writes,
 * there is nothing of the host's to reach. A user running another uid's
 * binary that only its owner may write is spared the copy.
 *
 * Return: only on failure (-errno), or 0 when running from a copy already
 */
int oci_cloned_reexec(int argc, char **argv);
