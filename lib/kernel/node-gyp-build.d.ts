// node-gyp-build ships no types. Only the resolver is used: it names the .node file that fits this
// process (build/Release, build/Debug, then prebuilds/<platform>-<arch>/ by tags), or throws.
declare module 'node-gyp-build' {
  interface NodeGypBuild {
    (dir: string): unknown;
    path(dir: string): string;
  }
  const load: NodeGypBuild;
  export default load;
}
