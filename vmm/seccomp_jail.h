/*
 * The sandbox: once the VM is built, each lgkvm thread confines itself to
 * the system calls it needs from then on, with a seccomp filter
 * (libseccomp).  Nothing may open files, create sockets or processes, map
 * executable memory or issue ioctls other than the vCPU's and the
 * terminal's; a guest that took over a device model gets no more than
 * that.  A forbidden call stops lgkvm with one line naming it (SIGSYS).
 * `--no-seccomp` runs without the filter, for debugging.
 */
#ifndef LGKVM_SECCOMP_JAIL_H
#define LGKVM_SECCOMP_JAIL_H

#include <stdbool.h>
#include <stddef.h>

/* The vCPU thread (the run loop and every device callback): KVM_RUN and
 * friends on vcpu_fd, terminal ioctls on stdin/stdout/stderr, I/O on the
 * fds lgkvm already holds, the event loop, io_uring, memory without
 * PROT_EXEC.  False with a message in err when the filter cannot load. */
bool seccomp_jail_vcpu_thread(int vcpu_fd, char *err, size_t len);

/* The event loop's watcher thread: wait, wake, signal the vCPU thread. */
bool seccomp_jail_watcher_thread(char *err, size_t len);

#endif
