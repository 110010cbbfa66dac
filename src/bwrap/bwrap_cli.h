/* bwrap_cli.h - `sbx bwrap` and sbx run as "bwrap": bubblewrap's command line */
#pragma once

/**
 * bwrap_main() - run a sandbox from bubblewrap's command line
 * @argv:	argv[0] is the name bwrap was run as (for its usage line)
 *
 * Return: the command's exit status, or 1 for an error of bwrap's own
 *	   (printed as "bwrap: ..."), as bubblewrap does
 */
int bwrap_main(int argc, char **argv);
