// Reads the addon's reply tables (NativeTable: columns, see native/addon/reply_tables.h) back into
// one row object per service or destination. Object literals of one shape, built here by the JIT,
// cost a fraction of what building each object through N-API did.
import { loadNative } from './binding.js';
import type { NativeDestReply, NativeServiceReply, NativeStats, NativeTable } from './native.js';

const SERVICE_NUMBERS = ['family', 'protocol', 'port', 'fwmark', 'flags', 'timeout', 'netmask'];
const SERVICE_TEXTS = ['address', 'scheduler', 'peName'];
const DEST_NUMBERS = [
  'family',
  'port',
  'fwdMethod',
  'weight',
  'upperThreshold',
  'lowerThreshold',
  'tunType',
  'tunPort',
  'tunFlags',
  'activeConns',
  'inactiveConns',
  'persistentConns',
];
const DEST_TEXTS = ['address'];
const STATS = [
  'conns',
  'inPkts',
  'outPkts',
  'inBytes',
  'outBytes',
  'cps',
  'inPps',
  'outPps',
  'inBps',
  'outBps',
];

// The readers below index columns by position; the addon says what its positions are.
function expectColumns(what: string, actual: readonly string[], expected: readonly string[]): void {
  if (actual.join() !== expected.join()) {
    throw new Error(
      `the addon's ${what} columns are [${actual.join()}], this library reads [${expected.join()}]: rebuild the addon`,
    );
  }
}
// Checked once, on the first table read (the addon is loaded on first use, not at import).
let columnsChecked = false;
function checkColumns(): void {
  if (columnsChecked) return;
  const layout = loadNative().replyLayout;
  expectColumns('service', layout.service.numbers, SERVICE_NUMBERS);
  expectColumns('service text', layout.service.texts, SERVICE_TEXTS);
  expectColumns('destination', layout.dest.numbers, DEST_NUMBERS);
  expectColumns('destination text', layout.dest.texts, DEST_TEXTS);
  expectColumns('stats', layout.stats, STATS);
  columnsChecked = true;
}

const SERVICE_WIDTH = SERVICE_NUMBERS.length;
const DEST_WIDTH = DEST_NUMBERS.length;
const STATS_WIDTH = STATS.length;

function statsAt(stats: BigUint64Array, row: number): NativeStats {
  const at = row * STATS_WIDTH;
  return {
    conns: stats[at] ?? 0n,
    inPkts: stats[at + 1] ?? 0n,
    outPkts: stats[at + 2] ?? 0n,
    inBytes: stats[at + 3] ?? 0n,
    outBytes: stats[at + 4] ?? 0n,
    cps: stats[at + 5] ?? 0n,
    inPps: stats[at + 6] ?? 0n,
    outPps: stats[at + 7] ?? 0n,
    inBps: stats[at + 8] ?? 0n,
    outBps: stats[at + 9] ?? 0n,
  };
}

function texts(table: NativeTable, perRow: number): string[] {
  const fields = table.texts.split('\0');
  // Every field ends with a NUL, so the split leaves one empty string after the last.
  if (fields.length !== table.count * perRow + 1) {
    throw new Error(
      `reply table: ${fields.length - 1} text fields for ${table.count} rows of ${perRow}`,
    );
  }
  return fields;
}

// A table's split text column, kept while the table lives: a listing reads one table in slices.
const splitTexts = new WeakMap<NativeTable, string[]>();
function cachedTexts(table: NativeTable, perRow: number): string[] {
  let fields = splitTexts.get(table);
  if (!fields) {
    fields = texts(table, perRow);
    splitTexts.set(table, fields);
  }
  return fields;
}

/** Rows `from` (inclusive) to `to` (exclusive) of a services table; all of them by default. */
export function serviceRows(table: NativeTable, from = 0, to = table.count): NativeServiceReply[] {
  checkColumns();
  const n = table.numbers;
  const text = cachedTexts(table, SERVICE_TEXTS.length);
  const rows = new Array<NativeServiceReply>(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const at = i * SERVICE_WIDTH;
    const t = i * SERVICE_TEXTS.length;
    rows[i - from] = {
      family: n[at] ?? 0,
      protocol: n[at + 1] ?? 0,
      port: n[at + 2] ?? 0,
      fwmark: n[at + 3] ?? 0,
      flags: n[at + 4] ?? 0,
      timeout: n[at + 5] ?? 0,
      netmask: n[at + 6] ?? 0,
      address: text[t] ?? '',
      scheduler: text[t + 1] ?? '',
      peName: text[t + 2] ?? '',
      stats: statsAt(table.stats, i),
    };
  }
  return rows;
}

/** Rows `from` (inclusive) to `to` (exclusive) of a destinations table; all of them by default. */
export function destRows(table: NativeTable, from = 0, to = table.count): NativeDestReply[] {
  checkColumns();
  const n = table.numbers;
  const text = cachedTexts(table, DEST_TEXTS.length);
  const rows = new Array<NativeDestReply>(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const at = i * DEST_WIDTH;
    rows[i - from] = {
      family: n[at] ?? 0,
      port: n[at + 1] ?? 0,
      fwdMethod: n[at + 2] ?? 0,
      weight: n[at + 3] ?? 0,
      upperThreshold: n[at + 4] ?? 0,
      lowerThreshold: n[at + 5] ?? 0,
      tunType: n[at + 6] ?? 0,
      tunPort: n[at + 7] ?? 0,
      tunFlags: n[at + 8] ?? 0,
      activeConns: n[at + 9] ?? 0,
      inactiveConns: n[at + 10] ?? 0,
      persistentConns: n[at + 11] ?? 0,
      address: text[i] ?? '',
      stats: statsAt(table.stats, i),
    };
  }
  return rows;
}
