/*
 * The PIT's channel 2 as Linux's TSC calibration drives it, against a
 * clock the test moves by hand.
 */
#include <check.h>

#include "devices/i8254_pit.h"

static uint64_t fake_now;
static uint64_t now(void) { return fake_now; }
static struct pit pit;

static void out8(uint16_t port, uint8_t v)
{
	ck_assert(pit_io(&pit, port, true, &v, 1));
}

static uint8_t in8(uint16_t port)
{
	uint8_t v = 0;
	ck_assert(pit_io(&pit, port, false, &v, 1));
	return v;
}

static void setup(void)
{
	fake_now = 1000;
	pit_init(&pit, now);
}

/* What quick_pit_calibrate does: gate up, mode 0, load 0xffff. */
static void load_ffff(void)
{
	out8(0x61, (uint8_t)((in8(0x61) & ~0x02) | 0x01));
	out8(0x43, 0xb0);
	out8(0x42, 0xff);
	out8(0x42, 0xff);
}

START_TEST(test_channel2_counts_down_at_pit_rate)
{
	load_ffff();
	ck_assert_uint_eq(in8(0x42), 0xff); /* low */
	ck_assert_uint_eq(in8(0x42), 0xff); /* high */
	fake_now += 1000000; /* 1 ms = 1193 ticks */
	uint16_t c = in8(0x42);
	c |= (uint16_t)in8(0x42) << 8;
	ck_assert_uint_eq(c, 0xffff - 1193);
}
END_TEST

START_TEST(test_msb_changes_every_256_ticks)
{
	load_ffff();
	in8(0x42);
	ck_assert_uint_eq(in8(0x42), 0xff);
	fake_now += 256ull * 1000000000u / PIT_HZ + 1000;
	in8(0x42);
	ck_assert_uint_eq(in8(0x42), 0xfe);
}
END_TEST

START_TEST(test_out2_goes_high_at_terminal_count)
{
	out8(0x61, 1);
	out8(0x43, 0xb0);
	out8(0x42, 11932 & 0xff);
	out8(0x42, 11932 >> 8); /* 10 ms, as pit_calibrate_tsc loads */
	ck_assert_uint_eq(in8(0x61) & 0x20, 0);
	fake_now += 9000000;
	ck_assert_uint_eq(in8(0x61) & 0x20, 0);
	fake_now += 1100000;
	ck_assert_uint_eq(in8(0x61) & 0x20, 0x20);
	ck_assert_uint_eq(in8(0x61) & 1, 1); /* the gate reads back */
}
END_TEST

START_TEST(test_latch_command_freezes_both_bytes)
{
	load_ffff();
	fake_now += 1000000;
	out8(0x43, 0x80); /* latch channel 2 */
	fake_now += 5000000;
	uint16_t c = in8(0x42);
	c |= (uint16_t)in8(0x42) << 8;
	ck_assert_uint_eq(c, 0xffff - 1193);
}
END_TEST

START_TEST(test_gate_down_stops_counting)
{
	out8(0x61, 0);
	out8(0x43, 0xb0);
	out8(0x42, 0x34);
	out8(0x42, 0x12);
	fake_now += 5000000;
	ck_assert_uint_eq(in8(0x42), 0x34);
	ck_assert_uint_eq(in8(0x42), 0x12);
	ck_assert_uint_eq(in8(0x61) & 0x20, 0);
}
END_TEST

START_TEST(test_other_ports_are_not_ours)
{
	uint8_t v = 0;
	ck_assert(!pit_io(&pit, 0x40, false, &v, 1));
	ck_assert(!pit_io(&pit, 0x60, false, &v, 1));
	ck_assert(!pit_io(&pit, 0xcf8, true, &v, 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("i8254_pit");
	TCase *t = tcase_create("channel2");
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, test_channel2_counts_down_at_pit_rate);
	tcase_add_test(t, test_msb_changes_every_256_ticks);
	tcase_add_test(t, test_out2_goes_high_at_terminal_count);
	tcase_add_test(t, test_latch_command_freezes_both_bytes);
	tcase_add_test(t, test_gate_down_stops_counting);
	tcase_add_test(t, test_other_ports_are_not_ours);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
