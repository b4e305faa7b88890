// SPDX-License-Identifier: GPL-2.0
/*
 * bin/lgtest end to end, what it leaves behind and how it runs: JUnit,
 * JSON and console logs, KTAP subtests and boot times, live progress on a
 * terminal, the runners' commands and the calibration, and `lgtest
 * initramfs`.  The guests are the tiny test guests on /dev/kvm.
 */
#include <dirent.h>
#include <pty.h>
#include <sys/stat.h>

#include "lgtest_cli.h"

static size_t count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, len;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len > strlen(suffix) &&
		    !strcmp(e->d_name + len - strlen(suffix), suffix))
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_junit_json_and_logs)
{
	char *d = temp_dir(), *args, *path;
	struct outcome o;

	require_tools();
	args = xasprintf(
		RUN "--junit %s/r.xml --json %s/r.json --out %s/logs " SCRIPTS
		    "pass.lgt " SCRIPTS "fail.lgt",
		d, d, d);
	o = run(args);
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	path = xasprintf("%s/r.xml", d);
	file_has(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<testsuites name=\"lgtest\" tests=\"13\" "
		       "failures=\"8\" errors=\"0\" skipped=\"0\"");
	file_has(path, "<testsuite name=\"" SCRIPTS "fail.lgt\" tests=\"8\" "
		       "failures=\"8\"");
	file_has(path, "<failure type=\"hang\" message=\"no-output timeout: "
		       "no console output for 1 s; after sysrq ltw: no output "
		       "from test machine\">");
	file_has(path, "<property name=\"boot_first_byte\" value=\"0.");
	free(path);
	path = xasprintf("%s/r.json", d);
	file_has(path, "\"summary\": {\n    \"tests\": 13,\n    \"pass\": 5,\n"
		       "    \"fail\": 4,\n    \"crash\": 2,\n    \"hang\": 2,\n"
		       "    \"error\": 0,\n    \"flaky\": 0\n  }");
	file_has(path, "\"runner\": \"lguest-direct\"");
	file_has(path, "\"crash\": \"WARNING in my_func\"");
	/* The whole report beside the title, in each file. */
	file_has(path, "\"crash_report\": {\n        \"title\": \"WARNING in "
		       "my_func\",\n        \"alt_titles\": [],\n        "
		       "\"type\": \"warning\",\n        \"corrupted\": false,\n"
		       "        \"frame\": \"my_func\",\n        \"source\": "
		       "\"lib/x.c:1\",");
	file_has(path, "\"report\": \"WARNING: CPU: 0 PID: 1 at lib/x.c:1 "
		       "my_func+0x1/0x2\\nCall Trace:\\n my_func+0x1/0x2 "
		       "lib/x.c:1\\n my_caller+0x1/0x2\",");
	free(path);
	path = xasprintf("%s/r.xml", d);
	file_has(path, "crash type: warning\ncrash corrupted: no\ncrash frame: "
		       "my_func at lib/x.c:1\n--- crash report (console line ");
	free(path);
	assert_has(&o, "  crash_report:\n    type: warning\n    alt_titles: "
		       "[]\n    corrupted: false\n    frame: \"my_func\"\n");
	/* One console log per test, with what the guest printed. */
	path = xasprintf("%s/logs", d);
	ck_assert_uint_eq(count_files(path, ".log"), 13);
	free(path);
	path = xasprintf("%s/logs/006-fail.lgt-wrong_exit_status.log", d);
	file_has(path, "cmdline: console=ttyS0 panic=-1 sysrq_always_enabled "
		       "lgtest.action=exit:9");
	free(path);
	assert_has(&o, "  log: \"");
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

/* KTAP the guest prints becomes subtests, and a failed one fails. */
START_TEST(test_ktap_and_boot_marker)
{
	char *d = temp_dir(), *args, *path;
	struct outcome o;

	require_tools();
	args = xasprintf(RUN "--json %s/r.json " SCRIPTS "ktap.lgt", d);
	o = run(args);
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "    # Subtest: " SCRIPTS "ktap.lgt: failed subtest "
		       "fails the test\n    1..2\n        # Subtest: a\n"
		       "        1..1\n        ok 1 - inner\n    ok 1 - a\n"
		       "    not ok 2 - b\nnot ok 1 - ");
	assert_has(&o, "message: \"1 of 2 KTAP subtests failed: b\"");
	assert_has(&o,
		   "    ok 1 - x # SKIP later\n    not ok 2 - y\n"
		   "ok 2 - " SCRIPTS "ktap.lgt: ktap report only reports\n");
	/* The script's own marker, not the default one, stops the timer. */
	assert_has(&o, "ok 3 - " SCRIPTS "ktap.lgt: boot marker is timed\n");
	assert_has(&o, ", marker 0.");
	path = xasprintf("%s/r.json", d);
	file_has(path, "\"ktap\": {\n        \"passed\": 0,\n        "
		       "\"failed\": 1,\n        \"skipped\": 1,");
	file_has(path, "\"name\": \"inner\",\n              \"number\": 1,\n"
		       "              \"result\": \"pass\"");
	free(path);
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

/* What `lgtest ARGV...` prints on a terminal; *status is its exit status. */
static void run_on_terminal(char *const argv[], struct buf *out, int *status)
{
	char chunk[4096];
	int fd, ws;
	ssize_t n;
	pid_t pid;

	pid = forkpty(&fd, NULL, NULL, NULL);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(lgtest(), argv);
		_exit(127);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	buf_add(out, "", 0);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert(WIFEXITED(ws));
	*status = WEXITSTATUS(ws);
}

/* On a terminal: a line per test as it ends, and a summary; no TAP. */
START_TEST(test_live_progress)
{
	char *const argv[] = {"lgtest",		  "run",    "--runner",
			      "lguest-direct",	  "--jobs", "2",
			      SCRIPTS "pass.lgt", NULL};
	struct buf out = {0};
	int status;

	require_tools();
	run_on_terminal(argv, &out, &status);
	ck_assert_msg(status == 0, "%s", out.data);
	ck_assert_msg(strstr(out.data, "lgtest: 5 tests, runner "
				       "lguest-direct, 2 at a time\r\n"),
		      "%s", out.data);
	ck_assert_msg(strstr(out.data, "[5/5] pass   " SCRIPTS
				       "pass.lgt: expected crash  ("),
		      "%s", out.data);
	ck_assert_msg(strstr(out.data, "5 passed, 0 failed (fail 0, crash 0, "
				       "hang 0, error 0) in "),
		      "%s", out.data);
	ck_assert_msg(!strstr(out.data, "TAP version"), "%s", out.data);
	buf_free(&out);
}
END_TEST

/* On a terminal, the summary lists each distinct crash once. */
START_TEST(test_live_crash_summary)
{
	char *const argv[] = {"lgtest",
			      "run",
			      "--jobs",
			      "1",
			      "--repeat",
			      "2",
			      "--runner",
			      "qemu",
			      "--qemu",
			      SCRIPTS "fake-qemu.sh",
			      SCRIPTS "crashes.lgt",
			      NULL};
	struct buf out = {0};
	int status;

	require_tools();
	run_on_terminal(argv, &out, &status);
	ck_assert_msg(status == 1, "%s", out.data);
	ck_assert_msg(strstr(out.data,
			     "\033[Kcrash: WARNING in my_func: 4 runs: " SCRIPTS
			     "crashes.lgt: warns (rounds 1, 2), " SCRIPTS
			     "crashes.lgt: warns too (rounds 1, 2)\r\n"
			     "crash: kernel BUG in other_func: 2 runs: " SCRIPTS
			     "crashes.lgt: hits a BUG (rounds 1, 2)\r\n"
			     "0 passed, 6 failed (fail 0, crash 6, "),
		      "%s", out.data);
	buf_free(&out);
}
END_TEST

/* What each runner would run, and what it cannot do. */
START_TEST(test_runner_commands)
{
	struct outcome o;

	require_tools();
	o = run("run -n --runner qemu --accel tcg --mem 99 --cpus 3 --device "
		"block-ro=tests/harness/scripts/pass.lgt --device rng "
		"--device virtio-console " SCRIPTS "pass.lgt");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	assert_has(&o, "# runner: qemu (accel tcg, as asked)\n");
	assert_has(&o, "qemu-system-x86_64 -accel tcg -m 99 -smp 3 ");
	assert_has(&o, " -no-reboot -S -chardev socket,id=lgtest-qmp,fd=3 ");
	assert_has(&o, " -device isa-debug-exit,iobase=0xf4,iosize=0x04 ");
	assert_has(&o, " -chardev stdio,id=lgtest-con,signal=off -chardev "
		       "file,id=lgtest-serial,path=/proc/self/fd/1 -serial "
		       "chardev:lgtest-serial -device virtio-serial-pci "
		       "-device virtconsole,chardev=lgtest-con -drive "
		       "file=tests/harness/scripts/pass.lgt,format=raw,"
		       "if=virtio,readonly=on -device virtio-rng-pci -kernel ");
	outcome_free(&o);
	o = run("run -n --runner qemu --device tunnet=10.0.0.1 " SCRIPTS
		"pass.lgt");
	assert_has(&o, "device tunnet is not available on the qemu runner");
	outcome_free(&o);
	o = run("run -n --runner lguest-nested --device block=/etc/hostname "
		"--device block-ro=/etc/hosts --device rng " SCRIPTS
		"pass.lgt");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	assert_has(&o, "# runner: lguest-nested\n");
	assert_has(&o, " nested-client --pool ");
	assert_has(&o, "tests/boot/nested.sh --agent ");
	/* The kept host sees this machine's root; writable disks through
	 * its writable view of it. */
	assert_has(&o, " --no-reboot --block=/run/lguest-host-rw/etc/hostname "
		       "--block-ro=/etc/hosts --rng --cpus=2 64 " SCRIPTS
		       "../../guests/bin/guest64.elf ");
	/* The host: this machine's CPUs, at most the guest's 2. */
	assert_has(&o, sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? " --smp 2 -- "
							   : " --smp 1 -- ");
	outcome_free(&o);
	o = run("run -n --runner lguest-nested --cpus 1 " SCRIPTS "pass.lgt");
	assert_has(&o, " --smp 1 -- ");
	assert_has(&o, " --no-reboot --cpus=1 64 ");
	outcome_free(&o);
	assert_usage_error("run -n --cpus 255 " SCRIPTS "pass.lgt",
			   "--cpus: '255' is not a number of vCPUs from 1 to "
			   "254");
	o = run("run -n --runner lguest-nested --device "
		"sharenet=/tmp/s " SCRIPTS "pass.lgt");
	assert_has(&o, "device sharenet is not available on the lguest-nested "
		       "runner");
	outcome_free(&o);
	o = run("run --runner nope " SCRIPTS "pass.lgt");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "unknown runner 'nope' (known: lguest, "
				    "lguest-direct, lguest-nested, qemu)"),
		      "%s", o.err);
	outcome_free(&o);
}
END_TEST

/* The qemu runner's supervisor, with fake-qemu.sh playing QEMU's part. */
START_TEST(test_qemu_supervisor)
{
	struct outcome o;

	require_lgtest();
	o = run("run --tap --runner qemu --qemu " SCRIPTS
		"fake-qemu.sh " SCRIPTS "fake-qemu.lgt");
	ck_assert_msg(o.status == 2, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "\nok 1 - " SCRIPTS "fake-qemu.lgt: power-off is status "
		       "0\n");
	assert_has(&o,
		   "\nok 2 - " SCRIPTS "fake-qemu.lgt: reset is status 2\n");
	assert_has(&o, "\nok 3 - " SCRIPTS "fake-qemu.lgt: port 0xf4 value "
		       "arrives\n");
	assert_has(&o, "\nok 4 - " SCRIPTS "fake-qemu.lgt: port 0xf4 value 0 "
		       "is not an error\n");
	assert_has(&o, "\nnot ok 5 - " SCRIPTS "fake-qemu.lgt: a paused guest "
		       "is an error\n  ---\n  verdict: error\n  message: "
		       "\"runner failed: KVM internal error or emulation "
		       "failure (qemu status 4)\"");
	assert_has(&o, "\nnot ok 6 - " SCRIPTS "fake-qemu.lgt: qemu failing to "
		       "start is an error\n  ---\n  verdict: error\n  "
		       "message: \"runner failed: set-up error (qemu status "
		       "1): fake-qemu: cannot start\"");
	assert_has(&o, "    fake-qemu: cannot start\n    lgtest: qemu ended "
		       "before the guest started");
	outcome_free(&o);
}
END_TEST

/* A runner's set-up error says why on the terminal too, not only in logs. */
START_TEST(test_setup_error_on_terminal)
{
	char *const argv[] = {"lgtest",
			      "run",
			      "--runner",
			      "qemu",
			      "--qemu",
			      SCRIPTS "fake-qemu.sh",
			      "--append",
			      "lgtest.fake=early",
			      SCRIPTS "flaky.lgt",
			      NULL};
	struct buf out = {0};
	int status;

	require_lgtest();
	run_on_terminal(argv, &out, &status);
	ck_assert_msg(status == 2, "%s", out.data);
	ck_assert_msg(strstr(out.data,
			     "      runner failed: set-up error (qemu "
			     "status 1): fake-qemu: cannot start\r\n"),
		      "%s", out.data);
	buf_free(&out);
}
END_TEST

/*
 * A block device's file that is not there is an error before any runner
 * starts (for lguest-nested, before its host boots), naming the file.
 */
START_TEST(test_missing_block_file)
{
	static const char *const runners[] = {
		"--runner lguest-direct --lguest /bin/false",
		"--runner qemu --qemu " SCRIPTS "fake-qemu.sh"};
	struct outcome o;
	char *args;
	size_t i;

	require_lgtest();
	for (i = 0; i < ARRAY_SIZE(runners); i++) {
		args = xasprintf("run --tap %s --device block-ro=/etc/hostname "
				 "--device block=/nonexistent/disk.img " SCRIPTS
				 "flaky.lgt",
				 runners[i]);
		o = run(args);
		ck_assert_msg(o.status == 2, "%s: status %d:\n%s%s", runners[i],
			      o.status, o.out, o.err);
		assert_has(&o, "\nnot ok 1 - " SCRIPTS "flaky.lgt: alternates\n"
			       "  ---\n  verdict: error\n  message: \"device "
			       "block /nonexistent/disk.img: No such file or "
			       "directory\"\n");
		/* Nothing ran: no command, no console, no runner messages. */
		ck_assert_msg(!strstr(o.out, "command:") &&
				      !strstr(o.out, "console_tail:") &&
				      !strstr(o.out, "runner_stderr:"),
			      "%s", o.out);
		outcome_free(&o);
		free(args);
	}
}
END_TEST

/* Write o's stdout to DIR/NAME.tap and run prove on it; prove's status. */
static int prove(const char *dir, const char *name, const struct outcome *o)
{
	char *path = xasprintf("%s/%s.tap", dir, name), *cmd;
	FILE *f = fopen(path, "w");
	int ws;

	ck_assert_ptr_nonnull(f);
	fputs(o->out, f);
	ck_assert_int_eq(fclose(f), 0);
	cmd = xasprintf("cd %s && prove --exec cat %s.tap >%s.prove 2>&1", dir,
			name, name);
	ws = system(cmd);
	ck_assert(ws != -1 && WIFEXITED(ws));
	free(cmd);
	free(path);
	return WEXITSTATUS(ws);
}

/*
 * Debian 12's prove (TAP::Parser 3.44) reads lgtest's TAP, KTAP subtests
 * and YAML blocks included: a passing run passes, a failing run fails at
 * the test that failed and nowhere else, with no parse error.
 */
START_TEST(test_prove_reads_tap)
{
	char *d = temp_dir(), *cmd, *args, *out;
	struct outcome o;

	require_lgtest();
	cmd = xasprintf("k=$(realpath tests/guests/bin/guest64.elf) && "
			"for w in pass fail; do printf 'kernel %%s\\ntimeout "
			"30\\ncmdline lgtest.fake=ktap-%%s\\nshutdown\\n' "
			"\"$k\" $w >%s/$w.lgt; done",
			d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);

	args = xasprintf("run --tap --runner qemu --qemu " SCRIPTS
			 "fake-qemu.sh %s/pass.lgt",
			 d);
	o = run(args);
	ck_assert_msg(o.status == 0, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "    ok 1 - first\n    ok 2 - second\nok 1 - ");
	ck_assert_int_eq(prove(d, "pass", &o), 0);
	out = xasprintf("%s/pass.prove", d);
	file_has(out, "Result: PASS");
	free(out);
	outcome_free(&o);
	free(args);

	args = xasprintf("run --tap --runner qemu --qemu " SCRIPTS
			 "fake-qemu.sh %s/pass.lgt %s/fail.lgt",
			 d, d);
	o = run(args);
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "    not ok 2 - second\nnot ok 2 - ");
	assert_has(&o, "  ---\n  verdict: fail\n");
	ck_assert_int_ne(prove(d, "fail", &o), 0);
	out = xasprintf("%s/fail.prove", d);
	file_has(out, "(Wstat: 0 Tests: 2 Failed: 1)\n  Failed test:  2\n"
		      "Files=1");
	file_has(out, "Result: FAIL");
	free(out);
	outcome_free(&o);
	free(args);

	/* TAP 14, for parsers that read it, only on request. */
	args = xasprintf(
		"run --tap --tap-version 14 --runner qemu --qemu " SCRIPTS
		"fake-qemu.sh %s/pass.lgt",
		d);
	o = run(args);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	ck_assert_msg(!strncmp(o.out, "TAP version 14\n1..1\n", 20), "%s",
		      o.out);
	outcome_free(&o);
	free(args);
	assert_usage_error("run --tap-version 12 " SCRIPTS "pass.lgt",
			   "--tap-version: '12' is neither 13 nor 14");
	remove_dir(d);
	free(d);
}
END_TEST

/* --accel belongs to the qemu runner: with any other it is a usage error. */
START_TEST(test_accel_needs_qemu)
{
	static const char *const runners[] = {"lguest", "lguest-direct",
					      "lguest-nested"};
	struct outcome o;
	char *args, *want;
	size_t i;

	require_lgtest();
	for (i = 0; i < ARRAY_SIZE(runners); i++) {
		args = xasprintf("run -n --accel tcg --runner %s " SCRIPTS
				 "pass.lgt",
				 runners[i]);
		want = xasprintf("lgtest: --accel is for the qemu runner only, "
				 "not %s",
				 runners[i]);
		assert_usage_error(args, want);
		free(want);
		free(args);
	}
	assert_usage_error("run -n --accel tcg " SCRIPTS "pass.lgt",
			   "not lguest (the default runner): add --runner "
			   "qemu\n");
	o = run("run -n --runner qemu --accel tcg " SCRIPTS "pass.lgt");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	outcome_free(&o);
}
END_TEST

/* The default runner times a probe guest and says what it chose;
 * LGUEST_RUNNER overrides the probe, and is said to. */
START_TEST(test_calibration_reported)
{
	struct outcome o;

	require_tools();
	setenv("LGUEST_RUNNER", "direct", 1);
	o = run("run -n " SCRIPTS "pass.lgt");
	ck_assert_msg(
		strstr(o.out, "# runner: lguest-direct (LGUEST_RUNNER)\n"),
		"%s%s", o.out, o.err);
	outcome_free(&o);
	setenv("LGUEST_RUNNER", "sideways", 1);
	o = run("run -n " SCRIPTS "pass.lgt");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "LGUEST_RUNNER must be direct or nested, "
				    "not 'sideways'"),
		      "%s", o.err);
	outcome_free(&o);
	unsetenv("LGUEST_RUNNER");
	o = run("run -n " SCRIPTS "pass.lgt");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	ck_assert_msg(
		strstr(o.out, "# runner: lguest-direct (calibration: a "
			      "20000000-iteration guest loop took ") ||
			strstr(o.out, "# runner: lguest-nested (calibration: a "
				      "20000000-iteration guest loop did not "
				      "finish within 1.0 s on /dev/kvm"),
		"%s%s", o.out, o.err);
	outcome_free(&o);
}
END_TEST

/* `lgtest initramfs` with modules of its own: dependencies come first. */
START_TEST(test_initramfs_command)
{
	char *d = temp_dir(), *cmd, *args;
	struct outcome o;
	FILE *f;

	require_lgtest();
	cmd = xasprintf("mkdir -p %s/mods/kernel && cd %s/mods/kernel && "
			"printf 'depends=b\\0' >a.ko && "
			"printf 'depends=\\0' >b.ko && echo hi >%s/extra",
			d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	args = xasprintf("initramfs --modules-dir %s/mods --module a --file "
			 "%s/extra:/etc/extra -o %s/img.cpio.gz",
			 d, d, d);
	o = run(args);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	outcome_free(&o);
	cmd = xasprintf("cd %s && zcat img.cpio.gz | cpio -i --quiet "
			"--to-stdout lib/modules/load-order etc/extra init "
			">contents",
			d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s/contents", d);
	f = fopen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	/* cpio extracts in archive order: sorted by name. */
	file_has(cmd, "hi\n#!/bin/sh\n# lgtest's default /init");
	file_has(cmd, "echo lgtest-boot-marker\n");
	file_has(cmd, "then setsid -c sh; else setsid cttyhack sh; fi\n"
		      "poweroff -f\n/lib/modules/mods/kernel/b.ko\n"
		      "/lib/modules/mods/kernel/a.ko\n");
	free(cmd);
	o = run("initramfs --bogus");
	ck_assert_int_eq(o.status, 2);
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

/* stdout's one line (an image's path), without its newline. */
static char *first_line(const struct outcome *o)
{
	return xstrndup(o->out, strcspn(o->out, "\n"));
}

/*
 * The image cache, from a directory that holds it (as lgtest runs from
 * the repository root, whose .cache is the default): the same inputs
 * again are a cache hit that leaves the image alone (mkinitramfs -v says
 * "cache hit", and the file keeps its inode and time), and one changed
 * byte in an added file makes another image.
 */
START_TEST(test_initramfs_cache)
{
	char *d = temp_dir(), *cmd, *pre, *args, *img, *again, *hit;
	struct stat before, after;
	struct outcome o;

	require_lgtest();
	cmd = xasprintf("mkdir -p %s/mods && printf 'depends=\\0' "
			">%s/mods/a.ko && echo hi >%s/extra",
			d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	pre = xasprintf("cd %s && CACHE=%s/cache ", d, d);
	args = xasprintf("initramfs -v --modules-dir %s/mods --module a "
			 "--file %s/extra:/etc/extra",
			 d, d);
	o = run_after(pre, args);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	img = first_line(&o);
	ck_assert_int_eq(stat(img, &before), 0);
	outcome_free(&o);

	o = run_after(pre, args);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	again = first_line(&o);
	ck_assert_str_eq(again, img);
	hit = xasprintf("mkinitramfs: cache hit: %s\n", img);
	ck_assert_msg(strstr(o.err, hit), "no cache hit:\n%s", o.err);
	ck_assert_msg(!strstr(o.err, "built"), "%s", o.err);
	ck_assert_int_eq(stat(img, &after), 0);
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	ck_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
		  after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	outcome_free(&o);
	free(again);

	cmd = xasprintf("echo hj >%s/extra", d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	o = run_after(pre, args);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	again = first_line(&o);
	ck_assert_str_ne(again, img);
	outcome_free(&o);
	free(again);
	free(hit);
	free(img);
	free(args);
	free(pre);
	remove_dir(d);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest outputs and runners");
	TCase *tc = tcase_create("outputs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_junit_json_and_logs);
	tcase_add_test(tc, test_ktap_and_boot_marker);
	tcase_add_test(tc, test_live_progress);
	tcase_add_test(tc, test_live_crash_summary);
	tcase_add_test(tc, test_runner_commands);
	tcase_add_test(tc, test_calibration_reported);
	suite_add_tcase(s, tc);
	/* These need bin/lgtest but no /dev/kvm: CK_RUN_CASE="without kvm". */
	tc = tcase_create("without kvm");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_initramfs_command);
	tcase_add_test(tc, test_initramfs_cache);
	tcase_add_test(tc, test_prove_reads_tap);
	tcase_add_test(tc, test_accel_needs_qemu);
	tcase_add_test(tc, test_qemu_supervisor);
	tcase_add_test(tc, test_setup_error_on_terminal);
	tcase_add_test(tc, test_missing_block_file);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
