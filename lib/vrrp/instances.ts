// The VRRP instances of one `ipvs serve`: started together, fed the checker's quorum changes,
// reloaded by difference (an unchanged instance keeps running and keeps its state; a change of
// priority, tracked services, announcements or notify commands is applied live; any other change
// restarts that instance, with a log line), stopped together.
import type { Logger } from '../health/log.js';
import { errorMessage } from '../model/guards.js';
import type { VrrpInstanceConfig } from './config.js';
import { VrrpInstance, type VrrpInstanceOptions, type VrrpInstanceStatus } from './instance.js';

export type VrrpRuntime = Omit<VrrpInstanceOptions, 'config'> & { log: Logger };

/** The fields a running instance can take without a restart. */
function withoutLive(config: VrrpInstanceConfig): string {
  return JSON.stringify({
    ...config,
    priority: undefined,
    trackServices: undefined,
    announce: undefined,
    notify: undefined,
    path: undefined,
  });
}

/** 'same', 'live' (applied to the running instance) or 'restart'. */
export function reloadKind(
  before: VrrpInstanceConfig,
  after: VrrpInstanceConfig,
): 'same' | 'live' | 'restart' {
  if (JSON.stringify(before) === JSON.stringify(after)) return 'same';
  // The owner's 255 changes the startup (master at once) and what the instance advertises.
  const owner = (config: VrrpInstanceConfig) => config.priority === 255;
  if (owner(before) !== owner(after)) return 'restart';
  return withoutLive(before) === withoutLive(after) ? 'live' : 'restart';
}

export class VrrpInstances {
  private readonly running = new Map<string, VrrpInstance>();
  private configs = new Map<string, VrrpInstanceConfig>();
  /** The services without quorum, replayed into instances started later. */
  private readonly lost = new Set<string>();

  constructor(private readonly runtime: VrrpRuntime) {}

  get instances(): VrrpInstance[] {
    return [...this.running.values()];
  }

  status(): VrrpInstanceStatus[] {
    return this.instances.map((instance) => instance.status());
  }

  /** Starts every instance; when one fails, those started are stopped and the error thrown. */
  async start(configs: readonly VrrpInstanceConfig[]): Promise<void> {
    try {
      for (const config of configs) await this.startOne(config);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  quorumChanged(service: string, met: boolean): void {
    if (met) this.lost.delete(service);
    else this.lost.add(service);
    for (const instance of this.running.values()) instance.quorumChanged(service, met);
  }

  /** Applies a reloaded list; a failure to start one is logged, the others keep running. */
  async reload(configs: readonly VrrpInstanceConfig[]): Promise<void> {
    const wanted = new Map(configs.map((config) => [config.name, config]));
    for (const [name, instance] of this.running)
      if (!wanted.has(name)) {
        this.note('vrrp-removed', name, 'no longer in the config');
        await this.stopOne(name, instance);
      }
    for (const config of configs) {
      const before = this.configs.get(config.name);
      const instance = this.running.get(config.name);
      if (before === undefined || instance === undefined) {
        await this.startLogged(config, 'vrrp-added');
        continue;
      }
      const kind = reloadKind(before, config);
      if (kind === 'same') continue;
      if (kind === 'live') {
        instance.update(config);
        this.configs.set(config.name, config);
        this.note('vrrp-updated', config.name, 'priority, tracking, announce or notify changed');
        continue;
      }
      this.note('vrrp-restart', config.name, 'interface, addresses or timers changed');
      await this.stopOne(config.name, instance);
      await this.startLogged(config, 'vrrp-restarted');
    }
  }

  /** Stops every instance (each advertises priority 0 if it is master), all at once. */
  async stop(): Promise<void> {
    await Promise.all([...this.running].map(([name, instance]) => this.stopOne(name, instance)));
  }

  private async startOne(config: VrrpInstanceConfig): Promise<void> {
    const instance = new VrrpInstance({ ...this.runtime, config });
    for (const service of this.lost) instance.quorumChanged(service, false);
    await instance.start();
    this.running.set(config.name, instance);
    this.configs.set(config.name, config);
  }

  private async startLogged(config: VrrpInstanceConfig, event: string): Promise<void> {
    try {
      await this.startOne(config);
      this.note(event, config.name, 'started');
    } catch (error) {
      this.runtime.log({
        time: new Date().toISOString(),
        level: 'error',
        event: 'vrrp-start-failed',
        instance: config.name,
        error: errorMessage(error),
      });
    }
  }

  private async stopOne(name: string, instance: VrrpInstance): Promise<void> {
    this.running.delete(name);
    this.configs.delete(name);
    await instance.stop();
  }

  private note(event: string, instance: string, detail: string): void {
    this.runtime.log({ time: new Date().toISOString(), level: 'info', event, instance, detail });
  }
}
