/**
 * Types for the undici modules `encord/http.ts` imports one by one (undici ships types for its index only).
 * Each module's `module.exports` is the class itself, so it is the default export of the ESM import.
 */
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici';
  export default Pool;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import { ProxyAgent } from 'undici';
  export default ProxyAgent;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici';
  export default Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  /** `request`, `stream`, `pipeline`, `upgrade`, `connect`: the methods undici's index puts on `Dispatcher.prototype`. */
  const api: Record<string, unknown>;
  export default api;
}
