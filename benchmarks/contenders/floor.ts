// The raw-netlink floor: benchmarks/floor.c, compiled with the system cc into benchmarks/build/,
// fed the same operations as the library. Before any timing, its encoding is compared byte for
// byte with the library's own encoder (the addon's encodeRequest), so that the floor really sends
// the library's messages.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeRequest } from '../../lib/kernel/codec.js';
import { prepare } from '../../lib/core/operation.js';
import {
  destAddress,
  destSpec,
  floorText,
  PORT,
  serviceKey,
  SCHEDULER,
  type Op,
} from '../workload.js';
import type { NativeRequest } from '../../lib/kernel/native.js';

export const BENCH_DIR = resolve(import.meta.dirname, '..');
export const BUILD_DIR = join(BENCH_DIR, 'build');
const SOURCE = join(BENCH_DIR, 'floor.c');
const BINARY = join(BUILD_DIR, 'floor');

/** Compiles the floor when the binary is missing or older than its source. */
export function buildFloor(): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    execFileSync(
      'cc',
      ['-O2', '-Wall', '-Wextra', '-Werror', '-std=c11', '-D_GNU_SOURCE', '-o', BINARY, SOURCE],
      { stdio: 'inherit' },
    );
  }
  return BINARY;
}

/** The request the library builds for `op` (lib/core/operation.ts: what every write sends). */
function libraryRequest(op: Op): NativeRequest {
  const key = serviceKey(op.service);
  switch (op.kind) {
    case 'addService':
      return prepare({ op: 'addService', service: { ...key, scheduler: SCHEDULER } });
    case 'deleteService':
      return prepare({ op: 'deleteService', service: key });
    case 'addDestination':
    case 'editDestination':
      return prepare({ op: op.kind, service: key, destination: destSpec(op) });
    case 'deleteDestination':
      return prepare({
        op: 'deleteDestination',
        service: key,
        destination: { address: destAddress(op.slot), port: PORT },
      });
  }
}

/** Throws unless floor.c encodes `ops` exactly as the library does (same family id and seqs). */
export function checkFloorEncoding(ops: readonly Op[]): void {
  const familyId = 0x1234;
  const file = join(BUILD_DIR, 'encoding-check.ops');
  writeFileSync(file, floorText(ops));
  const result = spawnSync(buildFloor(), ['-d', String(familyId), file], { maxBuffer: 1 << 26 });
  if (result.status !== 0)
    throw new Error(`floor -d: exit ${String(result.status)}: ${result.stderr.toString()}`);
  const library = Buffer.concat(
    ops.map((op, i) => encodeRequest(libraryRequest(op), familyId, i + 1)),
  );
  if (!library.equals(result.stdout)) {
    const at = library.findIndex((byte, i) => byte !== result.stdout[i]);
    throw new Error(
      `floor.c does not encode the library's messages: first difference at byte ${at} (library ${library.length} bytes, floor ${result.stdout.length})`,
    );
  }
}

export interface FloorRun {
  seconds: number;
  messages: number;
  sendmsgCalls: number;
}

/** Sends `ops` through the floor, `perSendmsg` messages a sendmsg; only its send/ack loop is timed. */
export function runFloor(ops: readonly Op[], perSendmsg: number): FloorRun {
  const file = join(BUILD_DIR, 'run.ops');
  writeFileSync(file, floorText(ops));
  const result = spawnSync(buildFloor(), ['-n', String(perSendmsg), file], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`floor: exit ${String(result.status)}: ${result.stderr.trim()}`);
  const [, messages, sendmsgs, seconds] = result.stdout.trim().split(' ');
  if (Number(messages) !== ops.length)
    throw new Error(`floor: sent ${String(messages)} of ${ops.length} messages`);
  return { seconds: Number(seconds), messages: Number(messages), sendmsgCalls: Number(sendmsgs) };
}

export interface ListFloorRun {
  seconds: number;
  services: number;
  dests: number;
}

/** The listing floor: every service dumped, then each one's destinations, one dump at a time. */
export function runListFloor(): ListFloorRun {
  const result = spawnSync(buildFloor(), ['-l'], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`floor -l: exit ${String(result.status)}: ${result.stderr.trim()}`);
  const [, services, dests, seconds] = result.stdout.trim().split(' ');
  return { seconds: Number(seconds), services: Number(services), dests: Number(dests) };
}
