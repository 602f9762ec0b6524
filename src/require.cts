// What `require('docker-symphony')` loads on a Node that cannot require an ES module
// (before 20.19 and 22.12): an error that says what to write instead. Newer Node versions take
// the "module-sync" entry in package.json and load the library itself.
throw Object.assign(
  new Error(
    "docker-symphony is an ES module, and this Node version cannot require() one. Use `import { Symphony } from 'docker-symphony'`, " +
      "or `const { Symphony } = await import('docker-symphony')` from CommonJS (or Node 20.19+ or 22.12+, where require() works).",
  ),
  { code: 'ERR_REQUIRE_ESM' },
);
