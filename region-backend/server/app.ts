import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import { OPENAPI_INFO, registerPublicApi } from '../../shared/openapi.ts';
import type { ApiKeyService } from '../keys/api-key-service.ts';
import type { Logger } from '../logging.ts';
import type { TenantRateLimiter } from '../rate-limit/sliding-window-limiter.ts';
import type { BackendEnv } from './env.ts';
import { accessLog } from './middleware/access-log.ts';
import { type ApiKeyAuthOptions, apiKeyAuth } from './middleware/api-key-auth.ts';
import { bodySizeLimit } from './middleware/body-size-limit.ts';
import { tenantRateLimit } from './middleware/tenant-rate-limit.ts';
import { problemHandler, problemNotFound } from './problem-handler.ts';
import { type AlignRouteDeps, alignRoute } from './routes/align.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';

export interface BackendAppDeps {
  region: string;
  logger: Logger;
  keys: ApiKeyService;
  limiter: TenantRateLimiter;
  trustEdge?: ApiKeyAuthOptions['trustEdge'];
  align: AlignRouteDeps;
  readiness(): Readiness;
  maxBodyBytes: number;
  /** Prometheus exposition for GET /metrics. */
  metrics?: { contentType: string; text(): Promise<string> };
  observeHttp?: (method: string, route: string, status: number, seconds: number) => void;
  /** More authenticated /api routes (e.g. tasks), mounted after auth and rate limiting. */
  apiRoutes?: Array<{ path: string; app: Hono<BackendEnv> }>;
}

/**
 * The regional backend's HTTP API (DESIGN §3), Web-standard throughout: run it with
 * @hono/node-server, or call `app.request()` in tests.
 */
export function createBackendApp(deps: BackendAppDeps): OpenAPIHono<BackendEnv> {
  const app = new OpenAPIHono<BackendEnv>();
  app.use(requestId());
  // Server-Timing on every answer: where a request's time went (body, parse, queue, engine).
  app.use(timing({ totalDescription: 'backend' }));
  app.use(accessLog(deps.logger, deps.observeHttp));
  app.onError(problemHandler(deps.logger));
  app.notFound(problemNotFound);

  app.route('/', healthRoutes(deps.region, deps.readiness));
  if (deps.metrics) {
    const m = deps.metrics;
    app.get('/metrics', async (c) =>
      c.body(await m.text(), 200, { 'content-type': m.contentType }),
    );
  }
  registerPublicApi(app);
  app.doc31('/openapi.json', OPENAPI_INFO);

  app.use(
    '/api/*',
    bodySizeLimit({
      maxBytes: deps.maxBodyBytes,
      hint: 'send a smaller file, or an audio_url task',
    }),
    apiKeyAuth({ keys: deps.keys, trustEdge: deps.trustEdge }),
    tenantRateLimit({ limiter: deps.limiter }),
  );
  app.route('/api/align', alignRoute(deps.align));
  for (const r of deps.apiRoutes ?? []) app.route(r.path, r.app);
  return app;
}
