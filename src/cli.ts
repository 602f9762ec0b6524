#!/usr/bin/env node
// `docker-symphony`: the executable. All logic is in main.ts (subcommands in commands/).
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal(handler) {
    const on = (signal: NodeJS.Signals): void => handler(signal);
    // SIGHUP is handled (re-read --config) instead of ending the process, as for most daemons.
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, on);
    return () => {
      for (const signal of signals) process.off(signal, on);
    };
  },
});
process.exit(code);
