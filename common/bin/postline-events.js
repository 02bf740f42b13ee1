#!/usr/bin/env node
// A committed launcher rather than a bin pointing into dist/: npm links bins at
// install time, before `npm run build` writes dist/, and tsc writes files
// without the executable bit, so `npx postline-events` would be refused.
require('../dist/tools/cli/postline-events.js');
