// HealthChecker: checks every destination of the managed services on its own schedule, and
// keeps the kernel's table equal to what the config and the checks say. Every change goes
// through one path, reconcile(): read the managed services back, plan, send one batch. Health
// changes ask for it at once; a timer asks for it periodically, which repairs drift (rules
// changed behind the checker's back); a reload asks for it after swapping the config.
import { EventEmitter } from 'node:events';
import { runCycle } from './cycle.js';
import { desiredService, healthyWeight, type HealthView } from './desired.js';
import type { HealthEvents, QuorumChange, RepairReport, SyncReason } from './events.js';
import { HealthCounter, type Health } from './health-state.js';
import type { Logger, LogLevel } from './log.js';
import { initialQuorum, nextQuorum } from './quorum.js';
import { reconcile, readServices, type IpvsTable } from './reconcile.js';
import { sleep } from './sleep.js';
import type { CheckSpec, DestinationConfig, HealthConfig, ServiceConfig } from './types.js';
import type { ServiceSpec } from '../model/types.js';

export interface HealthCheckerOptions {
  /** Receives one structured record per event (see jsonLinesLogger). */
  log?: Logger;
}

/** A destination's last completed check cycle. */
export interface LastCheck {
  ok: boolean;
  /** What the last attempt found: "status 200", "connect ECONNREFUSED ...". */
  detail: string;
  /** When the cycle ended, in ms since the epoch. */
  at: number;
  /** How long its last attempt took, in seconds. */
  seconds: number;
}

export interface DestinationStatus {
  destination: string;
  health: Health;
  /** The weight the kernel should have: configured, 0 (inhibited), or null (removed). */
  weight: number | null;
  /** The weight the config gives it. */
  configuredWeight: number;
  /** Failed check cycles in a row, up to now (0 after a success). */
  failures: number;
  /** Undefined until the first cycle ends, and for a destination without a check. */
  lastCheck: LastCheck | undefined;
}

export interface ServiceStatus {
  service: string;
  quorumMet: boolean;
  healthyWeight: number;
  sorryServerActive: boolean;
  destinations: DestinationStatus[];
}

interface Monitor {
  serviceId: string;
  destination: DestinationConfig;
  counter: HealthCounter;
  controller: AbortController;
  fingerprint: string;
  done: Promise<void>;
  failures: number;
  lastCheck: LastCheck | undefined;
}

const monitorKey = (serviceId: string, destinationId: string): string =>
  `${serviceId} -> ${destinationId}`;

// A check's identity across reloads: same kind, target, timing and options keep the monitor
// (and its health) running; functions are compared by identity.
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 1;
function fingerprint(check: CheckSpec | undefined): string {
  return JSON.stringify(check ?? null, (_key, value: unknown) => {
    if (value instanceof RegExp) return `regexp:${String(value)}`;
    if (typeof value === 'function') {
      let id = functionIds.get(value);
      if (id === undefined) functionIds.set(value, (id = nextFunctionId++));
      return `function:${id}`;
    }
    return value;
  });
}

export class HealthChecker extends EventEmitter<HealthEvents> {
  private config: HealthConfig;
  private readonly log: Logger;
  private readonly monitors = new Map<string, Monitor>();
  private readonly quorumMet = new Map<string, boolean>();
  /** Services dropped from the config by a reload, still to be deleted from the kernel. */
  private retired: Array<{ id: string; spec: ServiceSpec }> = [];
  private running = false;
  private reconcileLoop: Promise<void> | undefined;
  private reconcileController = new AbortController();
  private syncing: Promise<void> | undefined;
  private pendingReasons = new Set<SyncReason>();

  constructor(
    private readonly ipvs: IpvsTable,
    config: HealthConfig,
    options: HealthCheckerOptions = {},
  ) {
    super();
    this.config = config;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Creates or repairs the managed services (every server at its configured weight until its
   * first check says otherwise), then starts the checks and the periodic reconcile. Rejects,
   * with nothing started, when the kernel refuses the first read or write.
   */
  async start(): Promise<void> {
    if (this.running) throw new Error('the health checker is already running');
    for (const service of this.config.services)
      this.quorumMet.set(service.id, initialQuorum(service, healthyWeight(service, this.view)));
    await this.syncOnce(['start']);
    this.running = true;
    for (const service of this.config.services)
      for (const d of service.destinations) this.startMonitor(service, d);
    this.startReconcileLoop();
    this.record('info', 'started', {
      services: this.config.services.length,
      checks: this.monitors.size,
    });
  }

  /**
   * Stops every check (in-flight attempts are aborted and their sockets closed), waits for a
   * sync under way, and with `flush` (default: the config's flushOnStop) deletes the managed
   * services. Resolves when nothing of the checker is left running.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const monitor of this.monitors.values()) monitor.controller.abort();
    this.reconcileController.abort();
    await Promise.all([...[...this.monitors.values()].map((m) => m.done), this.reconcileLoop]);
    this.monitors.clear();
    await this.syncing;
    const flush = options.flush ?? this.config.flushOnStop;
    if (flush) await this.flushManaged();
    this.record('info', 'stopped', { flushed: flush });
    this.emit('stopped');
  }

  /**
   * Swaps in a new config by difference: checks whose destination and settings are unchanged keep
   * running with their health; new ones start; removed ones stop; services no longer in the
   * config are deleted from the kernel; then one sync brings the table in line. Nothing is flushed.
   */
  async reload(config: HealthConfig): Promise<void> {
    const newIds = new Set(config.services.map((s) => s.id));
    const dropped = this.config.services.filter((s) => !newIds.has(s.id));
    this.retired = [
      ...this.retired.filter((r) => !newIds.has(r.id)),
      ...dropped.map((s) => ({ id: s.id, spec: s.spec })),
    ];
    const oldReconcileMs = this.config.reconcileIntervalMs;
    this.config = config;

    const wanted = new Map<string, { service: ServiceConfig; destination: DestinationConfig }>();
    for (const service of config.services)
      for (const d of service.destinations)
        wanted.set(monitorKey(service.id, d.id), { service, destination: d });
    const stopping: Promise<void>[] = [];
    let kept = 0;
    for (const [key, monitor] of this.monitors) {
      const next = wanted.get(key);
      if (next && fingerprint(next.destination.check) === monitor.fingerprint) {
        monitor.destination = next.destination;
        kept++;
        continue;
      }
      monitor.controller.abort();
      stopping.push(monitor.done);
      this.monitors.delete(key);
    }
    await Promise.all(stopping);
    for (const [key, { service, destination }] of wanted)
      if (this.running && !this.monitors.has(key)) this.startMonitor(service, destination);

    for (const service of config.services) {
      const weight = healthyWeight(service, this.view);
      const met = this.quorumMet.get(service.id);
      this.quorumMet.set(
        service.id,
        met === undefined ? initialQuorum(service, weight) : nextQuorum(service, met, weight),
      );
    }
    for (const id of this.quorumMet.keys()) if (!newIds.has(id)) this.quorumMet.delete(id);
    if (this.running && config.reconcileIntervalMs !== oldReconcileMs) {
      this.reconcileController.abort();
      await this.reconcileLoop;
      this.startReconcileLoop();
    }
    this.record('info', 'reloaded', {
      services: config.services.length,
      checks: this.monitors.size,
      keptChecks: kept,
      retiredServices: dropped.map((s) => s.id),
    });
    if (this.running) await this.requestSync('reload');
  }

  /** Repairs the table now (what the periodic reconcile does). */
  async reconcileNow(): Promise<void> {
    await this.requestSync('reconcile');
  }

  /** The checker's view: health of every destination, quorum, sorry server, wanted weights. */
  status(): ServiceStatus[] {
    return this.config.services.map((service) => {
      const desired = desiredService(service, this.view);
      const weights = new Map(
        desired.destinations.map((d) => [`${d.address}|${d.port}`, d.weight]),
      );
      return {
        service: service.id,
        quorumMet: this.view.quorumMet(service.id),
        healthyWeight: healthyWeight(service, this.view),
        sorryServerActive: service.sorryServer !== undefined && !this.view.quorumMet(service.id),
        destinations: service.destinations.map((d) => {
          const monitor = this.monitors.get(monitorKey(service.id, d.id));
          return {
            destination: d.id,
            health: monitor?.counter.state ?? 'unknown',
            weight: weights.get(`${d.dest.address}|${d.dest.port}`) ?? null,
            configuredWeight: d.dest.weight,
            failures: monitor?.failures ?? 0,
            lastCheck: monitor?.lastCheck,
          };
        }),
      };
    });
  }

  // ---- checks ----

  private readonly view: HealthView = {
    serving: (serviceId, destinationId) =>
      this.monitors.get(monitorKey(serviceId, destinationId))?.counter.serving ?? true,
    quorumMet: (serviceId) => this.quorumMet.get(serviceId) ?? true,
  };

  private startMonitor(service: ServiceConfig, destination: DestinationConfig): void {
    const check = destination.check;
    const timing = check?.timing;
    const monitor: Monitor = {
      serviceId: service.id,
      destination,
      counter: new HealthCounter(timing?.rise ?? 1, timing?.fall ?? 1),
      controller: new AbortController(),
      fingerprint: fingerprint(check),
      done: Promise.resolve(),
      failures: 0,
      lastCheck: undefined,
    };
    this.monitors.set(monitorKey(service.id, destination.id), monitor);
    if (check) monitor.done = this.runMonitor(monitor, check);
    else monitor.counter.record(true); // no check: always healthy
  }

  private async runMonitor(monitor: Monitor, check: CheckSpec): Promise<void> {
    const stop = monitor.controller.signal;
    const stopped = (): boolean => stop.aborted;
    while (!stopped()) {
      const result = await runCycle(check, stop);
      if (stopped()) break;
      const from = monitor.counter.state;
      const to = monitor.counter.record(result.ok);
      const destination = monitor.destination.id;
      monitor.failures = result.ok ? 0 : monitor.failures + 1;
      monitor.lastCheck = {
        ok: result.ok,
        detail: result.detail,
        at: Date.now(),
        seconds: result.seconds,
      };
      this.emit('check', {
        service: monitor.serviceId,
        destination,
        ok: result.ok,
        detail: result.detail,
        attempts: result.attempts,
        seconds: result.seconds,
        health: monitor.counter.state,
      });
      this.record('debug', 'check', {
        service: monitor.serviceId,
        destination,
        ok: result.ok,
        detail: result.detail,
        attempts: result.attempts,
      });
      if (to !== undefined) this.onHealthChange(monitor, from, to, result.detail);
      await sleep(check.timing.intervalMs, stop);
    }
  }

  private onHealthChange(monitor: Monitor, from: Health, to: Health, detail: string): void {
    const change = {
      service: monitor.serviceId,
      destination: monitor.destination.id,
      from,
      to,
      detail,
    };
    this.emit('state', change);
    this.record(to === 'down' ? 'warn' : 'info', `destination-${to}`, { ...change });
    const service = this.config.services.find((s) => s.id === monitor.serviceId);
    if (service) this.updateQuorum(service);
    // A first verdict of 'up' changes nothing in the table: it already held the server.
    if (!(from === 'unknown' && to === 'up')) void this.requestSync('health');
  }

  private updateQuorum(service: ServiceConfig): void {
    const weight = healthyWeight(service, this.view);
    const met = this.quorumMet.get(service.id) ?? true;
    const next = nextQuorum(service, met, weight);
    if (next === met) return;
    this.quorumMet.set(service.id, next);
    const sorry = service.sorryServer;
    const change: QuorumChange = {
      service: service.id,
      met: next,
      healthyWeight: weight,
      quorum: service.quorum,
      hysteresis: service.hysteresis,
      sorryServer: sorry ? `${sorry.address}:${sorry.port}` : undefined,
    };
    this.emit('quorum', change);
    this.record(next ? 'info' : 'warn', next ? 'quorum-regained' : 'quorum-lost', { ...change });
  }

  // ---- the kernel ----

  private startReconcileLoop(): void {
    this.reconcileController = new AbortController();
    const interval = this.config.reconcileIntervalMs;
    if (interval === 0) {
      this.reconcileLoop = undefined;
      return;
    }
    const stop = this.reconcileController.signal;
    this.reconcileLoop = (async () => {
      for (;;) {
        if (!(await sleep(interval, stop))) return;
        await this.requestSync('reconcile');
      }
    })();
  }

  /** Syncs soon; requests made while one runs are served together by the next one. */
  private requestSync(reason: SyncReason): Promise<void> {
    this.pendingReasons.add(reason);
    this.syncing ??= this.drainSyncs().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async drainSyncs(): Promise<void> {
    // One turn of the event loop lets health changes of the same moment share the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pendingReasons.size > 0) {
      const reasons = [...this.pendingReasons];
      this.pendingReasons.clear();
      try {
        await this.syncOnce(reasons);
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        this.record('error', 'sync-failed', { reasons, error: e.message });
        this.emit('sync-error', e);
      }
    }
  }

  private async syncOnce(reasons: SyncReason[]): Promise<void> {
    const wanted = this.config.services.map((s) => desiredService(s, this.view));
    const retired = this.retired;
    const outcomes = await reconcile(
      this.ipvs,
      wanted,
      retired.map((r) => r.spec),
    );
    // A retired service stays on the list only while deleting it fails (a reload meanwhile may add
    // more). Sets, not searches: a reload may retire tens of thousands of services at once.
    const failed = new Set<unknown>();
    for (const o of outcomes) {
      if (o.repair.op === 'deleteService' && !o.result.ok) failed.add(o.repair.service);
    }
    const tried = new Set(retired);
    this.retired = this.retired.filter((r) => !tried.has(r) || failed.has(r.spec));
    const repairs: RepairReport[] = outcomes.map(({ repair, result }) => ({
      op: repair.op,
      target: result.target,
      why: repair.why,
      ok: result.ok,
      ...(result.ok ? {} : { error: result.error.message }),
    }));
    this.emit('sync', { reasons, repairs });
    if (repairs.length === 0) return;
    // Repairs that no health change or reload asked for are drift: someone else changed the table.
    const drift = reasons.length === 1 && reasons[0] === 'reconcile';
    for (const r of repairs)
      this.record(r.ok ? (drift ? 'warn' : 'info') : 'error', drift ? 'drift-repaired' : 'repair', {
        reasons,
        ...r,
      });
  }

  private async flushManaged(): Promise<void> {
    const present = await readServices(
      this.ipvs,
      this.config.services.map((s) => s.spec),
    );
    const specs = this.config.services.filter((_, i) => present[i]).map((s) => s.spec);
    if (specs.length === 0) return;
    const results = await this.ipvs.batch((b) => {
      for (const spec of specs) b.deleteService(spec);
    });
    for (const r of results)
      this.record(r.ok ? 'info' : 'error', 'flushed', {
        target: r.target,
        ok: r.ok,
        ...(r.ok ? {} : { error: r.error.message }),
      });
  }

  private record(level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.log({ time: new Date().toISOString(), level, event, ...fields });
  }
}
