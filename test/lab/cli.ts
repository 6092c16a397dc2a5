// `npm run lab -- <command> [args...]`: runs a command as root inside the lab guest, with real
// IPVS, and exits with the command's status (125 when the lab itself failed).
import { LabError } from './run-command.js';
import { runInLab } from './vm.js';

const argv = process.argv.slice(2);
if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
  process.stderr.write(
    'usage: npm run lab -- <command> [args...]\n  e.g. npm run lab -- ipvsadm -Ln\n',
  );
  process.exit(argv.length === 0 ? 2 : 0);
}

try {
  const result = await runInLab(argv);
  process.stderr.write(
    `lab: exit ${result.status} (kernel ${result.kernel}, ${result.accel}, ${result.seconds.toFixed(1)} s)\n`,
  );
  process.exit(result.status);
} catch (error) {
  process.stderr.write(`lab: ${error instanceof LabError ? error.message : String(error)}\n`);
  process.exit(125);
}
