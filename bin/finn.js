#!/usr/bin/env node
// The `finn` command: runs the TypeScript sources through tsx (no separate compile step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
