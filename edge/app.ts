import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { OPENAPI_INFO, registerPublicApi } from '../shared/openapi.ts';
import type { EdgeEnv } from './env.ts';
import { apiKeyAuth } from './middleware/api-key-auth.ts';
import { edgeCors } from './middleware/cors.ts';
import { tenantRateLimit } from './middleware/rate-limit.ts';
import { problemHandler, problemNotFound } from './problem-handler.ts';
import { alignRoutes, startAlignPreparation } from './routes/align.ts';
import { healthRoutes } from './routes/health.ts';
import { taskRoutes } from './routes/tasks.ts';
import type { EdgeRuntime } from './runtime.ts';

/**
 * The edge's public API (DESIGN §3): request ids, CORS, API keys, per-tenant rate limits, the
 * result cache, and forwarding to the nearest healthy region with failover.
 */
export function createEdgeApp(rt: EdgeRuntime): OpenAPIHono<EdgeEnv> {
  const app = new OpenAPIHono<EdgeEnv>();
  app.onError(problemHandler);
  app.notFound(problemNotFound);
  app.use(requestId());
  app.use(edgeCors(rt.config));

  app.route('/', healthRoutes(rt));
  registerPublicApi(app);
  app.doc31('/openapi.json', OPENAPI_INFO);

  // Body, regions, hash and cache look-up start before the key check and overlap with it.
  app.post('/api/align', startAlignPreparation(rt));
  app.use('/api/*', apiKeyAuth(rt.keys, rt.config.defaultRateLimit), tenantRateLimit(rt.limiter));
  app.route('/api/align', alignRoutes(rt));
  app.route('/api/tasks', taskRoutes(rt));
  return app;
}
