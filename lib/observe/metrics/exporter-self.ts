// The exporter's own figures: how long reading the kernel took for this scrape, how long the
// previous scrape took in all, and how many readings have failed.
import type { Family } from './family.js';

export const selfFamilies: readonly Family[] = [
  {
    name: 'ipvs_exporter_read_duration_seconds',
    help: 'How long reading the kernel’s table, totals and daemons took for this scrape.',
    type: 'gauge',
    labelNames: [],
    collect: ({ snapshot }, emit) => {
      emit({}, snapshot.readSeconds);
    },
  },
  {
    name: 'ipvs_exporter_last_scrape_duration_seconds',
    help: 'How long the previous scrape took, reading and rendering (0 before the first).',
    type: 'gauge',
    labelNames: [],
    collect: ({ lastScrapeSeconds }, emit) => {
      emit({}, lastScrapeSeconds);
    },
  },
  {
    name: 'ipvs_exporter_scrape_errors_total',
    help: 'Scrapes that failed because the kernel could not be read.',
    type: 'counter',
    labelNames: [],
    collect: ({ scrapeErrors }, emit) => {
      emit({}, scrapeErrors);
    },
  },
];
