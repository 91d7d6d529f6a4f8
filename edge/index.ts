import { problem, problemResponse } from '../shared/problem.ts';
import { createEdgeApp } from './app.ts';
import type { EdgeBindings } from './config.ts';
import { createEdgeRuntime } from './runtime.ts';

type EdgeApp = ReturnType<typeof createEdgeApp>;

/**
 * A Workers module handler. The app and its per-isolate caches (API keys, beacons, rate-limit
 * blocks) are built on the first request from the bindings, and rebuilt only if they change.
 * Tests create their own worker to start with empty caches.
 */
export function createEdgeWorker(): ExportedHandler<EdgeBindings> {
  let built: { bindings: EdgeBindings; app: EdgeApp } | null = null;
  return {
    fetch(request, env, ctx) {
      if (built?.bindings !== env) {
        try {
          built = { bindings: env, app: createEdgeApp(createEdgeRuntime(env)) };
        } catch (err) {
          // A deploy mistake (missing secret, bad var): say so in the log, not to the client.
          console.error(JSON.stringify({ level: 'error', error: String(err) }));
          return problemResponse(problem('internal', 'the edge is misconfigured'));
        }
      }
      return built.app.fetch(request, env, ctx);
    },
  };
}

export default createEdgeWorker();
