// Renders families with prom-client, which owns the exposition format (escaping, OpenMetrics'
// counter naming, # EOF). Each family is filled from the view, rendered alone and emptied again,
// and the event loop gets a turn (setImmediate) after every slice of samples: a scrape of a large
// table then delays health checks by one slice's work, never by the whole rendering.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  Counter,
  Gauge,
  openMetricsContentType,
  prometheusContentType,
  Registry,
  type OpenMetricsContentType,
  type PrometheusContentType,
} from 'prom-client';
import type { Family, Labels, ScrapeView } from './family.js';

/** Samples rendered between two turns of the event loop: a few milliseconds of work on a desktop. */
const SLICE = 500;

export type ContentType = PrometheusContentType | OpenMetricsContentType;

interface Filled {
  family: Family;
  /** The name it is registered under (an OpenMetrics counter's lacks _total). */
  name: string;
  metric: Counter | Gauge;
}

export class FamilyRenderer {
  private readonly registry: Registry<ContentType>;
  private readonly filled: Filled[];
  /** Renderings run one at a time: they fill the same metric objects. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    families: readonly Family[],
    readonly contentType: ContentType,
  ) {
    this.registry = new Registry<ContentType>();
    this.registry.setContentType(contentType);
    const openMetrics = contentType === openMetricsContentType;
    this.filled = families.map((family) => {
      const common = {
        help: family.help,
        labelNames: family.labelNames,
        registers: [this.registry],
      };
      if (family.type === 'gauge') {
        return { family, name: family.name, metric: new Gauge({ ...common, name: family.name }) };
      }
      // OpenMetrics names the family without _total and its samples with it; prom-client adds it.
      const name = openMetrics ? family.name.replace(/_total$/, '') : family.name;
      return { family, name, metric: new Counter({ ...common, name }) };
    });
  }

  render(view: ScrapeView): Promise<string> {
    const rendering = this.queue.then(() => this.renderNow(view));
    this.queue = rendering.catch(() => undefined);
    return rendering;
  }

  private async renderNow(view: ScrapeView): Promise<string> {
    const parts: string[] = [];
    for (const filled of this.filled) {
      parts.push(await this.renderFamily(filled, view));
    }
    return this.contentType === openMetricsContentType
      ? `${parts.join('\n')}\n# EOF\n`
      : `${parts.join('\n\n')}\n`;
  }

  /** One family, SLICE samples at a time, the event loop getting a turn after each slice. */
  private async renderFamily({ family, name, metric }: Filled, view: ScrapeView): Promise<string> {
    const samples: [Labels, number][] = [];
    family.collect(view, (labels, value) => samples.push([labels, value]));
    const text: string[] = [];
    for (let start = 0; start === 0 || start < samples.length; start += SLICE) {
      metric.reset();
      try {
        for (const [labels, value] of samples.slice(start, start + SLICE)) {
          if (metric instanceof Gauge) metric.set(labels, value);
          else metric.inc(labels, value);
        }
        const rendered = await this.registry.getSingleMetricAsString(name);
        // Every slice comes with the family's # HELP and # TYPE lines: keep the first slice's.
        text.push(start === 0 ? rendered : rendered.split('\n').slice(2).join('\n'));
      } finally {
        metric.reset();
      }
      await yieldToLoop();
    }
    return text.join('\n');
  }
}

export { openMetricsContentType, prometheusContentType };
