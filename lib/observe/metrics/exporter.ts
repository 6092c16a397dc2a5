// A scrape: one snapshot (shared with whoever else is reading now), rendered in the format the
// scraper asks for. A failed reading throws (the server answers 500) and is counted, and the
// count shows in the next scrape that succeeds.
import type { Snapshotter } from '../snapshotter.js';
import { daemonFamilies } from './daemons.js';
import { selfFamilies } from './exporter-self.js';
import type { Family } from './family.js';
import { healthFamilies } from './health.js';
import { nodeExporterFamilies } from './node-exporter.js';
import {
  FamilyRenderer,
  openMetricsContentType,
  prometheusContentType,
  type ContentType,
} from './render.js';
import { trafficFamilies } from './traffic.js';
import { vrrpFamilies } from './vrrp.js';

export const allFamilies: readonly Family[] = [
  ...nodeExporterFamilies,
  ...trafficFamilies,
  ...healthFamilies,
  ...daemonFamilies,
  ...vrrpFamilies,
  ...selfFamilies,
];

export interface Exposition {
  contentType: ContentType;
  body: string;
}

/** OpenMetrics when the Accept header names it (Prometheus does), else the text format 0.0.4. */
export function negotiate(accept: string | undefined): ContentType {
  return accept?.includes('application/openmetrics-text')
    ? openMetricsContentType
    : prometheusContentType;
}

export class MetricsExporter {
  private readonly renderers = new Map<ContentType, FamilyRenderer>();
  private lastScrapeSeconds = 0;

  constructor(
    private readonly snapshotter: Snapshotter,
    private readonly families: readonly Family[] = allFamilies,
  ) {}

  async scrape(accept?: string): Promise<Exposition> {
    const started = performance.now();
    const contentType = negotiate(accept);
    const snapshot = await this.snapshotter.read();
    const body = await this.renderer(contentType).render({
      snapshot,
      scrapeErrors: this.snapshotter.errors,
      lastScrapeSeconds: this.lastScrapeSeconds,
    });
    this.lastScrapeSeconds = (performance.now() - started) / 1000;
    return { contentType, body };
  }

  private renderer(contentType: ContentType): FamilyRenderer {
    let renderer = this.renderers.get(contentType);
    if (!renderer) {
      renderer = new FamilyRenderer(this.families, contentType);
      this.renderers.set(contentType, renderer);
    }
    return renderer;
  }
}
