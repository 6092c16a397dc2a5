// A process of its own for `ipvs serve` (signal tests; until the ipvs bin's dispatcher wires it in):
// node --import tsx lib/cli/commands/serve-main.ts CONFIG [options]
import { run } from './serve.js';

process.exitCode = await run(process.argv.slice(2));
