import { Controller, Header, NotFoundException, Res } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Type } from '@nestjs/common';
import { DOCS_ROUTES } from '@cronfleet/shared';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { Route, RouteParam } from '../common/route.decorator';
import { buildOpenApiDocument } from './openapi-document';
import { operationIds, servedRoutes } from './nest-routes';

/** Swagger UI's files the page loads: served from the swagger-ui-dist package, nothing from outside. */
const UI_FILES = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);
// Not require('swagger-ui-dist'): its index loads the 1.5 MB browser bundle into the server.
const UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cronfleet API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/api/docs/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', validatorUrl: null });
  </script>
</body>
</html>
`;

/** `GET /api/docs` (Swagger UI) and `GET /api/docs/openapi.json`, without a token: the API's shape is no secret, its data is. */
@Controller()
export class OpenApiController {
  private document: unknown = null;

  constructor(private readonly modules: ModulesContainer) {}

  @Route(DOCS_ROUTES.page)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  /** Built on first request from API_ROUTES, each operation named by the handler Nest registered for it, then kept. */
  @Route(DOCS_ROUTES.openapi)
  openapi(): unknown {
    if (this.document === null) {
      const controllers = [...this.modules.values()].flatMap((m) => [...m.controllers.values()].map((w) => w.metatype as Type));
      this.document = buildOpenApiDocument((require('../../package.json') as { version: string }).version, { operationIds: operationIds(servedRoutes(controllers)) });
    }
    return this.document;
  }

  @Route(DOCS_ROUTES.file)
  async file(@RouteParam('file') file: string, @Res() res: FastifyReply): Promise<void> {
    const type = UI_FILES.get(file);
    if (!type) throw new NotFoundException(`${file}: no such file`);
    await res.type(type).header('Cache-Control', 'public, max-age=3600').send(createReadStream(join(UI_DIR, file)));
  }
}
