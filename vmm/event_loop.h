/*
 * Waiting for the outside world without a second device thread.
 *
 * Devices and timers register file descriptors here.  All their callbacks
 * run on the vCPU thread, between KVM_RUN calls, so device code needs no
 * locks.  A watcher thread only waits for any fd to become ready and then
 * kicks the vCPU out of KVM_RUN (a signal whose handler sets
 * kvm_run->immediate_exit, so a kick that lands just before KVM_RUN is not
 * lost).
 */
#ifndef LGKVM_EVENT_LOOP_H
#define LGKVM_EVENT_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_run;
struct event_loop;

typedef void (*event_cb)(void *opaque);

struct event_loop *event_loop_create(void);
void event_loop_destroy(struct event_loop *ev);

bool event_loop_add(struct event_loop *ev, int fd, event_cb cb, void *opaque);
/* Watch fd or not (a console without rx buffers stops watching stdin). */
void event_loop_watch(struct event_loop *ev, int fd, bool on);

/* True when the watcher kicked the vCPU and waits for the callbacks to run:
 * check after every KVM_RUN, since a kick landing just after KVM_RUN
 * returned leaves no EINTR behind. */
bool event_loop_kicked(struct event_loop *ev);

/* Runs ready callbacks; waits up to timeout_ms (-1: forever, 0: poll). */
void event_loop_dispatch(struct event_loop *ev, int timeout_ms);

/* Starts the watcher; call from the vCPU thread, whose kvm_run a kick
 * stops. */
bool event_loop_start(struct event_loop *ev, struct kvm_run *run);

/* Before event_loop_start: the watcher thread calls jail first thing
 * (to confine itself); start then fails, with jail's message printed, if
 * jail returned false. */
void event_loop_set_thread_jail(struct event_loop *ev,
				bool (*jail)(char *err, size_t len));

/* A one-shot timer on the loop: fires cb once after ns (0 disarms). */
struct event_timer;
struct event_timer *event_timer_create(struct event_loop *ev, event_cb cb,
				       void *opaque);
void event_timer_arm(struct event_timer *t, uint64_t ns);
/* Frees the timer (it stays registered with no callback until the loop
 * is destroyed: call only on the way out). */
void event_timer_destroy(struct event_timer *t);

#endif
