#!/usr/bin/env node
// The CLI is TypeScript run through tsx (a dependency), so `npx rotation-reactor` needs no build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../lib/cli/main.ts').run();
