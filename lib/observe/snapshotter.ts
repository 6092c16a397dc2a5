// Reads snapshots for every viewer at once: a caller that asks while a reading is under way
// shares it, so the kernel sees one dump at a time whatever the number of scrapers and page
// viewers. Failed readings are counted (the exporter's scrape errors) and passed on.
import {
  takeSnapshot,
  type HealthSource,
  type Snapshot,
  type SnapshotSource,
  type VrrpSource,
} from './snapshot.js';

export class Snapshotter {
  private inFlight: Promise<Snapshot> | undefined;
  private readCount = 0;
  private errorCount = 0;

  constructor(
    private readonly source: SnapshotSource,
    private readonly health?: HealthSource,
    private readonly vrrp?: VrrpSource,
  ) {}

  /** A fresh snapshot, or the one being read now. */
  read(): Promise<Snapshot> {
    if (this.inFlight) return this.inFlight;
    this.readCount++;
    const reading = takeSnapshot(this.source, this.health, this.vrrp);
    this.inFlight = reading;
    reading.then(
      () => (this.inFlight = undefined),
      () => {
        this.inFlight = undefined;
        this.errorCount++;
      },
    );
    return reading;
  }

  /** Readings started (shared ones count once). */
  get reads(): number {
    return this.readCount;
  }

  /** Readings that failed. */
  get errors(): number {
    return this.errorCount;
  }
}
