// The status page as one self-contained document: inline style and script (allowed by a
// per-response nonce, nothing else), no external resource. The server renders the whole table,
// so the page reads without JavaScript (and refreshes itself then); the script only adds the
// live updates, the filter and the collapsing.
import { clock } from './format.js';
import { Html, html } from './html.js';
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
    { field: 'lat', head: 'Check time', numeric: true },
    { field: 'active', head: 'Active', numeric: true },
    { field: 'inactive', head: 'Inactive', numeric: true },
    { field: 'cps', head: 'Conn/s', numeric: true },
    { field: 'pps', head: 'Packets/s in / out', numeric: true },
    { field: 'bps', head: 'Bytes/s in / out', numeric: true },
  ];

function cells(row: RowView): Html[] {
  return COLUMNS.map(({ field, numeric, badge }) => {
    const text = row.f[field] ?? '';
    const title = row.t?.[field];
    const cls = numeric === true ? 'n' : field;
    return badge === true
      ? html`<td class="${cls}"><span class="badge" data-f="${field}">${text}</span></td>`
      : html`<td
          class="${cls}"
          data-f="${field}"
          ${title === undefined ? '' : html` title="${title}"`}
        >
          ${text}
        </td>`;
  });
}

function serviceGroup(s: ServiceRow): Html {
  const problem = s.open ? ' problem' : '';
  return html`<tbody class="grp ${s.open ? 'open' : 'closed'}${problem}" data-group="${s.id}">
    <tr class="${s.cls}" data-key="${s.key}">
      <td class="name">
        <button type="button" class="tog" aria-label="show or hide the real servers"></button
        ><span class="id">${s.id}</span><span class="sub" data-f="sched">${s.f.sched ?? ''}</span>
      </td>
      ${cells(s)}
    </tr>
    ${s.dests.map(
      (d) =>
        html`<tr
          class="${d.cls}"
          data-key="${d.key}"
          data-id="${d.key.slice(d.key.lastIndexOf(' -> ') + 4)}"
        >
          <td class="name">
            <span class="id">${d.key.slice(d.key.lastIndexOf(' -> ') + 4)}</span
            ><span class="sub" data-f="fwd">${d.f.fwd ?? ''}</span>
          </td>
          ${cells(d)}
        </tr> `,
    )}
  </tbody> `;
}

function card(row: RowView, field: string, label: string, extra = ''): Html {
  return html`<div class="card c-${field}${extra}">
    <div class="label">${label}</div>
    <div class="value" data-f="${field}">${row.f[field] ?? ''}</div>
  </div>`;
}

function summary(view: StatusView | undefined): Html {
  if (view === undefined) return html``;
  const s = view.summary;
  return html`<div class="${s.cls}" data-key="summary">
    ${card(s, 'services', 'Services')}${card(s, 'problems', 'With problems')}${card(s, 'up', 'Servers up')}${card(s, 'down', 'Servers down')}${card(s, 'unknown', 'Unchecked')}${card(s, 'quorumLost', 'Quorum lost')}${card(s, 'sorry', 'Sorry server in use')}${card(s, 'cps', 'Conn/s')}${card(s, 'pps', 'Packets/s in / out')}${card(s, 'bps', 'Bytes/s in / out')}${card(s, 'conns', 'Connections since start')}
    <div class="card">
      <div class="label">Read at</div>
      <div class="value">
        <span data-f="updated">${s.f.updated ?? ''}</span>
        <span class="sub">in <span data-f="read">${s.f.read ?? ''}</span></span>
      </div>
    </div>
  </div>`;
}

function errorBanner(input: PageInput): Html {
  const error = input.error;
  const text =
    error === undefined
      ? ''
      : `Reading the kernel's table failed at ${clock(error.at)}: ${error.message}. ` +
        (input.view === undefined
          ? 'No reading has succeeded yet; '
          : `The figures below are from ${clock(input.view.takenAt)}; `) +
        `retrying every ${input.intervalMs / 1000} s.`;
  return html`<div id="error" role="alert" ${error === undefined ? html` hidden` : html``}>
    <span id="error-text">${text}</span>
  </div>`;
}

export function changeItem(c: ChangeEntry): Html {
  const where = c.destination === undefined ? c.service : `${c.service} → ${c.destination}`;
  return html`<li class="to-${c.to.replace(/\W+/g, '-')}">
    <span class="when">${clock(c.at)}</span><span class="where">${where}</span>
    <div class="what">${c.text}</div>
  </li>`;
}

function changesPanel(input: PageInput): Html {
  const note = input.checked
    ? 'No change since the page’s server started.'
    : 'No health checker feeds this page: changes appear here under ipvs serve.';
  return html`<section id="changes">
    <h2>Recent changes</h2>
    <p class="none-msg" ${input.changes.length > 0 ? html` hidden` : html``}>${note}</p>
    <ol id="change-list">
      ${input.changes.map(changeItem)}
    </ol>
  </section>`;
}

function daemonsPanel(view: StatusView | undefined): Html {
  const daemons = view?.daemons ?? [];
  const body =
    daemons.length === 0
      ? html`<p class="none-msg">No sync daemon runs.</p>`
      : html`<table>
          <thead>
            <tr>
              <th>State</th>
              <th>Interface</th>
              <th>Sync id</th>
              <th>Group</th>
            </tr>
          </thead>
          <tbody>
            ${daemons.map(
              (d) =>
                html`<tr class="${d.cls}" data-key="${d.key}">
                  <td data-f="state">${d.f.state ?? ''}</td>
                  <td data-f="iface">${d.f.iface ?? ''}</td>
                  <td class="n" data-f="syncId">${d.f.syncId ?? ''}</td>
                  <td data-f="group">${d.f.group ?? ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>`;
  return html`<section id="daemons">
    <h2>Connection sync daemons</h2>
    ${body}
  </section>`;
}

function servicesTable(view: StatusView | undefined): Html {
  const services = view?.services ?? [];
  return html`<table id="services">
      <thead>
        <tr>
          <th>Service / real server</th>
          ${COLUMNS.map(
            (c) => html`<th${c.numeric === true ? html` class="n"` : html``}>${c.head}</th>`,
          )}
        </tr>
      </thead>
      ${services.map(serviceGroup)}
    </table>
    <p id="no-services" class="none-msg" ${services.length > 0 ? html` hidden` : html``}>
      ${view === undefined ? 'No reading of the table yet.' : 'The table has no virtual service.'}
    </p>`;
}

export function renderPage(input: PageInput): string {
  const refresh = Math.max(2, Math.ceil(input.intervalMs / 1000));
  const nonce = input.nonce;
  return html`<!doctype html>
    <html lang="en" class="nojs">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${input.title}</title>
        <noscript><meta http-equiv="refresh" content="${refresh}" /></noscript>
        <style nonce="${nonce}">
          ${new Html(STYLE)}
        </style>
        <script nonce="${nonce}">
          document.documentElement.className = 'js';
        </script>
      </head>
      <body
        data-interval="${input.intervalMs}"
        ${input.error === undefined ? html`` : html` class="stale"`}
      >
        <header>
          <h1>${input.title}</h1>
          <span id="conn" class="conn">static page</span
          ><span class="head-note">read-only · times in UTC</span>
        </header>
        ${summary(input.view)} ${errorBanner(input)}
        <div class="layout">
          <main>
            <div class="controls needs-js">
              <input
                id="filter"
                type="search"
                placeholder="Filter services and real servers (address, port, protocol)"
                autocomplete="off"
                spellcheck="false"
                aria-label="filter"
              /><label><input id="problems" type="checkbox" /> problems only</label
              ><button type="button" id="expand">expand all</button
              ><button type="button" id="collapse">collapse all</button
              ><span id="shown" class="sub"></span>
            </div>
            ${servicesTable(input.view)}
          </main>
          <aside>${changesPanel(input)} ${daemonsPanel(input.view)}</aside>
        </div>
        <footer>
          Figures from the kernel's IPVS table, read every ${input.intervalMs / 1000} s while this
          page is open.
          <span class="needs-js">Last page update took <span id="cost">—</span>.</span>
        </footer>
        <script nonce="${nonce}">
          ${new Html(CLIENT_SCRIPT)};
        </script>
      </body>
    </html> `.text;
}
