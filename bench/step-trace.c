/*
 * step-trace PARENT_OUT CHILD_OUT command...: single-steps a command (bench/step.h) and writes
 * the instruction addresses it executed, in 16-byte granules, one hex address a line: those of
 * the command's own process to PARENT_OUT, those of the processes it clones to CHILD_OUT,
 * each followed until it calls execve (the runtime's child until it becomes the container's
 * init). Addresses below 0x10000000 only (the static, non-PIE swiftlet's image).
 *
 * Used by scripts/text-order.sh: callgrind cannot follow the runtime past clone3 (valgrind
 * has no clone3) and perf samples miss short functions, so the code `run` executes after the
 * clone, in both processes, and that of `exec`, is recorded exactly here. Slow (minutes for
 * a `run`), never part of a test or of CI.
 */
#include "step.h"

struct seen { uint8_t *parent, *child; };

static void mark(void *ctx, int top, unsigned long rip) {
    struct seen *seen = ctx;
    unsigned long g = rip >> 4;
    if (g < GRANULES) (top ? seen->parent : seen->child)[g / 8] |= (uint8_t)(1u << (g % 8));
}

static int write_granules(const char *path, const uint8_t *bits) {
    FILE *out = fopen(path, "w");
    if (!out) { perror(path); return -1; }
    for (unsigned long g = 0; g < GRANULES; g++)
        if (bits[g / 8] & (1u << (g % 8))) fprintf(out, "%lx\n", g << 4);
    return fclose(out);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: step-trace PARENT_OUT CHILD_OUT command...\n"); return 2; }
    struct seen seen = { calloc(GRANULES / 8, 1), calloc(GRANULES / 8, 1) };
    if (!seen.parent || !seen.child) { perror("calloc"); return 2; }
    int rc = step_command(argv + 3, mark, NULL, &seen);
    if (rc < 0) return 2;
    if (write_granules(argv[1], seen.parent) || write_granules(argv[2], seen.child)) return 2;
    return rc;
}
