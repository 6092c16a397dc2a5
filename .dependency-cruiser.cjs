// The layers of lib/, lowest first. A module may import its own folder and the layers below it,
// never a layer above or beside it; no import cycles, counting type-only imports.
const layers = [
  ['model'], // the public data model: types, identity, guards
  ['kernel'], // the addon boundary: binding, native types, packing, reply tables, from-kernel
  ['core'], // errors, validation, the Operation, batches, the handle
  ['ipvsadm', 'state', 'host'], // ipvsadm's dialect; desired state and the planner; host network setup
  ['apply'], // apply and drain
  ['health'], // health checks and ipvs serve's checker
  ['vrrp'], // VRRP failover of the director: packets, the RFC 5798 state machine, its config
  ['fleet'], // what a director runs: the serve config, shared state (etcd), routing (FRR)
  ['observe'], // what operators see: snapshots, Prometheus metrics, the status page
  ['(index|ipvs)\\.ts'], // the package's surface: lib/index.ts, lib/ipvs.ts
  ['cli'], // the ipvs command
];
const path = (name) => (name.endsWith('.ts') ? `^lib/${name}$` : `^lib/${name}/`);

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Import cycles, type-only ones included, make the layers meaningless.',
    from: { path: '^lib/' },
    to: { circular: true },
  },
];
layers.forEach((group, rank) => {
  for (const name of group) {
    const notBelow = layers
      .slice(rank)
      .flat()
      .filter((other) => other !== name);
    if (notBelow.length === 0) continue; // the top layer may import anything in lib/
    forbidden.push({
      name: `layer-${name.replace(/\W/g, '')}`,
      severity: 'error',
      comment: `lib/${name} imports only the layers below it: ${layers.slice(0, rank).flat().join(', ') || 'none'}.`,
      from: { path: path(name) },
      to: { path: notBelow.map(path) },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|build)/' },
  },
};
