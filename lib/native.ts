// The addon's surface, exactly as native/addon registers it: types only, so that nothing crosses
// the boundary untyped. Compiled, this file is the addon's .d.ts.

export interface NativeBinding {
  /** The N-API version the addon was built against (NAPI_VERSION in binding.gyp / CMakeLists). */
  readonly napiVersion: number;
  /**
   * Moves the calling thread (the main thread, from JS) into a new, empty network namespace.
   * Children spawned afterwards inherit it. Used by the test harness; needs CAP_SYS_ADMIN.
   */
  unshareNetwork(): void;
}
