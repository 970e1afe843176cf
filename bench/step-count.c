/*
 * step-count [HIST_OUT] -- command...: single-steps a command (bench/step.h) and prints how many
 * user-space instructions its own process executed (from its exec to its exit) and how many
 * the processes it cloned executed, each until it called execve (the runtime's child until it
 * becomes the container's init). With HIST_OUT, also writes "address count" lines, in
 * 16-byte granules, for the cloned processes' instructions below 0x10000000 (the static,
 * non-PIE swiftlet's image): map them to functions with `nm -n`.
 *
 * Instruction counts do not depend on the machine's load, and callgrind cannot follow the
 * runtime past clone3 (valgrind has no clone3), so this is how docs/performance.md ("Round 2,
 * fourth pass") counts a whole `run`. Slow (a few microseconds per instruction: two to three
 * minutes for a `run`), never part of a test or of CI. Run as root in the bench's private
 * mount namespace, e.g. step-count hist.txt -- swiftlet --root R run --bundle B id
 */
#include <string.h>
#include "step.h"

struct counts { unsigned long own, cloned; uint32_t *hist; };

static void count(void *ctx, int top, unsigned long rip) {
    struct counts *c = ctx;
    if (top) {
        c->own++;
        return;
    }
    c->cloned++;
    if (c->hist && (rip >> 4) < GRANULES) c->hist[rip >> 4]++;
}

static void restart(void *ctx) {
    ((struct counts *)ctx)->own = 0;  /* count the command from its own exec */
}

int main(int argc, char **argv) {
    int first = 1;
    const char *hist_path = NULL;
    if (argc > 2 && strcmp(argv[1], "--") != 0 && strcmp(argv[2], "--") == 0) { hist_path = argv[1]; first = 3; }
    else if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
    if (first >= argc) { fprintf(stderr, "usage: step-count [HIST_OUT] -- command...\n"); return 2; }
    struct counts c = { 0, 0, hist_path ? calloc(GRANULES, sizeof(uint32_t)) : NULL };
    if (hist_path && !c.hist) { perror("calloc"); return 2; }
    int rc = step_command(argv + first, count, restart, &c);
    if (rc < 0) return 2;
    if (c.hist) {
        FILE *out = fopen(hist_path, "w");
        if (!out) { perror(hist_path); return 2; }
        for (unsigned long g = 0; g < GRANULES; g++)
            if (c.hist[g]) fprintf(out, "%lx %u\n", g << 4, c.hist[g]);
        if (fclose(out) != 0) { perror(hist_path); return 2; }
    }
    fprintf(stderr, "step-count: process %lu, clones %lu, total %lu (exit %d)\n", c.own, c.cloned, c.own + c.cloned, rc);
    return rc;
}
