// `npm run lab -- [--kernel 6.1|6.12] <command> [args...]`: runs a command as root inside the lab
// guest, with real IPVS, and exits with the command's status (125 when the lab itself failed).
// The kernel: --kernel, else $IPVS_LAB_KERNEL, else 6.1.
import { LAB_KERNELS, labKernelFromEnv, parseLabKernel, takeKernelOption } from './kernels.js';
import { LabError } from './run-command.js';
import { runInLab } from './vm.js';

const usage =
  `usage: npm run lab -- [--kernel ${LAB_KERNELS.join('|')}] <command> [args...]\n` +
  '  e.g. npm run lab -- ipvsadm -Ln\n' +
  '       npm run lab -- --kernel 6.12 uname -r\n';

try {
  const { kernel: named, rest: argv } = takeKernelOption(process.argv.slice(2));
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stderr.write(usage);
    process.exit(argv.length === 0 ? 2 : 0);
  }
  const kernel = named === undefined ? labKernelFromEnv() : parseLabKernel(named, '--kernel');
  const result = await runInLab(argv, { kernel });
  process.stderr.write(
    `lab: exit ${result.status} (kernel ${result.kernel}, ${result.accel}, ${result.seconds.toFixed(1)} s)\n`,
  );
  process.exit(result.status);
} catch (error) {
  process.stderr.write(`lab: ${error instanceof LabError ? error.message : String(error)}\n`);
  process.exit(125);
}
