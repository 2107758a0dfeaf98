#include "devices/i8254_pit.h"

#include <string.h>

#define PORT_CH2 0x42
#define PORT_CTRL 0x43
#define PORT_SYS_CTRL 0x61

void pit_init(struct pit *p, uint64_t (*now_ns)(void))
{
	memset(p, 0, sizeof(*p));
	p->access = 3;
	p->now_ns = now_ns;
}

/* Ticks since the count was loaded: counting runs while the gate is up
 * (Linux raises it before loading, and we count from the load). */
static uint64_t elapsed_ticks(const struct pit *p)
{
	uint64_t ns = p->now_ns() - p->start_ns;
	return ns / 1000000000u * PIT_HZ + ns % 1000000000u * PIT_HZ / 1000000000u;
}

/* Mode 0 (and what Linux uses it for): counts down from the reload value,
 * wrapping through 0xffff; OUT goes high at terminal count. */
static uint16_t current_count(const struct pit *p)
{
	if (!p->loaded || !(p->port61 & 1))
		return p->reload;
	return (uint16_t)(p->reload - elapsed_ticks(p));
}

static bool out2(const struct pit *p)
{
	uint64_t reload = p->reload ? p->reload : 0x10000;
	return p->loaded && (p->port61 & 1) && elapsed_ticks(p) >= reload;
}

static void control(struct pit *p, uint8_t v)
{
	if ((v >> 6) != 2)
		return; /* channels 0, 1 and read-back: not modelled */
	if (((v >> 4) & 3) == 0) {
		p->latch = current_count(p);
		p->latched = true;
		return;
	}
	p->access = (v >> 4) & 3;
	p->write_high = p->read_high = false;
	p->latched = false;
	p->loaded = false;
}

static void write_count(struct pit *p, uint8_t v)
{
	if (p->access == 1 || (p->access == 3 && !p->write_high))
		p->reload = (uint16_t)((p->reload & 0xff00) | v);
	else
		p->reload = (uint16_t)((p->reload & 0x00ff) | v << 8);
	if (p->access == 3 && !p->write_high) {
		p->write_high = true;
		return; /* counting starts with the second byte */
	}
	p->write_high = false;
	p->loaded = true;
	p->start_ns = p->now_ns();
}

static uint8_t read_count(struct pit *p)
{
	uint16_t c = p->latched ? p->latch : current_count(p);
	bool high = p->access == 2 || (p->access == 3 && p->read_high);

	if (p->access == 3)
		p->read_high = !p->read_high;
	if (p->latched && (p->access != 3 || !p->read_high))
		p->latched = false; /* both bytes of the latch were read */
	return high ? (uint8_t)(c >> 8) : (uint8_t)c;
}

bool pit_io(struct pit *p, uint16_t port, bool is_write, uint8_t *data,
	    unsigned len)
{
	if (port != PORT_CH2 && port != PORT_CTRL && port != PORT_SYS_CTRL)
		return false;
	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return true;
	}
	switch (port) {
	case PORT_CTRL:
		if (is_write)
			control(p, data[0]);
		else
			data[0] = 0xff;
		break;
	case PORT_CH2:
		if (is_write)
			write_count(p, data[0]);
		else
			data[0] = read_count(p);
		break;
	case PORT_SYS_CTRL:
		if (is_write) {
			bool was_up = p->port61 & 1;
			p->port61 = data[0] & 3;
			/* The gate rising restarts a loaded count. */
			if (!was_up && (p->port61 & 1) && p->loaded)
				p->start_ns = p->now_ns();
		} else {
			data[0] = (uint8_t)(p->port61 | (out2(p) ? 0x20 : 0));
		}
		break;
	}
	return true;
}
