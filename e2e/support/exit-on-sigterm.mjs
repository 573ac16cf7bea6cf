// For profiling the web server (BERTH_E2E_NODE_ARGS): node writes a --cpu-prof
// profile only on a normal exit, so SIGTERM (the suite's stop) exits normally.
process.once('SIGTERM', () => process.exit(0));
