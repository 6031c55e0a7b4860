#!/usr/bin/env node
// `npx autopilot`: the operator's command line (tools/autopilot/cli.ts), run from its TypeScript
// source through tsx's loaders (CommonJS for the code, ESM for the commands it loads on demand):
// nothing is compiled ahead, and `--help` loads only the argument parser.
'use strict';
const path = require('node:path');

// npx runs it with the pinned Node.js 24 the install brings (node_modules/.bin comes first on its
// PATH); run with an older node (tsx's ESM loader and the drill need 22 or later), it hands over.
if (Number(process.versions.node.split('.')[0]) < 22) {
  const pinned = path.join(__dirname, '..', 'node_modules', '.bin', 'node');
  const { status, error } = require('node:child_process').spawnSync(pinned, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (error) console.error(`autopilot: needs Node.js 22 or later, and ${pinned} (npm install brings it) could not be run: ${error.message}`);
  process.exit(status ?? 1);
}
require('tsx/esm/api').register();
require('tsx/cjs/api').register();
require('../tools/autopilot/cli.ts').run();
