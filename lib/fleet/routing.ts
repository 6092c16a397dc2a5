// What `ipvs serve` adds for a director among several behind ECMP: the consistent-hashing
// preset's sysctls, and the health-gated BGP announcements. Started once the health checker
// runs (its quorum is known, IPVS is loaded), refreshed after each reload, stopped before the
// checker (every prefix withdrawn while the table still serves).
import type { Logger } from '../health/log.js';
import type { NetNamespace } from '../host/net-config.js';
import { BgpAnnouncements, type AnnouncementStatus, type QuorumSource } from './announcements.js';
import type { BgpConfig } from './bgp-config.js';
import { enableSloppySysctls } from './consistent-hashing.js';
import type { RouteAnnouncer } from './route-announcer.js';
import type { ServeConfig } from './serve-config.js';
import { VtyshAnnouncer } from './vtysh.js';

export interface FleetRoutingOptions {
  netns: Pick<NetNamespace, 'sysctl' | 'setSysctl'>;
  checker: QuorumSource;
  log: Logger;
  /** Default: FRR through vtysh. */
  announcerFor?: (config: BgpConfig) => RouteAnnouncer;
}

type Part = Pick<ServeConfig, 'bgp' | 'consistentHashing'>;

export class FleetRouting {
  private bgp: BgpAnnouncements | undefined;

  private constructor(private readonly options: FleetRoutingOptions) {}

  /** Applies `config`'s fleet part; throws when the sysctls cannot be set (nothing started). */
  static async start(config: Part, options: FleetRoutingOptions): Promise<FleetRouting> {
    const routing = new FleetRouting(options);
    if (config.consistentHashing) await enableSloppySysctls(options.netns, options.log);
    if (config.bgp) routing.startBgp(config.bgp);
    return routing;
  }

  /** After a reload: the sysctls if newly asked for, the announcements by difference. */
  async refresh(config: Part): Promise<void> {
    if (config.consistentHashing) await enableSloppySysctls(this.options.netns, this.options.log);
    if (config.bgp === undefined) {
      await this.bgp?.stop();
      this.bgp = undefined;
    } else if (this.bgp) this.bgp.refresh(config.bgp);
    else this.startBgp(config.bgp);
  }

  status(): AnnouncementStatus[] {
    return this.bgp?.status() ?? [];
  }

  /** Withdraws every announced prefix. */
  async stop(): Promise<void> {
    await this.bgp?.stop();
  }

  private startBgp(config: BgpConfig): void {
    this.bgp = new BgpAnnouncements({
      config,
      announcerFor: this.options.announcerFor ?? ((c) => new VtyshAnnouncer(c)),
      log: this.options.log,
    });
    this.bgp.start(this.options.checker);
  }
}
