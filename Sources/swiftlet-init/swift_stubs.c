/*
 * swiftc links its swiftrt.o into every executable it produces, this C-only one included, and
 * swiftrt.o's constructor calls swift_addNewDSOImage (and the backtracer may look up
 * _swift_backtrace_isThunkFunction). Defining both as no-ops here satisfies the linker without
 * pulling the Swift runtime into this small static binary. Nothing in the init calls them.
 */
void swift_addNewDSOImage(const void *header);
int _swift_backtrace_isThunkFunction(const char *name);

void swift_addNewDSOImage(const void *header) { (void)header; }
int _swift_backtrace_isThunkFunction(const char *name) { (void)name; return 0; }
