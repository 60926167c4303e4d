#!/usr/bin/env node
import { run } from './program.js'

// The only place that sets the process exit code. Long-running commands (daemon, demo)
// install their own signal handling; everything else just returns.
const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
process.exitCode = code
