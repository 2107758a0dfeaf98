/*
 * minish: a tiny shell on the virtio console, so what drives a guest's
 * shell (scripts/boot-test, scripts/boot-to-shell) is tested under real
 * lgkvm without a Linux kernel; it also exercises the console's receive
 * queue, its interrupt and HALT.
 *
 * It prints "lgkvm-guest# " (make-initramfs's prompt), reads lines from the
 * console's receive queue, echoes them as a terminal would, and understands
 * just enough sh for those runners:
 *   CMD; CMD          sequences
 *   'quoted' "quoted" \x   quoting, with $? and $NAME expanded outside ''
 *   echo, eval, true, false, export NAME=VALUE, sleep SECONDS,
 *   uname [-r], cat /proc/cmdline, poweroff [-f], reboot [-f], crash,
 *   blkwrite SECTOR COUNT (sectors filled with their own number on the
 *   virtio disk at 00:02.0, one request each, "written N" as each
 *   completes)
 * An unknown command prints "minish: NAME: not found" and sets $? to 127.
 * `crash` asks the Host for a page table past RAM: lgkvm kills the guest.
 */
#include "runtime.h"
#include "virtio.h"

#define RX_BUFS 16
#define RX_BUF_SIZE 256
#define LINE_MAX 1024
#define MAX_WORDS 64
#define MAX_VARS 16
#define EVAL_DEPTH 4

static const char prompt[] = "lgkvm-guest# ";

static struct virtio_dev dev;
static struct virtq rxq, txq;
static char *rx_buf[RX_BUFS];

static int last_status;

static struct {
	char name[32];
	char value[128];
} vars[MAX_VARS];

/* --- console input ----------------------------------------------------- */

static void rx_post(uint16_t i)
{
	rxq.desc[i].addr = virt_to_phys(rx_buf[i]);
	rxq.desc[i].len = RX_BUF_SIZE;
	rxq.desc[i].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &rxq, i);
}

static int rx_start(void)
{
	char *page = NULL;

	if (virtio_console_start(&dev, &rxq, &txq))
		return -1;
	for (uint16_t i = 0; i < RX_BUFS && i < rxq.size; i++) {
		if (i % (4096 / RX_BUF_SIZE) == 0)
			page = page_alloc();
		rx_buf[i] = page + (i % (4096 / RX_BUF_SIZE)) * RX_BUF_SIZE;
		rx_post(i);
	}
	return 0;
}

/* Waits for console input and feeds it to `take`, a character at a time.
 * HALT sleeps until an interrupt; the clock event bounds the sleep should
 * the console's interrupt have come just before it. */
static void rx_wait(void (*take)(char))
{
	while (rxq.used->idx == rxq.last_used) {
		clock_event(50 * 1000 * 1000);
		halt();
	}
	while (rxq.used->idx != rxq.last_used) {
		volatile struct vring_used_elem *e = &rxq.used->ring[rxq.last_used % rxq.size];
		uint16_t id = (uint16_t)e->id;
		uint32_t len = e->len;

		rxq.last_used++;
		if (id >= RX_BUFS || len > RX_BUF_SIZE)
			panic("minish: the console returned a bad receive buffer");
		for (uint32_t i = 0; i < len; i++)
			take(rx_buf[id][i]);
		rx_post(id);
	}
}

/* --- variables and words ----------------------------------------------- */

static int streq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && !strncmp(a, b, strlen(a));
}

static const char *var_get(const char *name, unsigned n)
{
	for (unsigned i = 0; i < MAX_VARS; i++)
		if (vars[i].name[0] && strlen(vars[i].name) == n && !strncmp(vars[i].name, name, n))
			return vars[i].value;
	return "";
}

static int var_set(const char *assign)
{
	const char *eq = strstr(assign, "=");
	unsigned n = eq ? (unsigned)(eq - assign) : 0;

	if (!eq || n == 0 || n >= sizeof(vars[0].name) || strlen(eq + 1) >= sizeof(vars[0].value))
		return 1;
	for (unsigned i = 0; i < MAX_VARS; i++) {
		if (!vars[i].name[0] || (strlen(vars[i].name) == n && !strncmp(vars[i].name, assign, n))) {
			memcpy(vars[i].name, assign, n);
			vars[i].name[n] = 0;
			memcpy(vars[i].value, eq + 1, strlen(eq + 1) + 1);
			return 0;
		}
	}
	return 1;
}

static int is_name_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

struct words {
	char buf[LINE_MAX * 2];
	unsigned used, n;
	char *w[MAX_WORDS];
};

static void put(struct words *ws, char c)
{
	if (ws->used < sizeof(ws->buf) - 1)
		ws->buf[ws->used++] = c;
}

static void put_str(struct words *ws, const char *s)
{
	while (*s)
		put(ws, *s++);
}

/* One simple command from s (up to an unquoted ';' or the end), split into
 * words with quotes removed and $ expanded.  Returns where it stopped. */
static const char *split(const char *s, struct words *ws)
{
	int in_word = 0, quote = 0;

	ws->used = ws->n = 0;
	for (; *s && (quote || *s != ';'); s++) {
		char c = *s;

		if (!quote && (c == ' ' || c == '\t')) {
			if (in_word) {
				put(ws, 0);
				in_word = 0;
			}
			continue;
		}
		if (!in_word) {
			if (ws->n == MAX_WORDS)
				break;
			ws->w[ws->n++] = ws->buf + ws->used;
			in_word = 1;
		}
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				put(ws, c);
		} else if (c == '\'' || c == '"') {
			if (quote == c)
				quote = 0;
			else if (!quote)
				quote = c;
			else
				put(ws, c);
		} else if (c == '\\' && s[1]) {
			put(ws, *++s);
		} else if (c == '$' && s[1] == '?') {
			char num[12];
			ksnprintf(num, sizeof(num), "%d", last_status);
			put_str(ws, num);
			s++;
		} else if (c == '$' && is_name_char(s[1])) {
			const char *name = ++s;
			while (is_name_char(s[1]))
				s++;
			put_str(ws, var_get(name, (unsigned)(s - name + 1)));
		} else {
			put(ws, c);
		}
	}
	if (in_word)
		put(ws, 0);
	return s;
}

/* --- commands ---------------------------------------------------------- */

static void run_line(const char *line, unsigned depth);

static unsigned parse_uint(const char *s)
{
	unsigned v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

static void sleep_seconds(unsigned s)
{
	uint64_t end = rdtsc() + us_to_tsc(1000000) * s;

	while (rdtsc() < end) {
		clock_event(100 * 1000 * 1000);
		halt();
	}
}

/* --- a tiny virtio-blk driver for blkwrite --- */

#define BLK_DEV 2
#define BLK_T_OUT 1

static struct virtio_dev blk;
static struct virtq blkq;
static int blk_state; /* 0 not probed, 1 ready, -1 none */

static int blk_start(void)
{
	if (!blk_state)
		blk_state = (virtio_probe(&blk, BLK_DEV) == 0 &&
			     virtio_negotiate(&blk, VIRTIO_F_VERSION_1, &(uint64_t){ 0 }) == 0 &&
			     virtq_setup(&blk, &blkq, 0) == 0) ? 1 : -1;
	if (blk_state == 1)
		virtio_driver_ok(&blk);
	return blk_state;
}

/* One write request: header, 512 bytes, status; waits for it. */
static int blk_write_sector(uint32_t sector)
{
	uint8_t *page = page_alloc();
	uint32_t hdr[4] = { BLK_T_OUT, 0, sector, 0 };

	memcpy(page, hdr, sizeof(hdr));
	for (unsigned i = 0; i < 512; i += 4)
		memcpy(page + 512 + i, &sector, 4);
	page[1024] = 0xff;
	blkq.desc[0].addr = virt_to_phys(page);
	blkq.desc[0].len = 16;
	blkq.desc[0].flags = VRING_DESC_F_NEXT;
	blkq.desc[0].next = 1;
	blkq.desc[1].addr = virt_to_phys(page + 512);
	blkq.desc[1].len = 512;
	blkq.desc[1].flags = VRING_DESC_F_NEXT;
	blkq.desc[1].next = 2;
	blkq.desc[2].addr = virt_to_phys(page + 1024);
	blkq.desc[2].len = 1;
	blkq.desc[2].flags = VRING_DESC_F_WRITE;
	blkq.desc[2].next = 0;
	virtq_kick(&blk, &blkq, 0);
	if (!virtq_wait_used(&blkq, 5000000))
		return -1;
	return page[1024];
}

static int blkwrite(uint32_t sector, uint32_t count)
{
	if (blk_start() != 1) {
		kprintf("minish: blkwrite: no virtio disk at 00:%02x.0\n", BLK_DEV);
		return 1;
	}
	for (uint32_t i = 0; i < count; i++) {
		int st = blk_write_sector(sector + i);
		if (st != 0) {
			kprintf("minish: blkwrite: sector %u: status %d\n", sector + i, st);
			return 1;
		}
		kprintf("written %u\n", sector + i);
	}
	return 0;
}

static const char *cmdline(void)
{
	return phys_to_virt(*(volatile uint32_t *)(BOOT_PARAMS + BP_CMD_LINE_PTR));
}

static int run_words(struct words *ws, unsigned depth)
{
	const char *cmd = ws->w[0];

	if (streq(cmd, "echo")) {
		for (unsigned i = 1; i < ws->n; i++)
			kprintf("%s%s", i > 1 ? " " : "", ws->w[i]);
		kprintf("\n");
		return 0;
	}
	if (streq(cmd, "eval")) {
		static char joined[EVAL_DEPTH][LINE_MAX];
		unsigned o = 0;

		if (depth >= EVAL_DEPTH)
			return 2;
		joined[depth][0] = 0;
		for (unsigned i = 1; i < ws->n && o < LINE_MAX - 1; i++)
			o += (unsigned)ksnprintf(joined[depth] + o, LINE_MAX - o, "%s%s", i > 1 ? " " : "", ws->w[i]);
		run_line(joined[depth], depth + 1);
		return last_status;
	}
	if (streq(cmd, "true"))
		return 0;
	if (streq(cmd, "false"))
		return 1;
	if (streq(cmd, "export")) {
		for (unsigned i = 1; i < ws->n; i++)
			if (var_set(ws->w[i]))
				return 1;
		return 0;
	}
	if (streq(cmd, "sleep")) {
		sleep_seconds(ws->n > 1 ? parse_uint(ws->w[1]) : 0);
		return 0;
	}
	if (streq(cmd, "uname")) {
		kprintf("%s\n", ws->n > 1 && streq(ws->w[1], "-r") ? "minish-1" : "lgkvm-minish");
		return 0;
	}
	if (streq(cmd, "cat") && ws->n == 2 && streq(ws->w[1], "/proc/cmdline")) {
		kprintf("%s\n", cmdline());
		return 0;
	}
	if (streq(cmd, "blkwrite") && ws->n == 3)
		return blkwrite(parse_uint(ws->w[1]), parse_uint(ws->w[2]));
	if (streq(cmd, "poweroff"))
		power_off();
	if (streq(cmd, "reboot"))
		restart("Restarting system");
	if (streq(cmd, "crash")) {
		hcall_sync(LHCALL_NEW_PGTABLE, 0xfffff000u, 0, 0, 0);
		return 1;
	}
	kprintf("minish: %s: not found\n", cmd);
	return 127;
}

static void run_line(const char *line, unsigned depth)
{
	static struct words ws[EVAL_DEPTH + 1];
	const char *s = line;

	for (;;) {
		s = split(s, &ws[depth]);
		if (ws[depth].n)
			last_status = run_words(&ws[depth], depth);
		if (*s != ';')
			break;
		s++;
	}
}

/* --- the terminal ------------------------------------------------------ */

static char line[LINE_MAX];
static unsigned line_len;
static int line_ready;

static void take_char(char c)
{
	char echo[2] = { c, 0 };

	if (line_ready)
		return; /* typed ahead of the prompt: the runners never do */
	if (c == '\r')
		c = echo[0] = '\n';
	if (c == '\n') {
		kprintf("\n");
		line[line_len] = 0;
		line_ready = 1;
		return;
	}
	if (c == 0x7f || c == '\b') {
		if (line_len)
			line_len--;
		return;
	}
	if (line_len < LINE_MAX - 1) {
		line[line_len++] = c;
		kprintf("%s", echo);
	}
}

void guest_main(void)
{
	kprintf("minish: a tiny shell for lgkvm's boot tests (tests/conformance/shell/minish.c)\n");
	kprintf("minish: command line: %s\n", cmdline());
	irq_enable();
	if (rx_start())
		panic("minish: no virtio console");
	for (;;) {
		kprintf("%s", prompt);
		line_len = 0;
		line_ready = 0;
		while (!line_ready)
			rx_wait(take_char);
		run_line(line, 0);
	}
}
