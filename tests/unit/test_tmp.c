/*
 * test_tmp: engine/eng_tmp, the locked temporary files and the sets of
 * files put in place under a journal.  A real process is killed with
 * SIGKILL after each rename of a set (eng_tmp_set_hook), and the next
 * eng_tmp_clean must leave the whole new set, no temporary file and no
 * journal; a writer that is alive (stopped between two renames) is left
 * alone.
 */
#include "engine/eng_tmp.h"
#include "tests/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSET 3

static char dir[256];

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The file's text ("" when absent). */
static const char *get(const char *name)
{
    static char buf[64];
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *f = fopen(p, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* How many names in dir contain s. */
static int count(const char *s)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, s) != NULL;
    if (d)
        closedir(d);
    return n;
}

static void empty_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (de->d_name[0] != '.' && unlink(p) != 0)
            rmdir(p);
    }
    if (d)
        closedir(d);
}

static size_t kill_at;

static void hook(size_t placed)
{
    if (placed == kill_at)
        raise(SIGKILL);
}

static void stop_hook(size_t placed)
{
    if (placed == kill_at)
        raise(SIGSTOP);
}

/* In a child: writes the set "out-I.xlsx" (text "new-I") through
 * eng_tmp_commit_set with hook h; exits 0 when it returned ENG_OK. */
static pid_t write_set(void (*h)(size_t))
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    char out[512], *tmp[NSET], *final[NSET];
    int fd[NSET];
    snprintf(out, sizeof out, "%s/out.xlsx", dir);
    for (int i = 0; i < NSET; i++) {
        eng_err e = {0};
        final[i] = malloc(512);
        snprintf(final[i], 512, "%s/out-%d.xlsx", dir, i);
        if (eng_tmp_create(final[i], &tmp[i], &fd[i], &e))
            _exit(2);
        char text[16];
        snprintf(text, sizeof text, "new-%d", i);
        if (write(fd[i], text, strlen(text)) < 0 || fsync(fd[i]))
            _exit(2);
    }
    eng_tmp_set_hook = h;
    eng_err e = {0};
    _exit(eng_tmp_commit_set(out, tmp, final, fd, NSET, &e) == ENG_OK ? 0 : 1);
}

static void old_set(void)
{
    empty_dir();
    put("out-0.xlsx", "old-0");
    put("out-1.xlsx", "old-1");
    put("out-2.xlsx", "old-2");
}

static int set_is(const char *which)
{
    char want[16];
    for (int i = 0; i < NSET; i++) {
        char name[32];
        snprintf(name, sizeof name, "out-%d.xlsx", i);
        snprintf(want, sizeof want, "%s-%d", which, i);
        if (strcmp(get(name), want))
            return 0;
    }
    return 1;
}

static void test_kill_between_renames(void)
{
    char out[512];
    snprintf(out, sizeof out, "%s/out.xlsx", dir);
    /* killed after the journal (0) and after each rename but the last */
    for (size_t k = 0; k < NSET; k++) {
        old_set();
        kill_at = k;
        pid_t pid = write_set(hook);
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill at %zu: the writer was not killed",
              k);
        CHECK_INT(count(".set.tmp."), 1, "a journal is left by the kill");
        CHECK_INT(count(".xlsx.tmp."), NSET - (int)k, "temporary files not yet placed");
        eng_tmp_clean(out);
        CHECK(set_is("new"), "kill at %zu: the next clean finishes the set (%s %s %s)", k,
              get("out-0.xlsx"), get("out-1.xlsx"), get("out-2.xlsx"));
        CHECK_INT(count(".tmp."), 0, "no temporary file or journal after the clean");
    }
    /* not killed: the set is in place, nothing left */
    old_set();
    kill_at = NSET + 1;
    pid_t pid = write_set(hook);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a set commit that is not killed succeeds");
    CHECK(set_is("new"), "the new set is in place");
    CHECK_INT(count(".tmp."), 0, "nothing left by a commit");
}

static void test_live_writer_left_alone(void)
{
    char out[512];
    snprintf(out, sizeof out, "%s/out.xlsx", dir);
    old_set();
    kill_at = 1;
    pid_t pid = write_set(stop_hook);
    int st = 0;
    waitpid(pid, &st, WUNTRACED);
    CHECK(WIFSTOPPED(st), "the writer stopped between two renames");
    eng_tmp_clean(out);
    CHECK_INT(count(".set.tmp."), 1, "a live writer's journal stays");
    CHECK_INT(count(".xlsx.tmp."), NSET - 1, "a live writer's temporary files stay");
    CHECK_STR(get("out-1.xlsx"), "old-1", "a live writer's set is not finished by a cleaner");
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer goes on");
    CHECK(set_is("new"), "and puts its set in place");
    CHECK_INT(count(".tmp."), 0, "nothing left");
}

static void test_incomplete_journal(void)
{
    char out[512];
    snprintf(out, sizeof out, "%s/out.xlsx", dir);
    static const char *journals[] = {
        "",                                             /* killed at once */
        "vernier set journal 1\n",                      /* no pair, no end */
        "vernier set journal 1\nout-0.xlsx.tmp.AAAAAA", /* cut in a name */
    };
    for (size_t i = 0; i < sizeof journals / sizeof *journals; i++) {
        old_set();
        put("out.xlsx.set.tmp.Jn1234", journals[i]);
        put("out-0.xlsx.tmp.AAAAAA", "new-0");
        eng_tmp_clean(out);
        CHECK(set_is("old"), "journal %zu: an incomplete journal places nothing", i);
        CHECK_INT(count(".tmp."), 0, "the incomplete journal and its temporary file are removed");
    }
    /* a journal naming files elsewhere is not followed */
    old_set();
    static const char evil[] = "vernier set journal 1\n../x.tmp.AAAAAA\0out-0.xlsx\0end\n";
    char p[512];
    snprintf(p, sizeof p, "%s/out.xlsx.set.tmp.Ev1234", dir);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(evil, 1, sizeof evil - 1, f);
        fclose(f);
    }
    eng_tmp_clean(out);
    CHECK_STR(get("out-0.xlsx"), "old-0", "a name with a slash in a journal is ignored");
    CHECK_INT(count(".tmp."), 0, "and the journal removed");
}

static void test_failed_rename(void)
{
    char out[512], d1[512];
    snprintf(out, sizeof out, "%s/out.xlsx", dir);
    empty_dir();
    snprintf(d1, sizeof d1, "%s/out-2.xlsx", dir);
    mkdir(d1, 0755);
    char p[512];
    snprintf(p, sizeof p, "%s/out-2.xlsx/x", dir);
    put("out-2.xlsx/x", "keeps the folder full");
    pid_t pid = write_set(NULL);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "a set whose last rename fails fails");
    CHECK_STR(get("out-0.xlsx"), "", "the files already placed are taken back");
    CHECK_INT(count(".tmp."), 0, "no temporary file or journal after a failure");
    unlink(p);
    rmdir(d1);
}

static void test_create_and_clean(void)
{
    char out[512];
    snprintf(out, sizeof out, "%s/r.xlsx", dir);
    empty_dir();
    char *tmp = NULL;
    int fd = -1;
    eng_err e = {0};
    CHECK_INT(eng_tmp_create(out, &tmp, &fd, &e), ENG_OK, "create");
    CHECK(tmp && strncmp(tmp, out, strlen(out)) == 0 && strstr(tmp, ".tmp."), "name %s", tmp);
    put("r.xlsx.tmp.Stale1", "stale");
    put("r-x.xlsx.tmp.Stale2", "stale");
    put("rx.xlsx.tmp.Other1", "not ours");
    CHECK_INT(eng_tmp_clean(out), 2, "two stale files removed, the live one kept");
    struct stat st;
    CHECK(tmp && stat(tmp, &st) == 0, "the live temporary file stays");
    CHECK_INT(count("rx.xlsx.tmp.Other1"), 1, "a look-alike of another name stays");
    close(fd);
    CHECK_INT(eng_tmp_clean(out), 1, "once its writer is gone it is stale");
    free(tmp);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/folder/r.xlsx", dir);
    CHECK_INT(eng_tmp_create(bad, &tmp, &fd, &e), ENG_EIO, "create in a missing folder");
    CHECK(strstr(e.msg, "r.xlsx: cannot create: No such file or directory") != NULL, "message: %s",
          e.msg);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_tmp.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_create_and_clean();
    test_kill_between_renames();
    test_live_writer_left_alone();
    test_incomplete_journal();
    test_failed_rename();
    empty_dir();
    rmdir(dir);
    return check_done("test_tmp");
}
