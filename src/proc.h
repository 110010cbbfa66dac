/* proc.h - sbx's own child processes: pidfds, signals, reaping, exit statuses */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * struct proc - a child process of sbx
 * @pid:	its pid, -1 when there is none (never started, or reaped)
 * @pidfd:	a pidfd for it, -1 on kernels without pidfds (before 5.3):
 *		readable once the process has ended, and never aimed at a
 *		recycled pid
 */
struct proc {
	pid_t pid;
	int pidfd;
};

#define PROC_NONE ((struct proc){ .pid = -1, .pidfd = -1 })

/**
 * proc_adopt() - fill @p for the child @pid just forked, opening a pidfd for it
 *
 * Race-free as long as @pid is our unreaped child: its pid cannot be reused
 * before we wait for it.
 */
void proc_adopt(struct proc *p, pid_t pid);

/**
 * proc_signal() - send @sig to @p (through its pidfd when it has one)
 * Return: 0 or -errno (-ESRCH when there is no process)
 */
int proc_signal(const struct proc *p, int sig);

/**
 * proc_try_reap() - collect @p's exit status if it has ended, without waiting
 * @ret_status:	its status in waitpid()'s encoding (WIFEXITED() ...)
 *
 * On success @p becomes PROC_NONE (its pidfd is closed).
 *
 * Return: 1 reaped, 0 still running, -errno (-ECHILD: not ours, or no process)
 */
int proc_try_reap(struct proc *p, int *ret_status);

/**
 * proc_end() - SIGKILL @p (a no-op if it ended already) and reap it
 * @ret_status:	its waitpid()-style status, how it really ended (may be NULL)
 * Return: 0, or -errno (-ECHILD when there is no process)
 */
int proc_end(struct proc *p, int *ret_status);

/**
 * proc_kill_and_reap() - SIGKILL @p and wait for it; @p becomes PROC_NONE.
 *			  Does nothing for PROC_NONE, so it is safe on error
 *			  paths and twice.
 */
void proc_kill_and_reap(struct proc *p);

/**
 * proc_exit_code() - the shell's view of a wait status: its exit status, or
 *		      128+N for a process killed by signal N
 */
int proc_exit_code(int status);

/**
 * proc_describe() - "exited with status N" or "killed by SIGNAME" for @status
 */
void proc_describe(int status, char *buf, size_t len);

/**
 * proc_helper_detach() - first step of a helper process that will parse
 *			  hostile input (the network helper, the TCP bypass
 *			  worker): own session, SIGKILL when sbx (@parent)
 *			  dies, default signal dispositions but SIGPIPE
 *			  ignored, stdin/stdout on /dev/null, stderr kept for
 *			  writing only, every fd above 2 closed but the
 *			  @n_keep in @keep
 *
 * Ends the process at once if sbx died before the parent-death signal was
 * set. @keep is sorted in place.
 */
void proc_helper_detach(pid_t parent, int *keep, size_t n_keep);
