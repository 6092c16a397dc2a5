// What the page shows, computed from one Snapshot: rows of formatted fields. The server renders
// the first page from these rows, and the live updates send the same rows (only those that
// changed), which the page's script patches into place by key and field name: one formatting,
// on the server, for both.
import type { Daemon, Destination, Stats } from '../../model/types.js';
import type { Snapshot, SnapshotDestination, SnapshotService } from '../snapshot.js';
import { bytes, clock, latency, shortCount } from './format.js';

export interface RowView {
  /** Unique in the page: "summary", "s:<service>", "d:<service> -> <destination>", "y:<daemon>". */
  key: string;
  /** The row's classes: its kind and its state ("dest h-down", "svc crit"). */
  cls: string;
  /** Text of each field, by the field's name (data-f in the page). */
  f: Record<string, string>;
  /** Tooltips, by field name, where the text alone is cut short. */
  t?: Record<string, string>;
}

export interface ServiceRow extends RowView {
  id: string;
  /** Shown expanded at first: the service has a problem. */
  open: boolean;
  dests: RowView[];
}

export interface StatusView {
  takenAt: number;
  summary: RowView;
  services: ServiceRow[];
  daemons: RowView[];
}

const collator = new Intl.Collator('en', { numeric: true });
const byId = <T extends { id: string }>(a: T, b: T): number => collator.compare(a.id, b.id);

export const serviceKey = (service: string): string => `s:${service}`;
export const destinationKey = (service: string, destination: string): string =>
  `d:${service} -> ${destination}`;

function rates(stats: Stats | undefined): Record<string, string> {
  if (stats === undefined) return { cps: '', pps: '', bps: '' };
  return {
    cps: shortCount(stats.cps),
    pps: `${shortCount(stats.inPps)} / ${shortCount(stats.outPps)}`,
    bps: `${bytes(stats.inBps)} / ${bytes(stats.outBps)}`,
  };
}

function healthLabel(d: SnapshotDestination): { label: string; state: string } {
  const health = d.health?.health;
  if (health === undefined) return { label: 'no check', state: 'none' };
  if (d.kernel === undefined) return { label: `${health} · not in table`, state: health };
  return { label: health === 'unknown' ? 'unknown' : health, state: health };
}

function destinationRow(service: string, d: SnapshotDestination): RowView {
  const kernel: Destination | undefined = d.kernel;
  const { label, state } = healthLabel(d);
  const last = d.health?.lastCheck;
  const failures = d.health?.failures ?? 0;
  let detail = '';
  if (last !== undefined)
    detail = last.detail + (failures > 1 ? ` · ${failures} failed in a row` : '');
  else if (d.health !== undefined) detail = 'not checked yet';
  const weight = kernel === undefined ? '—' : String(kernel.weight);
  const row: RowView = {
    key: destinationKey(service, d.id),
    cls: `dest h-${state}${kernel === undefined ? ' absent' : ''}${kernel?.weight === 0 ? ' w0' : ''}`,
    f: {
      fwd: kernel?.forward ?? '',
      health: label,
      weight: d.health === undefined ? weight : `${weight} / ${d.health.configuredWeight}`,
      detail,
      lat: last === undefined ? '' : latency(last.seconds),
      active: kernel === undefined ? '' : String(kernel.activeConnections),
      inactive: kernel === undefined ? '' : String(kernel.inactiveConnections),
      ...rates(kernel?.stats),
    },
  };
  if (last !== undefined) row.t = { detail: `${detail} (checked at ${clock(last.at)})` };
  return row;
}

function serviceRow(s: SnapshotService): ServiceRow {
  const dests = [...s.destinations].sort(byId);
  const count = (state: string) => dests.filter((d) => d.health?.health === state).length;
  const up = count('up');
  const down = count('down');
  const unknown = count('unknown');
  const absent = dests.filter((d) => d.kernel === undefined).length;
  const health = s.health;
  let state: string;
  if (s.kernel === undefined || (health !== undefined && !health.quorumMet)) state = 'crit';
  else if (health !== undefined && dests.length > 0 && up === 0 && down > 0) state = 'crit';
  else if (dests.length === 0 || down > 0 || unknown > 0 || absent > 0) state = 'warn';
  else state = health === undefined ? 'plain' : 'ok';

  const kernel = s.kernel;
  const sched = kernel
    ? [
        kernel.scheduler,
        kernel.persistence > 0 ? `persistent ${kernel.persistence}s` : '',
        kernel.onePacket ? 'one-packet' : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : '';
  let detail = kernel === undefined ? 'not in the kernel table' : '';
  if (health !== undefined)
    detail = [
      kernel === undefined ? detail : '',
      health.quorumMet ? 'quorum met' : 'QUORUM LOST',
      `healthy weight ${health.healthyWeight}`,
      health.sorryServerActive ? 'sorry server in use' : '',
    ]
      .filter(Boolean)
      .join(' · ');
  const sum = (pick: (d: SnapshotDestination) => number | undefined): number =>
    dests.reduce((total, d) => total + (pick(d) ?? 0), 0);
  const weight = String(sum((d) => d.kernel?.weight));
  const checked = health !== undefined;
  const servers = dests.length === 1 ? '1 server' : `${dests.length} servers`;
  return {
    key: serviceKey(s.id),
    id: s.id,
    cls: `svc ${state}${health?.sorryServerActive === true ? ' sorry' : ''}`,
    open: state === 'warn' || state === 'crit',
    f: {
      sched,
      health: checked ? `${up}/${dests.length} up` : servers,
      weight: checked ? `${weight} / ${sum((d) => d.health?.configuredWeight)}` : weight,
      detail,
      lat: '',
      active: String(sum((d) => d.kernel?.activeConnections)),
      inactive: String(sum((d) => d.kernel?.inactiveConnections)),
      ...rates(kernel?.stats),
    },
    dests: dests.map((d) => destinationRow(s.id, d)),
  };
}

function daemonRow(d: Daemon): RowView {
  return {
    key: `y:${d.state} ${d.syncId}`,
    cls: 'daemon',
    f: {
      state: d.state,
      iface: d.interface,
      syncId: String(d.syncId),
      group: `${d.group ?? 'default group'} port ${d.port}`,
      maxLength: String(d.maxLength),
      ttl: String(d.ttl),
    },
  };
}

function summaryRow(snapshot: Snapshot, services: ServiceRow[]): RowView {
  const tally = { up: 0, down: 0, unknown: 0, none: 0 };
  for (const s of snapshot.services)
    for (const d of s.destinations) tally[d.health?.health ?? 'none']++;
  const checked = snapshot.services.filter((s) => s.health !== undefined);
  const t = snapshot.totals;
  const quorumLost = checked.filter((s) => s.health?.quorumMet === false).length;
  const sorry = checked.filter((s) => s.health?.sorryServerActive === true).length;
  const problems = services.filter((s) => s.open).length;
  const flags = [
    tally.down > 0 ? 'any-down' : '',
    quorumLost > 0 ? 'any-quorum-lost' : '',
    sorry > 0 ? 'any-sorry' : '',
    problems > 0 ? 'any-problem' : '',
  ];
  return {
    key: 'summary',
    cls: ['summary', ...flags].filter(Boolean).join(' '),
    f: {
      services: String(services.length),
      problems: String(problems),
      up: String(tally.up),
      down: String(tally.down),
      unknown: String(tally.unknown + tally.none),
      quorumLost: String(quorumLost),
      sorry: String(sorry),
      cps: shortCount(t.cps),
      pps: `${shortCount(t.inPps)} / ${shortCount(t.outPps)}`,
      bps: `${bytes(t.inBps)} / ${bytes(t.outBps)}`,
      conns: shortCount(t.conns),
      updated: clock(snapshot.takenAt),
      read: latency(snapshot.readSeconds),
    },
  };
}

export function statusView(snapshot: Snapshot): StatusView {
  const services = snapshot.services.map(serviceRow).sort(byId);
  return {
    takenAt: snapshot.takenAt,
    summary: summaryRow(snapshot, services),
    services,
    daemons: snapshot.daemons.map(daemonRow),
  };
}

/** Every row of the view, in page order. */
export function allRows(view: StatusView): RowView[] {
  return [view.summary, ...view.services.flatMap((s) => [s, ...s.dests]), ...view.daemons];
}

/** What identifies the page's layout: a change here needs new rows, not new text. */
export function layoutOf(view: StatusView): string {
  return allRows(view)
    .map((r) => r.key)
    .join('\n');
}
