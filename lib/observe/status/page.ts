// The status page as one self-contained document: inline style and script (allowed by a
// per-response nonce, nothing else), no external resource. The server renders the whole table,
// so the page reads without JavaScript (and refreshes itself then); the script only adds the
// live updates, the filter and the collapsing. (The tag is `markup`, not `html`, so that
// prettier leaves the templates' whitespace alone: inside a cell it would become text.)
import { clock } from './format.js';
import { Html, markup } from './html.js';
import type { ChangeEntry } from './changes.js';
import { CLIENT_SCRIPT } from './client.js';
import { STYLE } from './style.js';
import type { RowView, ServiceRow, StatusView } from './view.js';

export interface PageInput {
  title: string;
  /** Undefined when no reading has succeeded yet. */
  view: StatusView | undefined;
  /** Why the newest reading failed, and when it was made. */
  error: { message: string; at: number } | undefined;
  changes: readonly ChangeEntry[];
  /** Whether a health checker feeds the page (inside `ipvs serve`). */
  checked: boolean;
  intervalMs: number;
  nonce: string;
}

/** The columns every service and real server row fills, after the name. */
const COLUMNS: ReadonlyArray<{ field: string; head: string; numeric?: boolean; badge?: boolean }> =
  [
    { field: 'health', head: 'Health', badge: true },
    { field: 'weight', head: 'Weight now / set' },
    { field: 'detail', head: 'Last check · quorum' },
    { field: 'lat', head: 'Check took', numeric: true },
    { field: 'active', head: 'Active', numeric: true },
    { field: 'inactive', head: 'Inactive', numeric: true },
    { field: 'cps', head: 'Conn/s', numeric: true },
    { field: 'pps', head: 'Packets/s in / out', numeric: true },
    { field: 'bps', head: 'Bytes/s in / out', numeric: true },
  ];

const nothing = new Html('');

function cells(row: RowView): Html[] {
  return COLUMNS.map(({ field, numeric, badge }) => {
    const text = row.f[field] ?? '';
    const title = row.t?.[field];
    const cls = numeric === true ? 'n' : field;
    if (badge === true)
      return markup`<td class="${cls}"><span class="badge" data-f="${field}">${text}</span></td>`;
    const tip = title === undefined ? nothing : markup` title="${title}"`;
    return markup`<td class="${cls}" data-f="${field}"${tip}>${text}</td>`;
  });
}

/** A destination's id: what follows the service's in its key. */
const destinationId = (row: RowView): string => row.key.slice(row.key.lastIndexOf(' -> ') + 4);

function destinationRow(d: RowView): Html {
  const id = destinationId(d);
  return markup`<tr class="${d.cls}" data-key="${d.key}" data-id="${id}"><td class="name"><span class="id">${id}</span><span class="sub" data-f="fwd">${d.f.fwd ?? ''}</span></td>${cells(d)}</tr>\n`;
}

function serviceGroup(s: ServiceRow): Html {
  const cls = `grp ${s.open ? 'open problem' : 'closed'}`;
  return markup`<tbody class="${cls}" data-group="${s.id}">
<tr class="${s.cls}" data-key="${s.key}"><td class="name"><button type="button" class="tog" aria-label="show or hide the real servers"></button><span class="id">${s.id}</span><span class="sub" data-f="sched">${s.f.sched ?? ''}</span></td>${cells(s)}</tr>
${s.dests.map(destinationRow)}</tbody>
`;
}

function card(row: RowView, field: string, label: string): Html {
  return markup`<div class="card c-${field}"><div class="label">${label}</div><div class="value" data-f="${field}">${row.f[field] ?? ''}</div></div>`;
}

const CARDS: ReadonlyArray<readonly [string, string]> = [
  ['services', 'Services'],
  ['problems', 'Problems'],
  ['up', 'Servers up'],
  ['down', 'Servers down'],
  ['unknown', 'Not checked'],
  ['quorumLost', 'Quorum lost'],
  ['sorry', 'Sorry servers'],
  ['cps', 'Conn/s'],
  ['pps', 'Packets/s in / out'],
  ['bps', 'Bytes/s in / out'],
  ['conns', 'Connections'],
];

function summary(view: StatusView | undefined): Html {
  if (view === undefined) return nothing;
  const s = view.summary;
  return markup`<div class="${s.cls}" data-key="summary">
${CARDS.map(([field, label]) => card(s, field, label))}
<div class="card"><div class="label">Read at</div><div class="value"><span data-f="updated">${s.f.updated ?? ''}</span><span class="sub">in <span data-f="read">${s.f.read ?? ''}</span></span></div></div>
</div>`;
}

/** The banner's text when the newest read failed. */
export function failureText(
  error: { message: string; at: number },
  lastGoodAt: number | undefined,
  intervalMs: number,
): string {
  return (
    `Reading the kernel's table failed at ${clock(error.at)}: ${error.message}. ` +
    (lastGoodAt === undefined
      ? 'No reading has succeeded yet; '
      : `The figures below are from ${clock(lastGoodAt)}; `) +
    `retrying every ${intervalMs / 1000} s.`
  );
}

function errorBanner(input: PageInput): Html {
  const error = input.error;
  if (error === undefined)
    return markup`<div id="error" role="alert" hidden><span id="error-text"></span></div>`;
  const text = failureText(error, input.view?.takenAt, input.intervalMs);
  return markup`<div id="error" role="alert"><span id="error-text">${text}</span></div>`;
}

export function changeItem(c: ChangeEntry): Html {
  const where = c.destination === undefined ? c.service : `${c.service} → ${c.destination}`;
  return markup`<li class="to-${c.to.replace(/\W+/g, '-')}"><span class="when">${clock(c.at)}</span><span class="where">${where}</span><div class="what">${c.text}</div></li>`;
}

function changesPanel(input: PageInput): Html {
  const note = input.checked
    ? 'No change since the page’s server started.'
    : 'No health checker feeds this page: changes appear here under ipvs serve.';
  const hidden = input.changes.length > 0 ? markup` hidden` : nothing;
  return markup`<section id="changes"><h2>Recent changes</h2><p class="none-msg"${hidden}>${note}</p><ol id="change-list">${input.changes.map(changeItem)}</ol></section>`;
}

function daemonRow(d: RowView): Html {
  return markup`<tr class="${d.cls}" data-key="${d.key}"><td data-f="state">${d.f.state ?? ''}</td><td data-f="iface">${d.f.iface ?? ''}</td><td class="n" data-f="syncId">${d.f.syncId ?? ''}</td><td data-f="group">${d.f.group ?? ''}</td></tr>`;
}

function daemonsPanel(view: StatusView | undefined): Html {
  const daemons = view?.daemons ?? [];
  const body =
    daemons.length === 0
      ? markup`<p class="none-msg">No sync daemon runs.</p>`
      : markup`<table><thead><tr><th>State</th><th>Interface</th><th class="n">Sync id</th><th>Group</th></tr></thead><tbody>${daemons.map(daemonRow)}</tbody></table>`;
  return markup`<section id="daemons"><h2>Connection sync daemons</h2>${body}</section>`;
}

function servicesTable(view: StatusView | undefined): Html {
  const services = view?.services ?? [];
  const heads = COLUMNS.map((c) =>
    c.numeric === true ? markup`<th class="n">${c.head}</th>` : markup`<th>${c.head}</th>`,
  );
  const empty =
    view === undefined ? 'No reading of the table yet.' : 'The table has no virtual service.';
  const hidden = services.length > 0 ? markup` hidden` : nothing;
  return markup`<table id="services"><thead><tr><th>Service / real server</th>${heads}</tr></thead>
${services.map(serviceGroup)}</table>
<p id="no-services" class="none-msg"${hidden}>${empty}</p>`;
}

export function renderPage(input: PageInput): string {
  const refresh = Math.max(2, Math.ceil(input.intervalMs / 1000));
  const nonce = input.nonce;
  const stale = input.error === undefined ? nothing : markup` class="stale"`;
  return markup`<!doctype html>
<html lang="en" class="nojs">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
<noscript><meta http-equiv="refresh" content="${refresh}"></noscript>
<style nonce="${nonce}">${new Html(STYLE)}</style>
<script nonce="${nonce}">document.documentElement.className = 'js';</script>
</head>
<body data-interval="${input.intervalMs}"${stale}>
<header><h1>${input.title}</h1><span id="conn" class="conn">static page</span><span class="head-note">read-only · times in UTC</span></header>
${summary(input.view)}
${errorBanner(input)}
<div class="layout">
<main>
<div class="controls needs-js"><input id="filter" type="search" placeholder="Filter services and real servers: address, port, protocol" autocomplete="off" spellcheck="false" aria-label="filter"><label><input id="problems" type="checkbox"> problems only</label><button type="button" id="expand">expand all</button><button type="button" id="collapse">collapse all</button><span id="shown" class="sub"></span></div>
${servicesTable(input.view)}
</main>
<aside>
${changesPanel(input)}
${daemonsPanel(input.view)}
</aside>
</div>
<footer>Figures from the kernel's IPVS table, read every ${input.intervalMs / 1000} s while the page is open. <span class="needs-js">Last update took <span id="cost">—</span>.</span></footer>
<script nonce="${nonce}">${new Html(CLIENT_SCRIPT)}</script>
</body>
</html>
`.text;
}
