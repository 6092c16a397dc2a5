// The page's stylesheet, inlined (no network access is assumed). Light, dense, with the state
// colours an operator scans for: red down, amber degraded, green healthy, grey unchecked.
export const STYLE = `
:root{--bg:#f4f6f8;--fg:#1f2328;--muted:#5f6b76;--line:#d0d7de;--soft:#e8ecf0;--card:#fff;
--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff4c2;
--none:#6e7781;--none-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1f2937;color:#fff;padding:10px 16px;display:flex;align-items:center;gap:14px}
h1{font-size:16px;margin:0;font-weight:600}
.head-note{margin-left:auto;color:#c9d1d9;font-size:12px}
.conn{font-size:12px;padding:2px 10px;border-radius:10px;background:#4b5563}
.conn.live{background:var(--ok)}.conn.lost{background:var(--bad)}
.summary{display:flex;gap:8px;flex-wrap:wrap;padding:12px 16px 4px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:4px 10px;min-width:80px}
.card .label{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
.card .value{font-size:17px;font-weight:600;font-variant-numeric:tabular-nums;white-space:nowrap}
.card .sub{font-size:12px}
.any-down .c-down,.any-quorum-lost .c-quorumLost,.any-sorry .c-sorry{border-color:var(--bad);background:var(--bad-bg)}
.any-down .c-down .value,.any-quorum-lost .c-quorumLost .value,.any-sorry .c-sorry .value{color:var(--bad)}
.any-problem .c-problems{border-color:#d4a72c;background:var(--warn-bg)}
#error{margin:8px 16px 0;padding:10px 14px;border:1px solid var(--bad);border-left-width:6px;background:var(--bad-bg);color:#82071e;border-radius:6px;font-weight:600}
.layout{padding:12px 16px}
main{overflow-x:auto}
aside{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:12px;margin-top:12px;align-items:start}
.controls{display:flex;gap:10px;align-items:center;margin-bottom:8px}
.controls label{white-space:nowrap}
#filter{flex:1;max-width:460px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;font:inherit;background:#fff}
button{font:inherit;padding:5px 10px;border:1px solid var(--line);border-radius:6px;background:#f6f8fa;cursor:pointer}
table{border-collapse:separate;border-spacing:0;width:100%;background:var(--card);border:1px solid var(--line);border-radius:6px}
th{position:sticky;top:0;z-index:1;background:#f6f8fa;text-align:left;font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.03em;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:4px 8px;border-bottom:1px solid var(--soft);white-space:nowrap}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}
td.detail{max-width:340px;overflow:hidden;text-overflow:ellipsis}
tr.svc td{background:#fafbfc;font-weight:600}
tr.svc td:first-child{border-left:4px solid var(--none)}
tr.svc.ok td:first-child{border-left-color:var(--ok)}
tr.svc.warn td:first-child{border-left-color:#d4a72c}
tr.svc.crit td:first-child{border-left-color:var(--bad)}
tr.svc.crit td.detail{color:var(--bad)}
tr.dest td:first-child{padding-left:34px;border-left:4px solid transparent}
.sub{color:var(--muted);font-weight:400;margin-left:8px;font-size:12px}
.badge{display:inline-block;min-width:44px;text-align:center;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;color:var(--none);background:var(--none-bg)}
.h-up .badge,.svc.ok .badge{color:var(--ok);background:var(--ok-bg)}
.h-down .badge,.svc.crit .badge{color:#fff;background:var(--bad)}
.h-unknown .badge,.svc.warn .badge{color:var(--warn);background:var(--warn-bg)}
tr.h-down td{background:#fff6f6}
tr.h-down td.detail{color:var(--bad)}
tr.absent td{color:var(--muted);font-style:italic}
.w0 td[data-f=weight]{color:var(--bad);font-weight:600}
.tog{border:0;background:none;padding:0;width:18px;color:var(--muted);cursor:pointer}
.grp.open .tog::before{content:"\\25BE"}.grp.closed .tog::before{content:"\\25B8"}
.js .grp.closed tr.dest{display:none}
.nojs .tog,.nojs .needs-js{display:none}
[hidden]{display:none!important}
.stale main table,.stale .summary .value{opacity:.5}
aside section{background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
aside h2{font-size:11px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);margin:0;padding:7px 12px;border-bottom:1px solid var(--line);background:#f6f8fa}
aside table{border:0;border-radius:0}
#change-list{list-style:none;margin:0;padding:0;max-height:320px;overflow:auto}
#change-list li{padding:6px 12px;border-bottom:1px solid var(--soft)}
#change-list .when{color:var(--muted);font-variant-numeric:tabular-nums;margin-right:8px}
#change-list .where{font-weight:600}
#change-list .what{overflow-wrap:anywhere}
.to-down .what,.to-quorum-lost .what{color:var(--bad);font-weight:600}
.to-up .what,.to-quorum-met .what{color:var(--ok)}
.none-msg{margin:0;padding:8px 12px;color:var(--muted)}
footer{color:var(--muted);padding:0 16px 16px;font-size:12px}
@media (max-width:900px){aside{grid-template-columns:1fr}}
`;
