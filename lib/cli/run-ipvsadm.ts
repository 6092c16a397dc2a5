// Runs one parsed ipvsadm command against the kernel and prints what ipvsadm prints.
import { Ipvs } from '../ipvs.js';
import type { Service } from '../model/types.js';
import { connectionLines, daemonLines, timeoutLine } from '../ipvsadm/format/misc.js';
import { Namer } from '../ipvsadm/format/naming.js';
import { serviceEntry, serviceTable, title, type TableFormat } from '../ipvsadm/format/services.js';
import { toJson, type Output } from './io.js';
import { describeFailure, messageKeyOf } from '../ipvsadm/messages.js';
import { ServiceNames, reverseNames } from '../ipvsadm/names.js';
import type { Command, ListFormat } from '../ipvsadm/command.js';
import { restore } from './restore.js';
import { errorMessage } from '../model/guards.js';

export interface RunOptions {
  /** A network namespace file; default: the caller's namespace. */
  netns?: string;
  json: boolean;
  /** -S: also save thresholds (as -x/-y, which ipvsadm -R accepts). */
  extended: boolean;
  /** Standard input, for -R. */
  readInput: () => Promise<string>;
  services?: ServiceNames;
}

export async function openIpvs(netns: string | undefined, io: Output): Promise<Ipvs | undefined> {
  try {
    return await Ipvs.open(netns === undefined ? {} : { netns });
  } catch (error) {
    const why = errorMessage(error);
    io.err(
      `Can't initialize ipvs: ${why}\nAre you sure that IP Virtual Server is built in the kernel or as module?\n`,
    );
    return undefined;
  }
}

async function namerFor(
  format: ListFormat,
  addresses: () => string[],
  services: ServiceNames,
): Promise<Namer> {
  const hosts = format.numeric ? new Map<string, string>() : await reverseNames(addresses());
  return new Namer(format.numeric, hosts, services);
}

function addressesOf(services: readonly Service[]): string[] {
  return services.flatMap((s) => [
    ...(s.address === undefined ? [] : [s.address]),
    ...(s.destinations ?? []).map((d) => d.address),
  ]);
}

export async function runCommand(
  command: Command,
  options: RunOptions,
  io: Output,
): Promise<number> {
  const ipvs = await openIpvs(options.netns, io);
  if (!ipvs) return 2;
  try {
    return await execute(ipvs, command, options, io);
  } catch (error) {
    io.err(`${describeFailure(messageKeyOf(command), error)}\n`);
    return command.kind === 'list' || command.kind === 'list-service' || command.kind === 'save'
      ? 1
      : 255;
  } finally {
    ipvs.close();
  }
}

async function execute(
  ipvs: Ipvs,
  command: Command,
  options: RunOptions,
  io: Output,
): Promise<number> {
  const names = options.services ?? ServiceNames.fromFile();
  switch (command.kind) {
    case 'list':
    case 'save': {
      const format: TableFormat = {
        ...command.format,
        rule: command.kind === 'save',
        extended: options.extended,
      };
      if (command.kind === 'list' && command.what === 'timeout') {
        const timeouts = await ipvs.getTimeouts();
        io.out(options.json ? toJson(timeouts) : timeoutLine(timeouts));
        return 0;
      }
      if (command.kind === 'list' && command.what === 'daemon') {
        const daemons = await ipvs.listDaemons();
        io.out(options.json ? toJson(daemons) : daemonLines(daemons));
        return 0;
      }
      if (command.kind === 'list' && command.what === 'connections') {
        const connections = await ipvs.listConnections();
        if (options.json) {
          io.out(toJson(connections));
          return 0;
        }
        const endpoints = connections.flatMap((c) => [
          c.client.address,
          c.virtual.address,
          c.destination.address,
        ]);
        io.out(
          connectionLines(
            connections,
            format.persistentConn,
            await namerFor(format, () => endpoints, names),
          ),
        );
        return 0;
      }
      const [info, services] = await Promise.all([
        ipvs.getInfo(),
        ipvs.listServices({ destinations: true }),
      ]);
      if (options.json) {
        io.out(toJson(command.kind === 'save' ? services : { info, services }));
        return 0;
      }
      io.out(
        serviceTable(
          services,
          info,
          format,
          await namerFor(format, () => addressesOf(services), names),
        ),
      );
      return 0;
    }
    case 'list-service': {
      const service = await ipvs.getService(command.service, { destinations: true });
      if (options.json) {
        io.out(toJson(service));
        return 0;
      }
      const format: TableFormat = { ...command.format, rule: false, extended: false };
      const namer = await namerFor(format, () => addressesOf([service]), names);
      io.out(title(format) + serviceEntry(service, format, namer));
      return 0;
    }
    case 'restore':
      return restore(ipvs, await options.readInput(), io);
    case 'operation':
      await ipvs.run(command.operation);
      return 0;
  }
}
