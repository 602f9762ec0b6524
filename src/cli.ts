#!/usr/bin/env node
// `docker-symphony`: the executable. All logic is in main.ts.
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal(handler) {
    const on = (signal: NodeJS.Signals): void => handler(signal);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    return () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  },
});
process.exit(code);
