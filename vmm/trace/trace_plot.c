/*
 * `lgkvm trace plot FILE OUT.png|OUT.svg [--bin-ms N]`: the exit rate over
 * the run, stacked by cause, drawn by gnuplot (Debian: gnuplot-nox).  A
 * trace without exits (the in-kernel lguest's ftrace) is drawn by trap
 * class instead.
 *
 * The script and its data go down a pipe (the data as an inline datablock),
 * so nothing is left behind but the picture.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/trace/trace_render.h"

#define DEFAULT_BIN_MS 10
#define MAX_BIN_MS 3600000u /* an hour */

static const char missing_gnuplot[] =
	"gnuplot not found: install the Debian package gnuplot-nox (scripts/setup does)";

/* Whether gnuplot is on PATH: popen() would only say so as exit 127. */
static bool gnuplot_in_path(void)
{
	const char *path = getenv("PATH");
	char dir[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n < sizeof(dir) - sizeof("/gnuplot")) {
			memcpy(dir, path, n);
			strcpy(dir + n, n ? "/gnuplot" : "gnuplot");
			if (access(dir, X_OK) == 0)
				return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

static const char *terminal_for(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && !strcasecmp(path + n - 4, ".png"))
		return "pngcairo size 1200,600 noenhanced font 'sans,10'";
	if (n > 4 && !strcasecmp(path + n - 4, ".svg"))
		return "svg size 1200,600 dynamic noenhanced font 'sans,10' background rgb 'white'";
	return NULL;
}

/* s as a gnuplot single-quoted string, where only ' needs doubling.  The
 * title is shown, so it is made printable ASCII; a path must stay as it is. */
static void put_quoted(FILE *gp, const char *s, bool shown)
{
	fputc('\'', gp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\'')
			fputs("''", gp);
		else if (shown && (c < 0x20 || c >= 0x7f))
			fputc('?', gp);
		else
			fputc(c, gp);
	}
	fputc('\'', gp);
}

/* Colours by series, the same cause always the same colour (Tableau 10). */
static const char *const colours[TRACE_RATE_SERIES] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

static void write_script(FILE *gp, const char *out_path, const struct trace_rate *r,
			 const char *title, unsigned bin_ms)
{
	const char *what = r->exits ? "exits" : "traps";
	double bin_s = (double)r->bin_ns / 1e9;

	fprintf(gp, "set terminal %s\nset output ", terminal_for(out_path));
	/* gnuplot reads a leading '|' as a pipe to a command. */
	if (out_path[0] == '|')
		fputs("'./' . ", gp);
	put_quoted(gp, out_path, false);
	fputs("\nset title ", gp);

	size_t tlen = strlen(title) + 64;
	char *t = malloc(tlen);

	if (t)
		snprintf(t, tlen, "%s by %s: %s", r->exits ? "lgkvm exits" : "in-kernel lguest traps",
			 r->exits ? "cause" : "class", title);
	put_quoted(gp, t ? t : title, true);
	free(t);
	fprintf(gp, "\nset xlabel 'time since start (s)'\n"
		    "set ylabel '%s per %u ms'\n"
		    "set key outside right top vertical title '%s'\n"
		    "set style fill solid 1.0 noborder\n"
		    "set boxwidth %.9g absolute\n"
		    "set grid ytics\n"
		    "set xrange [0:*]\nset yrange [0:*]\n",
		what, bin_ms, r->exits ? "exit cause" : "trap class", bin_s);

	unsigned used[TRACE_RATE_SERIES], nused = 0;

	for (unsigned s = 0; s < r->nseries; s++)
		if (r->used[s])
			used[nused++] = s;
	if (nused == 0) {
		fprintf(gp, "set label 1 'no %s in this trace' at graph 0.5,0.5 center\n"
			    "plot [0:1][0:1] NaN notitle\nunset output\n", what);
		return;
	}

	/* Column k+2 is the sum of the first k+1 series: drawn from the top
	 * down, each box covers the one above only where it belongs. */
	fputs("$data << EOD\n", gp);
	for (size_t i = 0; i < r->nbins; i++) {
		const uint64_t *c = &r->count[i * r->nseries];
		uint64_t sum = 0;

		fprintf(gp, "%.12g", ((double)r->bin[i] + 0.5) * bin_s);
		for (unsigned k = 0; k < nused; k++) {
			sum += c[used[k]];
			fprintf(gp, " %" PRIu64, sum);
		}
		fputc('\n', gp);
	}
	fputs("EOD\nplot ", gp);
	for (unsigned k = nused; k-- > 0;) {
		fprintf(gp, "$data using 1:%u with boxes lc rgb '%s' title ", k + 2, colours[used[k]]);
		put_quoted(gp, trace_rate_series_name(r, used[k]), true);
		fputs(k ? ", \\\n     " : "\n", gp);
	}
	fputs("unset output\n", gp);
}

int trace_plot_write(const char *out_path, const struct trace *t, const char *title,
		     unsigned bin_ms, char *err, size_t errlen)
{
	if (!terminal_for(out_path)) {
		snprintf(err, errlen, "%s: the plot's name must end in .png or .svg", out_path);
		return 2;
	}
	for (const char *p = out_path; *p; p++) {
		if ((unsigned char)*p < 0x20) {
			snprintf(err, errlen, "the plot's name holds a control character");
			return 2;
		}
	}
	if (bin_ms == 0 || bin_ms > MAX_BIN_MS) {
		snprintf(err, errlen, "the bin must be 1 to %u ms", MAX_BIN_MS);
		return 2;
	}
	if (!gnuplot_in_path()) {
		snprintf(err, errlen, "%s", missing_gnuplot);
		return 2;
	}

	struct trace_rate r;

	if (!trace_rate_from(&r, t, (uint64_t)bin_ms * 1000000)) {
		snprintf(err, errlen, "out of memory");
		return 2;
	}

	/* A gnuplot that dies early must cost an error, not this process. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	fflush(NULL); /* the child must not inherit unwritten output */
	/* Its stdout is no place for a picture (where it draws when `set
	 * output` fails) or anything else: errors come on stderr. */
	FILE *gp = popen("exec gnuplot >/dev/null", "w");
	int status = -1;

	if (gp) {
		write_script(gp, out_path, &r, title ? title : "trace", bin_ms);
		status = pclose(gp);
	}
	sigaction(SIGPIPE, &old, NULL);
	trace_rate_free(&r);

	if (!gp || status == -1) {
		snprintf(err, errlen, "cannot run gnuplot: %s", strerror(errno));
		return 2;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "%s", missing_gnuplot);
	else if (WIFEXITED(status))
		snprintf(err, errlen, "gnuplot failed (exit status %d)", WEXITSTATUS(status));
	else
		snprintf(err, errlen, "gnuplot was killed by signal %d",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	unlink(out_path); /* what it left is no picture */
	return 2;
}

int trace_cmd_plot(int argc, char **argv)
{
	static const char usage[] = "usage: lgkvm trace plot FILE OUT.png|OUT.svg [--bin-ms N]\n";
	const char *pos[2] = {NULL, NULL};
	unsigned npos = 0, bin_ms = DEFAULT_BIN_MS;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strncmp(a, "--bin-ms=", 9))
			val = a + 9;
		else if (!strcmp(a, "--bin-ms") && i + 1 < argc)
			val = argv[++i];
		else if (a[0] == '-' && a[1]) {
			fputs(usage, stderr);
			return 2;
		}
		if (val) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(val, &end, 10);
			if (errno || end == val || *end || val[0] == '-' || v == 0 || v > MAX_BIN_MS) {
				fprintf(stderr, "lgkvm trace plot: --bin-ms takes 1 to %u\n", MAX_BIN_MS);
				return 2;
			}
			bin_ms = (unsigned)v;
			continue;
		}
		if (npos == 2) {
			fputs(usage, stderr);
			return 2;
		}
		pos[npos++] = a;
	}
	if (npos != 2) {
		fputs(usage, stderr);
		return 2;
	}

	struct trace t;
	char err[512];

	if (!trace_load_for("plot", pos[0], &t))
		return 2;
	int rc = trace_plot_write(pos[1], &t, pos[0], bin_ms, err, sizeof(err));

	trace_free(&t);
	if (rc)
		fprintf(stderr, "lgkvm trace plot: %s\n", err);
	return rc;
}
