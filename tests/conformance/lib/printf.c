/* A small printf: %c %s %d %i %u %x %X %p %%, flags '0' '-', width, l/ll. */
#include "runtime.h"

struct fmt_out {
	char *buf;
	unsigned size, len;
	int to_console;
};

static void fmt_flush(struct fmt_out *o)
{
	if (o->to_console && o->len) {
		console_write(o->buf, o->len);
		o->len = 0;
	}
}

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->to_console) {
		if (o->len == o->size)
			fmt_flush(o);
		o->buf[o->len++] = c;
		return;
	}
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* 64-bit quotient and remainder by a 32-bit divisor, without libgcc. */
static uint64_t div64_rem(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;

	asm("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	*rem = r;
	return ((uint64_t)qhi << 32) | qlo;
}

static void fmt_number(struct fmt_out *o, uint64_t v, unsigned base, int upper, int neg, unsigned width,
		       int zero, int left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned n = 0, len;
	uint32_t r;

	do {
		v = div64_rem(v, base, &r);
		tmp[n++] = digits[r];
	} while (v);
	len = n + (neg ? 1 : 0);
	if (neg && zero)
		fmt_putc(o, '-');
	if (!left)
		for (; len < width; width--)
			fmt_putc(o, zero ? '0' : ' ');
	if (neg && !zero)
		fmt_putc(o, '-');
	while (n)
		fmt_putc(o, tmp[--n]);
	if (left)
		for (; len < width; width--)
			fmt_putc(o, ' ');
}

static void fmt_core(struct fmt_out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned width = 0, lng = 0;
		int zero = 0, left = 0, alt = 0;
		uint64_t v;

		if (*fmt != '%') {
			fmt_putc(o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else if (*fmt == '-')
				left = 1;
			else if (*fmt == '#')
				alt = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			fmt_putc(o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			unsigned len;

			if (!s)
				s = "(null)";
			len = (unsigned)strlen(s);
			if (!left)
				for (; len < width; width--)
					fmt_putc(o, ' ');
			while (*s)
				fmt_putc(o, *s++);
			if (left)
				for (; len < width; width--)
					fmt_putc(o, ' ');
			break;
		}
		case 'd':
		case 'i': {
			int64_t s = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);

			fmt_number(o, s < 0 ? (uint64_t)-s : (uint64_t)s, 10, 0, s < 0, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			v = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
			if (alt && *fmt != 'u') {
				fmt_putc(o, '0');
				fmt_putc(o, 'x');
			}
			fmt_number(o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, width, zero, left);
			break;
		case 'p':
			fmt_putc(o, '0');
			fmt_putc(o, 'x');
			fmt_number(o, (uint32_t)va_arg(ap, void *), 16, 0, 0, 8, 1, 0);
			break;
		case '%':
			fmt_putc(o, '%');
			break;
		case 0:
			return;
		default:
			fmt_putc(o, '%');
			fmt_putc(o, *fmt);
		}
	}
}

int kvprintf(const char *fmt, va_list ap)
{
	char buf[128];
	struct fmt_out o = { buf, sizeof(buf), 0, 1 };

	fmt_core(&o, fmt, ap);
	fmt_flush(&o);
	return 0;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	return 0;
}

int kvsnprintf(char *buf, unsigned size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0, 0 };

	fmt_core(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, unsigned size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
