#include "vmm/event_loop.h"

#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define KICK_SIGNAL SIGUSR1
#define MAX_SOURCES 32

struct event_source {
	int fd;
	event_cb cb;
	void *opaque;
};

struct event_timer {
	struct event_loop *ev;
	int fd;
	event_cb cb;
	void *opaque;
};

struct event_loop {
	int epfd;
	struct event_source src[MAX_SOURCES];
	unsigned nsrc;
	pthread_t vcpu_thread, watcher;
	bool watcher_running;
	atomic_bool kicked;
	atomic_bool stop;
	int stop_fd;  /* an eventfd that wakes the watcher to leave */
	sem_t ack;
	/* The watcher confines itself with this before it waits (seccomp). */
	bool (*jail)(char *err, size_t len);
	bool jail_ok;
	char jail_err[256];
	sem_t ready;
};

static struct kvm_run *kick_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

struct event_loop *event_loop_create(void)
{
	struct event_loop *ev = calloc(1, sizeof(*ev));
	struct sigaction sa;

	if (!ev)
		return NULL;
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0) {
		free(ev);
		return NULL;
	}
	sem_init(&ev->ack, 0, 0);
	sem_init(&ev->ready, 0, 0);
	ev->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event se = { .events = EPOLLIN, .data.u32 = MAX_SOURCES };
	if (ev->stop_fd < 0 || epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->stop_fd, &se) < 0) {
		close(ev->epfd);
		free(ev);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
	return ev;
}

static void *watcher_main(void *arg)
{
	struct event_loop *ev = arg;
	sigset_t all;

	sigfillset(&all);
	sigdelset(&all, SIGSYS); /* a seccomp violation must reach its handler */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (ev->jail) {
		ev->jail_ok = ev->jail(ev->jail_err, sizeof(ev->jail_err));
		sem_post(&ev->ready);
		if (!ev->jail_ok)
			return NULL;
	}
	while (!atomic_load(&ev->stop)) {
		struct pollfd p = { .fd = ev->epfd, .events = POLLIN };
		if (poll(&p, 1, -1) <= 0)
			continue;
		if (atomic_load(&ev->stop))
			break;
		atomic_store(&ev->kicked, true);
		pthread_kill(ev->vcpu_thread, KICK_SIGNAL);
		/* Wait until the vCPU thread has run the callbacks, or this
		 * level-triggered poll would kick it again and again. */
		while (sem_wait(&ev->ack) < 0 && errno == EINTR)
			;
	}
	return NULL;
}

bool event_loop_start(struct event_loop *ev, struct kvm_run *run)
{
	kick_run = run;
	ev->vcpu_thread = pthread_self();
	if (pthread_create(&ev->watcher, NULL, watcher_main, ev))
		return false;
	ev->watcher_running = true;
	if (ev->jail) {
		while (sem_wait(&ev->ready) < 0 && errno == EINTR)
			;
		if (!ev->jail_ok) {
			fprintf(stderr, "lgkvm: %s\n", ev->jail_err);
			return false;
		}
	}
	return true;
}

void event_loop_set_thread_jail(struct event_loop *ev,
				bool (*jail)(char *err, size_t len))
{
	ev->jail = jail;
}

void event_loop_destroy(struct event_loop *ev)
{
	if (!ev)
		return;
	if (ev->watcher_running) {
		/* Wake it wherever it waits (no pthread_cancel: after --chroot
		 * it cannot load the unwinder it needs). */
		uint64_t one = 1;
		atomic_store(&ev->stop, true);
		if (write(ev->stop_fd, &one, sizeof(one)) < 0)
			abort();
		sem_post(&ev->ack);
		pthread_join(ev->watcher, NULL);
	}
	close(ev->stop_fd);
	kick_run = NULL;
	close(ev->epfd);
	sem_destroy(&ev->ack);
	sem_destroy(&ev->ready);
	free(ev);
}

bool event_loop_add(struct event_loop *ev, int fd, event_cb cb, void *opaque)
{
	struct epoll_event e = { .events = EPOLLIN };

	if (ev->nsrc == MAX_SOURCES)
		return false;
	ev->src[ev->nsrc] = (struct event_source){ fd, cb, opaque };
	e.data.u32 = ev->nsrc;
	if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return false;
	ev->nsrc++;
	return true;
}

void event_loop_watch(struct event_loop *ev, int fd, bool on)
{
	for (unsigned i = 0; i < ev->nsrc; i++) {
		if (ev->src[i].fd == fd) {
			struct epoll_event e = { .events = on ? EPOLLIN : 0 };
			e.data.u32 = i;
			epoll_ctl(ev->epfd, EPOLL_CTL_MOD, fd, &e);
		}
	}
}

bool event_loop_kicked(struct event_loop *ev)
{
	return atomic_load(&ev->kicked);
}

void event_loop_dispatch(struct event_loop *ev, int timeout_ms)
{
	struct epoll_event evs[MAX_SOURCES];
	int n = epoll_wait(ev->epfd, evs, MAX_SOURCES, timeout_ms);

	for (int i = 0; i < n; i++) {
		struct event_source *s;
		if (evs[i].data.u32 >= MAX_SOURCES)
			continue; /* the stop eventfd */
		s = &ev->src[evs[i].data.u32];
		if (s->cb)
			s->cb(s->opaque);
	}
	if (atomic_exchange(&ev->kicked, false))
		sem_post(&ev->ack);
}

static void timer_fired(void *opaque)
{
	struct event_timer *t = opaque;
	uint64_t expirations;

	if (read(t->fd, &expirations, sizeof(expirations)) == sizeof(expirations))
		t->cb(t->opaque);
}

struct event_timer *event_timer_create(struct event_loop *ev, event_cb cb,
				       void *opaque)
{
	struct event_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ev = ev;
	t->cb = cb;
	t->opaque = opaque;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0 || !event_loop_add(ev, t->fd, timer_fired, t)) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	return t;
}

void event_timer_arm(struct event_timer *t, uint64_t ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ns / 1000000000u);
	its.it_value.tv_nsec = (long)(ns % 1000000000u);
	timerfd_settime(t->fd, 0, &its, NULL);
}

void event_timer_destroy(struct event_timer *t)
{
	if (!t)
		return;
	epoll_ctl(t->ev->epfd, EPOLL_CTL_DEL, t->fd, NULL);
	for (unsigned i = 0; i < t->ev->nsrc; i++)
		if (t->ev->src[i].opaque == t)
			t->ev->src[i] = (struct event_source){ -1, NULL, NULL };
	close(t->fd);
	free(t);
}
