// Where the figures were taken: lab or native, kernel, accel, CPU, node, ipvsadm, date, commit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import type { Environment } from './results.js';

function quiet(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** In the lab, TCG shows in the CPU model QEMU reports; anything else there is KVM. */
function accel(inLab: boolean, cpu: string): Environment['accel'] {
  if (!inLab) return 'none';
  return /TCG/i.test(cpu) || /TCG/i.test(readFileSync('/proc/cpuinfo', 'utf8')) ? 'tcg' : 'kvm';
}

export function environment(): Environment {
  const inLab = process.env.IPVS_LAB === '1';
  const cpu = cpus()[0]?.model ?? 'unknown';
  const commit = quiet('git', ['-c', 'safe.directory=*', 'rev-parse', '--short', 'HEAD']);
  const hostCpu = process.env.IPVS_BENCH_HOST_CPU;
  const hostLoad = process.env.IPVS_BENCH_HOST_LOAD;
  return {
    where: inLab ? 'lab' : 'native',
    kernel: release(),
    accel: accel(inLab, cpu),
    cpu,
    ...(inLab && hostCpu ? { hostCpu } : {}),
    ...(inLab && hostLoad ? { hostLoad } : {}),
    cpus: cpus().length,
    node: process.version,
    ipvsadm: quiet('ipvsadm', ['--version'])?.split(' ')[1] ?? 'unknown',
    date: new Date().toISOString(),
    ...(commit ? { commit } : {}),
  };
}
