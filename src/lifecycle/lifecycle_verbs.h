/* lifecycle_verbs.h - the verbs of named sandboxes (their rows in verb.c) */
#pragma once

/**
 * ls_main() - sbx ls / sbx ps [--json|-q]: the user's running named sandboxes
 * Return: sbx's exit status
 */
int ls_main(int argc, char **argv);

/**
 * enter_main() - sbx enter [--chdir DIR] NAME [COMMAND [ARG]...]
 * Return: the entered command's exit status, or 125
 */
int enter_main(int argc, char **argv);

/**
 * stop_main() - sbx stop NAME [--time SECS]: TERM, KILL after the grace
 *		 time; returns once nothing of the sandbox is left
 * Return: sbx's exit status
 */
int stop_main(int argc, char **argv);

/**
 * kill_main() - sbx kill NAME [SIGNAL] (default KILL: the whole sandbox)
 * Return: sbx's exit status
 */
int kill_main(int argc, char **argv);

/**
 * logs_main() - sbx logs NAME [-f]: a detached sandbox's output
 * Return: sbx's exit status
 */
int logs_main(int argc, char **argv);
